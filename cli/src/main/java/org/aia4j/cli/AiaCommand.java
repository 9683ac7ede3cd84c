package org.aia4j.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/** The {@code aia} command: the entry point that ties the aia4j modules together. */
@Command(
    name = "aia",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Train, evaluate and serve unified multimodal models with the AIA loss.",
    subcommands = {
        QuickstartCommand.class,
        TrainCommand.class,
        ProfileCommand.class,
        AlignCommand.class,
        ExperimentCommand.class,
        EvalCommand.class,
        ExportCommand.class,
        ImportCommand.class,
        CompleteCommand.class,
        ServeCommand.class,
        ReportCommand.class,
        DataCommand.class,
        RenderCommand.class,
        ScoreCommand.class,
        TargetsCommand.class,
        BenchCommand.class,
        ProvidersCommand.class,
        CommandLine.HelpCommand.class
    })
public final class AiaCommand extends CommandGroup {

  /** The option's value is read from the parse result ({@link WithPlugins}); this field documents it. */
  @Option(names = "--plugins", scope = ScopeType.INHERIT, paramLabel = "DIR",
      description = "A directory of plug-in jars (providers of losses, models, backends, benchmarks, tokenizers) "
          + "to load besides the built-in ones (default: $AIA4J_PLUGINS, else none).")
  Path plugins;

  /** Builds the configured command line; tests use it to run commands in-process. */
  public static CommandLine commandLine() {
    return commandLine(Guice.createInjector(new AiaModule()));
  }

  /** The command line with its commands built by {@code injector} (an embedder's own wiring). */
  static CommandLine commandLine(Injector injector) {
    CommandLine cli = new CommandLine(AiaCommand.class, new GuiceFactory(injector));
    cli.setExecutionExceptionHandler(new FriendlyErrors());
    cli.setExecutionStrategy(new WithPlugins(new NoEmptyOutput(new CommandLine.RunLast())));
    return cli;
  }

  /**
   * Runs the command with the jars of the plug-in directory ({@code --plugins}, given before or
   * after the subcommand, else {@code AIA4J_PLUGINS}) on the context class loader, which every
   * registry is built from; restores the previous loader afterwards, so in-process runs (tests, the
   * loops) do not leak one command's plug-ins into the next. The registries are built when a
   * command first asks for them, after this.
   */
  static final class WithPlugins implements CommandLine.IExecutionStrategy {
    private final CommandLine.IExecutionStrategy delegate;

    WithPlugins(CommandLine.IExecutionStrategy delegate) {
      this.delegate = delegate;
    }

    @Override
    public int execute(ParseResult parsed) {
      Path dir = null;
      for (ParseResult level = parsed; level != null; level = level.subcommand()) {
        Path given = level.matchedOptionValue("--plugins", null);
        dir = given != null ? given : dir;
      }
      String environment = System.getenv(Plugins.ENVIRONMENT);
      if (dir == null && environment != null && !environment.isBlank()) {
        dir = Path.of(environment);
      }
      if (dir == null) {
        return delegate.execute(parsed);
      }
      Thread thread = Thread.currentThread();
      ClassLoader previous = thread.getContextClassLoader();
      ClassLoader parent = previous != null ? previous : AiaCommand.class.getClassLoader();
      ParseResult leaf = parsed;
      while (leaf.hasSubcommand()) {
        leaf = leaf.subcommand();
      }
      CommandLine cli = leaf.commandSpec().commandLine();
      try (java.net.URLClassLoader loader = Plugins.directoryLoader(dir, parent)) {
        thread.setContextClassLoader(loader);
        return delegate.execute(parsed);
      } catch (java.io.IOException | IllegalArgumentException e) {
        // A plug-in directory that cannot be used is bad input: one clear line, exit code 1.
        return new FriendlyErrors().handleExecutionException(e, cli, parsed);
      } finally {
        thread.setContextClassLoader(previous);
      }
    }
  }

  /**
   * Runs the command, and if it fails, removes its {@code --out} folder when the command created
   * it and left it empty: a failed command leaves no folder that looks like a result.
   */
  static final class NoEmptyOutput implements CommandLine.IExecutionStrategy {
    private final CommandLine.IExecutionStrategy delegate;

    NoEmptyOutput(CommandLine.IExecutionStrategy delegate) {
      this.delegate = delegate;
    }

    @Override
    public int execute(ParseResult parsed) {
      ParseResult leaf = parsed;
      while (leaf.hasSubcommand()) {
        leaf = leaf.subcommand();
      }
      CommandLine.Model.OptionSpec option = leaf.commandSpec().findOption("--out");
      OutputCleanup cleanup = null;
      if (option != null && option.getValue() instanceof java.nio.file.Path out) {
        try {
          cleanup = OutputCleanup.before(out);
        } catch (java.io.IOException e) {
          cleanup = null; // unreadable: the command will say so
        }
      }
      boolean ok = false;
      try {
        int exit = delegate.execute(parsed);
        ok = exit == 0;
        return exit;
      } finally {
        if (!ok && cleanup != null) {
          cleanup.removeIfCreatedEmpty();
        }
      }
    }
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * Turns expected failures (bad input, missing files) into one clear line on stderr and exit
   * code 1; only unexpected errors print a stack trace. Set {@code AIA_DEBUG=1} to always see it.
   */
  static final class FriendlyErrors implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cli, ParseResult parsed) {
      PrintWriter err = cli.getErr();
      boolean expected = e instanceof java.io.IOException || e instanceof IllegalArgumentException
          || e instanceof IllegalStateException || e instanceof java.io.UncheckedIOException
          || (e instanceof UnsupportedOperationException && e.getMessage() != null);
      err.println(cli.getColorScheme().errorText("aia " + cli.getCommandName() + ": " + describe(e)));
      if (!expected || System.getenv("AIA_DEBUG") != null) {
        e.printStackTrace(err);
      }
      err.flush();
      return 1;
    }

    private static String describe(Throwable e) {
      if (e instanceof NoSuchFileException missing) {
        String reason = missing.getReason() == null ? "no such file" : missing.getReason();
        return reason + ": " + missing.getFile();
      }
      String message = e.getMessage();
      return message == null ? e.getClass().getSimpleName() : message;
    }
  }
}

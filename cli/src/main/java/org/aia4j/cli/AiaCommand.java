package org.aia4j.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;
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

  /** Builds the configured command line; tests use it to run commands in-process. */
  public static CommandLine commandLine() {
    return commandLine(Guice.createInjector(new AiaModule()));
  }

  /** The command line with its commands built by {@code injector} (an embedder's own wiring). */
  static CommandLine commandLine(Injector injector) {
    CommandLine cli = new CommandLine(AiaCommand.class, new GuiceFactory(injector));
    cli.setExecutionExceptionHandler(new FriendlyErrors());
    cli.setExecutionStrategy(new NoEmptyOutput(new CommandLine.RunLast()));
    return cli;
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
          || e instanceof IllegalStateException || e instanceof java.io.UncheckedIOException;
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

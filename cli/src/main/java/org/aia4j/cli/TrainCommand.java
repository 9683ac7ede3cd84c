package org.aia4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.api.loss.LossProvider;
import org.aia4j.djl.train.StepRecord;
import org.aia4j.djl.train.TaskMix;
import org.aia4j.djl.train.TrainingConfig;
import org.aia4j.djl.train.TrainingPresets;
import org.aia4j.djl.train.UnifiedTrainer;
import org.aia4j.djl.train.run.TrainingRuns;
import org.aia4j.evaluation.world.World;
import org.aia4j.evaluation.world.Worlds;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.loss.AiaLoss;
import org.aia4j.loss.AiaLossProvider;
import org.aia4j.loss.AiaOptions;
import org.aia4j.loss.StageSchedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aia train}: trains a unified model on a world or data files, with or without AIA. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a unified model on a world (--world) or data files (--data): next-token loss, plus the AIA loss with --aia on.")
final class TrainCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Inject
  Provider<Plugins> plugins;

  @Mixin
  PresetOption preset = new PresetOption();

  @Option(names = "--tasks", defaultValue = "both", description = "both, und or gen: one task trains an expert (default: ${DEFAULT-VALUE}).")
  String tasks;

  @Option(names = "--aia", defaultValue = "on", description = "on or off: whether the --loss term is optimised; "
      + "off still computes and logs it (default: ${DEFAULT-VALUE}).")
  String aia;

  @Option(names = "--schedule", description = "AIA stage schedule JSON (aia targets output), optionally with the "
      + "loss options aggregation, bosAsText, understandingQueries; default: the paper's, by relative depth.")
  Path schedule;

  @Option(names = "--aia-aggregation", description = "Where the AIA loss takes its Huber penalty: per-sample (the "
      + "reference code's, default) or batch-mean.")
  String aggregation;

  @Mixin
  QuerySetOptions sets = new QuerySetOptions();

  @Option(names = "--loss", defaultValue = TrainingConfig.DEFAULT_LOSS, description = "The loss provider whose term "
      + "is added to the next-token loss (aia providers lists them; --plugins adds jars) (default: ${DEFAULT-VALUE}).")
  String loss;

  @Option(names = "--loss-config", description = "JSON config of a --loss other than aia (default: {}).")
  Path lossConfigFile;

  @Option(names = "--fork", description = "UniFork: share the first N layers, then one branch of the rest per task "
      + "(default: none, the fully shared model). With --init from a shared model, the generation branch starts as "
      + "a copy of its deep layers.")
  Integer fork;

  @Option(names = "--steps", description = "Total steps of the run (default: the preset's).")
  Integer steps;

  @Mixin
  SeedOption seed = new SeedOption(0);

  @Option(names = "--out", required = true, description = "The checkpoint directory to write.")
  Path out;

  @Mixin
  WorldOption world = new WorldOption();

  @Option(names = "--data", description = "Train on these data files instead of a world; repeat for "
      + "several (LLaVA conversation .json, generation .jsonl, pre-tokenized .jsonl; see docs/design.md, "
      + "\"Bring your own data\"). The tasks share each step as the preset's understanding share says.")
  List<Path> data = new java.util.ArrayList<>();

  @Option(names = "--init", description = "Start from this checkpoint's parameters and tokenizers (fine-tuning).")
  Path init;

  @Option(names = "--learning-rate", description = "Peak learning rate of AdamW (default: the preset's; "
      + "quickstart fine-tunes use a lower one so they refine the base instead of re-learning it).")
  Double learningRate;

  @Option(names = "--resume", description = "Continue the run saved in --out (with --steps: a new total).")
  boolean resume;

  @Option(names = "--stop-after", description = "Take at most this many steps now, then save (resume later).")
  Integer stopAfter;

  @Option(names = "--save-every", defaultValue = "500", description = "Save a checkpoint every N steps (default: ${DEFAULT-VALUE}).")
  int saveEvery;

  @Override
  public Integer call() throws Exception {
    PrintWriter console = spec.commandLine().getOut();
    TrainingRuns.Budget budget = new TrainingRuns.Budget(stopAfter, saveEvery);
    TrainingRuns.Result result = resume
        ? runs(resumedWorld(), data, ModelLoading.dataImageSize(out)).resume(out, steps, budget, events(console))
        : runs(world.world(), data, init == null ? FileRuns.IMAGE_SIZE : ModelLoading.dataImageSize(init))
            .start(spec(), out, budget, events(console));
    report(console, result);
    return 0;
  }

  /** The world a resumed run continues in: {@code --world} if given, else the one its checkpoint was trained in. */
  private World resumedWorld() throws IOException {
    if (spec.commandLine().getParseResult().hasMatchedOption("--world")) {
      return world.world();
    }
    return Worlds.get(ModelLoading.trainingWorldOf(out).orElse(world.name()));
  }

  /** The last step's losses and where the checkpoint was saved, as {@code aia train} ends. */
  static void report(PrintWriter console, TrainingRuns.Result result) {
    StepRecord last = result.last();
    if (last != null) {
      console.printf(Locale.ROOT, "Step %d: token loss %s, %s loss %s, %,.0f tokens/s%n", last.step(),
          rounded(last.tokenLoss()), lossLabel(last.lossName()), rounded(last.aiaLoss()), last.tokensPerSecond());
    }
    console.printf("Saved checkpoint %s (step %d of %d)%n", result.checkpoint(), result.step(), result.spec().steps());
    console.flush();
  }

  /** The runs of {@code --data} files, or of {@code world} when none is given. */
  static TrainingRuns runs(World world, List<Path> data) {
    return runs(world, data, FileRuns.IMAGE_SIZE);
  }

  /** As {@link #runs(World, List)}, the files' images read at {@code imageSize}. */
  static TrainingRuns runs(World world, List<Path> data, int imageSize) {
    return data.isEmpty() ? WorldRuns.runs(world) : FileRuns.runs(data, imageSize);
  }

  /** The options as a run spec; the loss name and its config are checked here, before any work. */
  TrainingConfig spec() throws Exception {
    if (init != null && TextModel.isTextOnly(init) && data.isEmpty()) {
      throw new IllegalArgumentException(init + " is an imported model: it fine-tunes in its own token layout on --data"
          + " files (pre-tokenized rows carrying its image codes; see docs/design.md, \"Bring your own data\"), not on"
          + " a world's images");
    }
    LossProvider provider = plugins.get().losses().get(loss);
    JsonNode lossConfig = lossConfig(provider.name());
    provider.create(lossConfig); // a config the provider rejects fails now, naming the problem
    TrainingConfig presetConfig =
        TrainingPresets.config(preset.preset(), TaskMix.parse(tasks), onOff(aia), lossConfig, steps, seed.seed());
    TrainingConfig config = (data.isEmpty() ? world.withWorldTokenizer(presetConfig) : presetConfig)
        .withLoss(provider.name(), lossConfig)
        .withFork(fork)
        .withInit(init);
    return learningRate == null ? config : config.withLearningRate(learningRate);
  }

  /** Prints what the run does and draws its progress bar, as {@code aia train} always has. */
  static TrainingRuns.Events events(PrintWriter console) {
    return new TrainingRuns.Events() {
      private ProgressBar bar;

      @Override
      public void message(String line) {
        console.println(line);
        console.flush();
      }

      @Override
      public ProgressListener started(UnifiedTrainer trainer) {
        TrainingConfig config = trainer.config();
        console.printf("Training %s%s (%,d parameters) on %s, tasks %s, %s %s, %d steps, seed %d%n", config.preset(),
            config.fork() == null ? "" : " forked after layer " + config.fork(),
            trainer.model().config().parameterCount(), trainer.data().describe(), config.tasks(),
            lossLabel(trainer.loss().name()), config.aia() ? "on" : "off", config.steps(), config.seed());
        console.flush();
        bar = ProgressBars.create("train", config.steps());
        bar.stepTo(trainer.step());
        return ProgressBars.listener(bar);
      }

      @Override
      public void finished() {
        if (bar != null) {
          bar.close();
        }
      }
    };
  }

  /** "AIA" for the built-in loss (as the console always said), else the loss's own name. */
  private static String lossLabel(String lossName) {
    return TrainingConfig.DEFAULT_LOSS.equals(lossName) ? "AIA" : lossName;
  }

  /** The {@code --schedule} of the AIA loss, or the {@code --loss-config} of another loss ({} by default). */
  private JsonNode lossConfig(String lossName) throws Exception {
    if (TrainingConfig.DEFAULT_LOSS.equals(lossName)) {
      if (lossConfigFile != null) {
        throw new IllegalArgumentException("the aia loss is configured with --schedule, not --loss-config");
      }
      return withOptionFlags(schedule());
    }
    if (schedule != null) {
      throw new IllegalArgumentException("--schedule configures the aia loss; the " + lossName
          + " loss takes --loss-config");
    }
    if (lossConfigFile == null) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!Files.isRegularFile(lossConfigFile)) {
      throw new NoSuchFileException(lossConfigFile.toString(), null, "loss config file is missing");
    }
    try {
      return new ObjectMapper().readTree(lossConfigFile.toFile());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(lossConfigFile + ": not JSON: " + e.getMessage(), e);
    }
  }

  private JsonNode schedule() throws Exception {
    if (schedule == null) {
      return StageSchedule.paperDefault().toJson();
    }
    if (!Files.isRegularFile(schedule)) {
      throw new NoSuchFileException(schedule.toString(), null, "schedule file is missing (make one with aia targets)");
    }
    JsonNode config;
    AiaLoss loss;
    try {
      config = new ObjectMapper().readTree(Files.readString(schedule));
      loss = new AiaLossProvider().createAia(config);
    } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(schedule + ": " + e.getMessage(), e);
    }
    boolean hasOptions = config.has(AiaLossProvider.AGGREGATION) || config.has(AiaLossProvider.BOS_AS_TEXT)
        || config.has(AiaLossProvider.UNDERSTANDING_QUERIES);
    return hasOptions ? AiaLossProvider.withOptions(loss.schedule().toJson(), loss.options()) : loss.schedule().toJson();
  }

  /** The schedule with the loss options given on the command line written into it; as it was if none is given. */
  private JsonNode withOptionFlags(JsonNode config) {
    if (aggregation == null && !sets.isSet()) {
      return config;
    }
    AiaOptions options = sets.over(new AiaLossProvider().createAia(config).options());
    if (aggregation != null) {
      options = options.withAggregation(AiaOptions.Aggregation.parse(aggregation));
    }
    return AiaLossProvider.withOptions(config, options);
  }

  private static String rounded(java.util.Map<String, Double> values) {
    StringBuilder text = new StringBuilder();
    values.forEach((task, value) -> text.append(text.length() == 0 ? "" : ", ").append(task)
        .append(String.format(Locale.ROOT, " %.4f", value)));
    return text.toString();
  }

  static boolean onOff(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes" -> true;
      case "off", "false", "no" -> false;
      default -> throw new IllegalArgumentException("--aia must be on or off, got '" + value + "'");
    };
  }
}

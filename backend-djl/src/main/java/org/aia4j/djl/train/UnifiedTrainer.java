package org.aia4j.djl.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.aia4j.api.Registries;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.interaction.InteractionSets;
import org.aia4j.api.loss.LossInputs;
import org.aia4j.api.loss.LossTerms;
import org.aia4j.api.loss.TrainingLoss;
import org.aia4j.api.model.Task;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.djl.model.Capture;
import org.aia4j.djl.model.ForwardOptions;
import org.aia4j.djl.model.ForwardOutput;
import org.aia4j.djl.model.UnifiedTransformer;
import org.aia4j.djl.sequence.Batch;
import org.aia4j.djl.sequence.BatchCollator;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.sequence.TokenLayout;
import org.aia4j.inference.sequence.TokenSequence;
import org.aia4j.loss.InteractionStatistic;

/**
 * Trains the unified transformer on both tasks with next-token loss, plus a {@link TrainingLoss}'s
 * term when the config asks for it (DESIGN sections 3 and 4). The loss comes from a {@code
 * LossProvider} (the AIA loss by default) and is known only through its interface.
 *
 * <p>Each step draws its samples by index from the {@link TrainingData} ({@code step * batch + i}),
 * and prompt dropout is a hash of the seed and the sample index, so a run resumed from a checkpoint
 * sees exactly the data an uninterrupted run would. The interaction masses {@code I_l} are always
 * computed (by default from the attention maps the eager attention builds anyway; see {@link InteractionPath}) and
 * handed to the loss, which logs its term; only with {@link TrainingConfig#aia()} on does the term
 * enter the optimised loss.
 */
public final class UnifiedTrainer implements AutoCloseable {
  private final TrainingConfig config;
  private final TrainingData data;
  private final TrainingTokens tokens;
  private final NDManager manager;
  private final UnifiedTransformer model;
  private final ParameterStore parameterStore;
  private final AdamW optimizer;
  private final TrainingLoss loss;
  private final List<StepRecord> history = new ArrayList<>();
  private InteractionPath interactionPath = InteractionPath.ATTENTION_MAPS;
  private String initializedFrom;
  private com.fasterxml.jackson.databind.JsonNode importedFrom;
  private int skippedInARow;
  private final GradientGuard guard = new GradientGuard();
  /** Told the attempt number after each backward pass: a seam for tests that corrupt gradients. */
  IntConsumer afterBackward = attempt -> {};
  /** Steps of this trainer object whose gradients the guard had computed again. */
  private long recomputedSteps;

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UnifiedTrainer.class);
  /** Consecutive skipped updates after which training stops. */
  static final int MAX_SKIPPED_IN_A_ROW = 5;
  /** Forward and backward passes a step makes at most while the {@link GradientGuard} flags its gradients. */
  static final int BACKWARD_ATTEMPTS = 3;

  /**
   * How the interaction statistic is computed; both give the same values and gradients (tested in
   * aia-loss).
   */
  public enum InteractionPath {
    /**
     * From the attention probabilities the model's eager attention computes anyway: one extra
     * matrix product per layer. The default, and the cheaper path while attention is not fused.
     */
    ATTENTION_MAPS,
    /**
     * Recomputes only the query rows from each layer's queries and keys: needs no (B,H,T,T) map,
     * so it suits fused attention and long sequences, at the price of a second softmax over them.
     */
    QUERY_ROWS
  }

  /**
   * A fresh run whose loss is the one the config names, made by that provider of the {@code loss}
   * registry (the context class loader's, so plug-in jars count) from the config's {@code schedule}.
   *
   * @param config the run's configuration
   * @param data the samples
   * @param text fitted text tokenizer
   * @param image fitted image tokenizer
   * @throws IllegalArgumentException for a loss name no provider has, listing the known ones
   */
  public UnifiedTrainer(TrainingConfig config, TrainingData data, TextTokenizer text, ImageTokenizer image) {
    this(config, data, text, image, loss(config));
  }

  /**
   * A fresh run: parameters drawn from the seed.
   *
   * @param config the run's configuration
   * @param data the samples
   * @param text fitted text tokenizer
   * @param image fitted image tokenizer
   * @param loss the term added to the next-token loss (with {@link TrainingConfig#aia()} on)
   */
  public UnifiedTrainer(TrainingConfig config, TrainingData data, TextTokenizer text, ImageTokenizer image,
      TrainingLoss loss) {
    this(config, data, TrainingTokens.aia4j(text, image), loss);
  }

  private UnifiedTrainer(TrainingConfig config, TrainingData data, TrainingTokens tokens, TrainingLoss loss) {
    this(config, data, presetModel(config, tokens), tokens, loss);
  }

  /**
   * A run of a given model: its parameters drawn from the config's seed until a caller loads
   * others (an imported model's, to fine-tune it).
   *
   * @param config the run's configuration (its preset gives batch sizes, schedule and steps)
   * @param data the samples
   * @param modelConfig the transformer to train, its vocabulary {@code tokens}'
   * @param tokens how the samples become sequences of the model's vocabulary
   * @param loss the term added to the next-token loss (with {@link TrainingConfig#aia()} on)
   * @throws IllegalArgumentException if the data, the vocabulary or the loss do not fit the model
   */
  public UnifiedTrainer(TrainingConfig config, TrainingData data, ModelConfig modelConfig, TrainingTokens tokens,
      TrainingLoss loss) {
    this.config = Objects.requireNonNull(config, "config");
    this.loss = Objects.requireNonNull(loss, "loss");
    this.data = Objects.requireNonNull(data, "data");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    if (modelConfig.vocabSize() != tokens.vocabularySize()) {
      throw new IllegalArgumentException("The model has " + modelConfig.vocabSize() + " ids but its vocabulary "
          + tokens.vocabularySize());
    }
    tokens.check(data); // images of the wrong size, pre-tokenized rows that do not fit: fail now, naming the row
    this.manager = NDManager.newBaseManager("PyTorch");
    this.model = new UnifiedTransformer(modelConfig);
    model.initialize(manager);
    // Fail now, not after minutes of training, if the loss (e.g. its schedule) does not fit the model.
    loss.requireFits(modelConfig.layers());
    this.parameterStore = new ParameterStore(manager, false);
    this.optimizer = new AdamW(model.namedParameters(), config.weightDecay());
  }

  /** The config's preset over aia4j's vocabulary, seeded and forked as the config says. */
  private static ModelConfig presetModel(TrainingConfig config, TrainingTokens tokens) {
    ModelConfig preset = ModelConfig.preset(config.preset());
    return preset
        .withVocabSize(tokens.vocabularySize())
        .withSeed(config.seed())
        .withFork(config.fork() == null ? preset.layers() : config.fork());
  }

  /** The run's configuration. */
  public TrainingConfig config() {
    return config;
  }

  /** The loss whose term is added to the next-token loss. */
  public TrainingLoss loss() {
    return loss;
  }

  /**
   * The loss a config names, from the {@code loss} registry.
   *
   * @throws IllegalArgumentException for an unknown name (listing the known ones) or a config the
   *     provider rejects
   */
  public static TrainingLoss loss(TrainingConfig config) {
    return Registries.losses().get(config.lossName()).create(config.schedule());
  }

  /** The model being trained. */
  public UnifiedTransformer model() {
    return model;
  }

  /** The manager that owns the model's parameters. */
  public NDManager manager() {
    return manager;
  }

  /** The vocabulary the run lays its samples out in. */
  public TrainingTokens tokens() {
    return tokens;
  }

  /**
   * aia4j's unified vocabulary.
   *
   * @throws IllegalStateException for a run of an imported model, which has its own
   */
  public TokenLayout layout() {
    return tokens.layout().orElseThrow(() -> new IllegalStateException("an imported model has no aia4j layout"));
  }

  /** The text tokenizer. */
  public TextTokenizer textTokenizer() {
    return tokens.text();
  }

  /**
   * The image tokenizer.
   *
   * @throws IllegalStateException for an imported model without one
   */
  public ImageTokenizer imageTokenizer() {
    return tokens.image().orElseThrow(() -> new IllegalStateException("this model has no image tokenizer"));
  }

  /** The data source. */
  public TrainingData data() {
    return data;
  }

  /** The optimizer, whose state a checkpoint saves. */
  public AdamW optimizer() {
    return optimizer;
  }

  /** Chooses how the interaction statistic is computed (values are the same either way). */
  public void setInteractionPath(InteractionPath path) {
    this.interactionPath = Objects.requireNonNull(path, "path");
  }

  /** Where the initial parameters came from (a base checkpoint), or null if drawn from the seed. */
  public String initializedFrom() {
    return initializedFrom;
  }

  /** Records the base checkpoint a fine-tuning run started from. */
  public void setInitializedFrom(String description) {
    this.initializedFrom = description;
  }

  /** The provenance of the Hugging Face model an imported base came from, or null. */
  public com.fasterxml.jackson.databind.JsonNode importedFrom() {
    return importedFrom;
  }

  /** Carries an imported base's {@code imported_from} record into the run's checkpoints. */
  public void setImportedFrom(com.fasterxml.jackson.databind.JsonNode provenance) {
    this.importedFrom = provenance;
  }

  /** Steps taken so far (including those before a resume). */
  public long step() {
    return optimizer.step();
  }

  /** The metrics of the steps taken by this trainer object (not those before a resume). */
  public List<StepRecord> history() {
    return List.copyOf(history);
  }

  /**
   * Trains until the config's step budget, or for at most {@code maxSteps} more steps.
   *
   * @param maxSteps the most steps to take in this call ({@code Integer.MAX_VALUE}: to the end)
   * @param progress told after every step
   * @param onStep receives each step's metrics (e.g. to append to {@code metrics.jsonl})
   * @return the steps taken in this call
   */
  public int train(int maxSteps, ProgressListener progress, Consumer<StepRecord> onStep) {
    int taken = 0;
    while (step() < config.steps() && taken < maxSteps) {
      StepRecord record = trainStep();
      history.add(record);
      onStep.accept(record);
      if (record.recomputed() > 0) {
        recomputedSteps++;
      }
      progress.onProgress(record.step(), config.steps(), String.format("loss %.3f | %,.0f tok/s%s",
          record.loss(), record.tokensPerSecond(),
          recomputedSteps == 0 ? "" : " | " + recomputedSteps + " steps recomputed"));
      taken++;
    }
    return taken;
  }

  /** Takes one optimisation step on the next samples of the data. */
  public StepRecord trainStep() {
    long step = step();
    Map<Task, List<TokenSequence>> batches = new LinkedHashMap<>();
    for (Task task : Task.values()) {
      batches.put(task, sequences(task, step));
    }
    return step(batches, true);
  }

  /**
   * Takes one optimisation step on the given sequences: forward both tasks, token loss (+ AIA),
   * backward, AdamW. Benchmarks call it with a fixed batch.
   *
   * @param batches the sequences of each task (empty lists are skipped)
   * @param interaction whether to compute the interaction statistic; without AIA it is only
   *     logged, and a run may skip it to measure the plain next-token step
   */
  public StepRecord step(Map<Task, List<TokenSequence>> batches, boolean interaction) {
    if (config.aia() && loss.needsInteractions() && !interaction) {
      throw new IllegalArgumentException("The " + loss.name() + " loss needs the interaction statistic");
    }
    long started = System.nanoTime();
    long step = step();
    double lr = learningRate(step);
    Map<String, Double> tokenLosses = new LinkedHashMap<>();
    Map<String, Double> aiaLosses = new LinkedHashMap<>();
    Map<String, double[]> interactions = new LinkedHashMap<>();
    long tokens = 0;
    for (List<TokenSequence> sequences : batches.values()) {
      for (TokenSequence s : sequences) {
        tokens += s.length();
      }
    }
    double total = 0;
    AdamW.GradientCheck check = null;
    int recomputed = 0;
    // The passes are deterministic: gradients that are non-finite, or whose norm is far outside
    // the run's recent ones, are computed again (GradientGuard). A true gradient comes out the
    // same; one corrupted by memory read that should not be does not. Each recomputation is
    // counted in the step's record.
    for (int attempt = 1; attempt <= BACKWARD_ATTEMPTS; attempt++) {
      if (attempt > 1) {
        LOG.warn("Step {}: gradient norm {} ({}) against a recent median of {}; computing the gradients again",
            step + 1, Math.sqrt(check.squaredSum()), check.finite() ? "finite" : "non-finite in " + check.nonFinite(),
            guard.median());
        optimizer.zeroGradients();
        recomputed++;
      }
      tokenLosses.clear();
      aiaLosses.clear();
      interactions.clear();
      total = forwardBackward(batches, interaction, tokenLosses, aiaLosses, interactions, step);
      afterBackward.accept(attempt);
      check = optimizer.check();
      if (!guard.suspicious(Math.sqrt(check.squaredSum()))) {
        break;
      }
    }
    double gradientNorm = optimizer.update(lr, config.clipNorm(), check);
    if (Double.isNaN(gradientNorm)) {
      skippedInARow++;
      LOG.warn("Step {}: non-finite gradients in {}; update skipped", step + 1, optimizer.lastNonFinite());
      if (skippedInARow >= MAX_SKIPPED_IN_A_ROW) {
        throw new IllegalStateException(skippedInARow + " steps in a row had non-finite gradients (last in "
            + optimizer.lastNonFinite() + "); lower the learning rate");
      }
    } else {
      skippedInARow = 0;
      if (guard.suspicious(gradientNorm)) {
        LOG.warn("Step {}: gradient norm {} stayed {}x above the recent median after {} computations; "
            + "a real spike, clipped to {}", step + 1, gradientNorm, (long) (gradientNorm / guard.median()),
            BACKWARD_ATTEMPTS, config.clipNorm());
      }
      guard.accept(gradientNorm);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    return new StepRecord(step + 1, lr, total, tokenLosses, loss.name(), interaction ? aiaLosses : null,
        interaction ? interactions : null, gradientNorm, recomputed, tokens, seconds);
  }

  /** One forward and backward over the batches; fills the per-task metrics and returns the loss. */
  private double forwardBackward(Map<Task, List<TokenSequence>> batches, boolean interaction,
      Map<String, Double> tokenLosses, Map<String, Double> aiaLosses, Map<String, double[]> interactions, long step) {
    try (NDManager scope = manager.newSubManager();
        GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
      NDArray stepLoss = null;
      for (Map.Entry<Task, List<TokenSequence>> entry : batches.entrySet()) {
        Task task = entry.getKey();
        List<TokenSequence> sequences = entry.getValue();
        if (sequences.isEmpty()) {
          continue;
        }
        Batch batch = BatchCollator.collate(scope, sequences);
        Capture capture = !interaction ? Capture.NONE
            : interactionPath == InteractionPath.ATTENTION_MAPS ? Capture.PROBABILITIES : Capture.QUERY_KEYS;
        ForwardOutput out = model.forward(parameterStore, batch.tokens(), ForwardOptions.training(capture).forTask(task));
        NDArray tokenLoss = TokenLoss.of(out.logits(), batch.labels(), batch.lossMask());
        NDArray taskLoss = tokenLoss;
        tokenLosses.put(task.shortName(), (double) tokenLoss.getFloat());
        // Without the statistic (a benchmark's plain step) an unused loss is not evaluated at all.
        if (interaction || config.aia()) {
          NDList masses = interaction && loss.needsInteractions() ? interactionMasses(task, batch, out, scope) : null;
          LossTerms terms = loss.terms(new LossInputs(task, out.logits(), batch.labels(), batch.lossMask(), masses,
              batch.promptDropped(), step));
          if (config.aia()) {
            taskLoss = tokenLoss.add(terms.weighted());
          }
          aiaLosses.put(task.shortName(), (double) terms.unweighted().getFloat());
          if (terms.layerMeans() != null) {
            interactions.put(task.shortName(), toDoubles(terms.layerMeans().toFloatArray()));
          }
        }
        stepLoss = stepLoss == null ? taskLoss : stepLoss.add(taskLoss);
      }
      if (stepLoss == null) {
        throw new IllegalArgumentException("A step needs at least one sequence");
      }
      double total = stepLoss.getFloat();
      if (!Double.isFinite(total)) {
        throw new IllegalStateException("The loss became " + total + " at step " + (step + 1)
            + "; lower the learning rate");
      }
      collector.backward(stepLoss);
      return total;
    }
  }

  /** Per-sample {@code I_l} of every layer of one task's batch. */
  private NDList interactionMasses(Task task, Batch batch, ForwardOutput out, NDManager scope) {
    InteractionSets sets = batch.interactionSets(loss.roles(task));
    NDArray queryValid = sets.queryValid(scope);
    NDArray keyMask = sets.keyMask(scope);
    NDList masses = new NDList();
    if (interactionPath == InteractionPath.ATTENTION_MAPS) {
      NDArray queryMask = sets.queryMask(scope);
      for (NDArray attention : out.attentions()) {
        masses.add(InteractionStatistic.fromAttention(attention, queryMask, keyMask));
      }
    } else {
      NDArray queryIndex = sets.queryIndex(scope);
      double scale = 1.0 / Math.sqrt(model.config().headDim());
      for (int l = 0; l < out.queries().size(); l++) {
        masses.add(InteractionStatistic.fromQueriesAndKeys(
            out.queries().get(l), out.keys().get(l), scale, queryIndex, queryValid, keyMask, null));
      }
    }
    return masses;
  }

  /** The sequences of {@code task} that step {@code step} (0-based) trains on. */
  public List<TokenSequence> sequences(Task task, long step) {
    int count = task == Task.UNDERSTANDING ? config.understandingBatch() : config.generationBatch();
    List<TokenSequence> sequences = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long index = step * count + i;
      if (task == Task.UNDERSTANDING) {
        sequences.add(tokens.sequences().understanding(data.understanding(index)));
      } else {
        boolean drop = unitHash(config.seed(), index) < config.promptDropout();
        sequences.add(tokens.sequences().generation(data.generation(index), drop));
      }
    }
    return sequences;
  }

  /** Linear warm-up to the peak, then cosine decay to {@code peak * finalLearningRateRatio}. */
  public double learningRate(long step) {
    double peak = config.learningRate();
    if (step < config.warmupSteps()) {
      return peak * (step + 1) / config.warmupSteps();
    }
    long decaySteps = Math.max(1, config.steps() - config.warmupSteps());
    double progress = Math.min(1.0, (step - config.warmupSteps()) / (double) decaySteps);
    double floor = peak * config.finalLearningRateRatio();
    return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
  }

  /** A uniform double in [0, 1) from a seed and an index (SplitMix64's finaliser). */
  static double unitHash(long seed, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + index + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53;
  }

  private static double[] toDoubles(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  @Override
  public void close() {
    manager.close();
  }
}

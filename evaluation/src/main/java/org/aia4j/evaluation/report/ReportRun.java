package org.aia4j.evaluation.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.aia4j.api.model.Task;
import org.aia4j.loss.LayerTargets;

/**
 * One input of a report, as loaded by {@link RunLoader}: an eval run directory or one or more
 * {@code aia profile} files of one checkpoint. Every part but the name may be absent; the page
 * shows what there is and says what is missing ({@link #notes()}).
 *
 * @param name the label in legends and table headers (the run directory's or profile's name)
 * @param source the directory or file it was read from
 * @param kind what it was read from
 * @param config the checkpoint's {@code config.json}, null if unknown
 * @param settings the eval's sampling settings, null for profiles
 * @param checkpointStep the checkpoint's step, null if unknown
 * @param geneval GenEval-style scores, null if not run
 * @param mmbench MMBench-style scores, null if not run
 * @param interaction per task, the per-layer interaction curve
 * @param targets per task, the run's stage targets resolved for its depth
 * @param training the checkpoint's training metrics, null if unavailable
 * @param gallery the first prompts' generated images
 * @param notes what was skipped and why, one line each
 * @param alignment per task, the per-layer modality alignment (mutual k-NN, {@code aia align})
 */
public record ReportRun(
    String name,
    Path source,
    Kind kind,
    JsonNode config,
    JsonNode settings,
    Long checkpointStep,
    BenchmarkScores geneval,
    BenchmarkScores mmbench,
    Map<Task, LayerCurve> interaction,
    Map<Task, LayerTargets> targets,
    TrainingHistory training,
    List<SampleGallery.Prompt> gallery,
    List<String> notes,
    Map<Task, LayerCurve> alignment) {

  /** What a report input was read from. */
  public enum Kind {
    /** An {@code aia eval} run directory with {@code summary.json}. */
    EVAL_RUN,
    /** One or more {@code aia profile} (or {@code aia align}) JSON files. */
    PROFILE
  }

  /**
   * Starts a run; every part left unset is absent (null, or empty).
   *
   * @param name the label in legends and table headers
   * @param source the directory or file it was read from
   * @param kind what it was read from
   * @return a builder of the run
   */
  public static Builder builder(String name, Path source, Kind kind) {
    return new Builder(name, source, kind);
  }

  /** @return a builder holding every part of this run, to change some */
  public Builder toBuilder() {
    return new Builder(name, source, kind).config(config).settings(settings).checkpointStep(checkpointStep)
        .geneval(geneval).mmbench(mmbench).interaction(interaction).targets(targets).training(training)
        .gallery(gallery).notes(notes).alignment(alignment);
  }

  /** Builds a {@link ReportRun} part by part: the one place a run is assembled. */
  public static final class Builder {
    private String name;
    private final Path source;
    private final Kind kind;
    private JsonNode config;
    private JsonNode settings;
    private Long checkpointStep;
    private BenchmarkScores geneval;
    private BenchmarkScores mmbench;
    private Map<Task, LayerCurve> interaction = Map.of();
    private Map<Task, LayerTargets> targets = Map.of();
    private TrainingHistory training;
    private List<SampleGallery.Prompt> gallery = List.of();
    private List<String> notes = List.of();
    private Map<Task, LayerCurve> alignment = Map.of();

    private Builder(String name, Path source, Kind kind) {
      this.name = name;
      this.source = source;
      this.kind = kind;
    }

    /** Sets the label; returns this builder. */
    public Builder name(String value) {
      name = value;
      return this;
    }

    /** Sets the checkpoint's {@code config.json}, or null; returns this builder. */
    public Builder config(JsonNode value) {
      config = value;
      return this;
    }

    /** Sets the eval's settings, or null; returns this builder. */
    public Builder settings(JsonNode value) {
      settings = value;
      return this;
    }

    /** Sets the checkpoint's step, or null; returns this builder. */
    public Builder checkpointStep(Long value) {
      checkpointStep = value;
      return this;
    }

    /** Sets GenEval-style scores, or null; returns this builder. */
    public Builder geneval(BenchmarkScores value) {
      geneval = value;
      return this;
    }

    /** Sets MMBench-style scores, or null; returns this builder. */
    public Builder mmbench(BenchmarkScores value) {
      mmbench = value;
      return this;
    }

    /** Sets per task, the interaction curve; returns this builder. */
    public Builder interaction(Map<Task, LayerCurve> value) {
      interaction = value;
      return this;
    }

    /** Sets per task, the stage targets; returns this builder. */
    public Builder targets(Map<Task, LayerTargets> value) {
      targets = value;
      return this;
    }

    /** Sets the training metrics, or null; returns this builder. */
    public Builder training(TrainingHistory value) {
      training = value;
      return this;
    }

    /** Sets the first prompts' images; returns this builder. */
    public Builder gallery(List<SampleGallery.Prompt> value) {
      gallery = value;
      return this;
    }

    /** Sets what was skipped and why; returns this builder. */
    public Builder notes(List<String> value) {
      notes = value;
      return this;
    }

    /** Sets per task, the modality alignment curve; returns this builder. */
    public Builder alignment(Map<Task, LayerCurve> value) {
      alignment = value;
      return this;
    }

    /** @return the run */
    public ReportRun build() {
      return new ReportRun(name, source, kind, config, settings, checkpointStep, geneval, mmbench, interaction,
          targets, training, gallery, notes, alignment);
    }
  }

  public ReportRun {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(kind, "kind");
    interaction = Collections.unmodifiableMap(enumMap(interaction));
    targets = Collections.unmodifiableMap(enumMap(targets));
    gallery = List.copyOf(gallery);
    notes = List.copyOf(notes);
    alignment = Collections.unmodifiableMap(enumMap(alignment));
  }

  private static <V> Map<Task, V> enumMap(Map<Task, V> map) {
    Map<Task, V> copy = new EnumMap<>(Task.class);
    copy.putAll(map);
    return copy;
  }

  /** @return {@code config.training}, or a missing node */
  public JsonNode trainingConfig() {
    return config == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : config.path("training");
  }

  /** @return the training preset, null if unknown */
  public String preset() {
    JsonNode preset = trainingConfig().path("preset");
    return preset.isValueNode() ? preset.asText() : null;
  }

  /** @return whether the AIA loss was on in training, null if unknown */
  public Boolean aia() {
    JsonNode aia = trainingConfig().path("aia");
    return aia.isBoolean() ? aia.asBoolean() : null;
  }

  /** @return the run's planned training steps, null if unknown */
  public Long steps() {
    JsonNode steps = trainingConfig().path("steps");
    return steps.isIntegralNumber() ? steps.asLong() : null;
  }

  /** @return the training seed, null if unknown */
  public Long seed() {
    JsonNode seed = trainingConfig().path("seed");
    return seed.isIntegralNumber() ? seed.asLong() : null;
  }

  /** @return the eval's CFG weight, temperature and top-k as {@code "2 / 1.0 / 0"}, null if unknown */
  public String samplingSummary() {
    if (settings == null) {
      return null;
    }
    return setting("cfg") + " / " + setting("temperature") + " / " + setting("top_k");
  }

  private String setting(String name) {
    JsonNode value = settings.path(name);
    return value.isValueNode() && !value.isNull() ? value.asText() : "?";
  }

  /**
   * @param task a task
   * @return mean over layers of {@code |I_l - T_l|}, null without a curve or targets of one depth
   */
  public Double targetDeviation(Task task) {
    LayerCurve curve = interaction.get(task);
    LayerTargets target = targets.get(task);
    if (curve == null || target == null || curve.layers() != target.layers()) {
      return null;
    }
    return target.meanAbsoluteDeviation(curve.mean());
  }
}

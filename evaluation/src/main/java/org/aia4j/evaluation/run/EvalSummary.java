package org.aia4j.evaluation.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.aia4j.api.benchmark.BenchmarkScore;
import org.aia4j.api.io.AtomicFiles;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.ModelInfo;
import org.aia4j.api.model.Task;
import org.aia4j.evaluation.io.JsonLines;

/**
 * What one evaluation run found, as {@code summary.json} holds it: written by {@link #write} and
 * read by {@link #read}, nowhere else. {@code aia eval}, the server's evaluation jobs, the
 * quickstart and experiment loops and {@code aia report} all go through this record.
 *
 * @param format always {@link #FORMAT}: tells a summary from any other JSON file
 * @param version the layout's version, {@link #VERSION}
 * @param checkpoint the checkpoint evaluated, null when the model did not come from a known
 *     directory (e.g. a server's model loader)
 * @param model the model as it describes itself ({@code UnifiedModel.info()})
 * @param settings every setting the run used
 * @param suites per benchmark, in the order run, its scores
 * @param handOffs per benchmark run unscored ({@code --images-only}), what it wrote for an
 *     external scorer (folder, counts, the scorer's command); empty for a scored run
 * @param interaction per task ({@code und}, {@code gen}), the interaction curve; tasks the model
 *     could not be inspected on are absent
 * @param versions the software that produced the run
 * @param seconds wall-clock timings: {@code load} (when the caller measured it), one per suite,
 *     {@code interaction} and {@code total}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EvalSummary(String format, int version, CheckpointSource checkpoint, ModelInfo model,
    EvalSettings settings, Map<String, SuiteResult> suites, Map<String, JsonNode> handOffs,
    Map<String, Curve> interaction, Versions versions,
    Map<String, Double> seconds) {

  /** The {@link #format()} of every summary. */
  public static final String FORMAT = "aia4j-eval-summary";

  /** The layout written now; {@link #read} accepts this version only. */
  public static final int VERSION = 1;

  /** The summary's file name in a run directory. */
  public static final String FILE_NAME = "summary.json";

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      // A summary missing a field is not ours, or damaged: refuse it instead of reading zeros.
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /**
   * Where the evaluated model came from.
   *
   * @param path the checkpoint or export directory, absolute
   * @param step its training step, null if it does not say
   * @param config its {@code config.json}, null if unknown
   */
  public record CheckpointSource(String path, Long step, JsonNode config) {
    // A path is what makes a source: the rest is optional.
    public CheckpointSource {
      if (path == null || path.isBlank()) {
        throw new IllegalArgumentException("checkpoint path must not be blank");
      }
      config = config == null || config.isNull() ? null : normalized(config);
    }
  }

  /**
   * One benchmark's scores.
   *
   * @param overall the headline number
   * @param breakdown per tag (GenEval-style) or category (MMBench-style), in the benchmark's order
   * @param details everything else the benchmark reports, e.g. {@code vanilla}, item counts, its
   *     source; a JSON object
   */
  public record SuiteResult(double overall, Map<String, Double> breakdown, JsonNode details) {
    // Keeps the order; details are stored as JSON reads them back, so a read summary equals the written one.
    public SuiteResult {
      if (!Double.isFinite(overall)) {
        throw new IllegalArgumentException("overall must be finite, got " + overall);
      }
      breakdown = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(breakdown, "breakdown")));
      if (details == null || !details.isObject()) {
        throw new IllegalArgumentException("details must be a JSON object, got " + details);
      }
      details = normalized(details);
    }

    /**
     * @param score a benchmark's score
     * @return its scores as a summary holds them
     */
    public static SuiteResult of(BenchmarkScore score) {
      return new SuiteResult(score.overall(), score.breakdown(), JSON.valueToTree(score.details()));
    }

    /**
     * @param name a detail's name, e.g. {@code vanilla}
     * @return the detail if it is a number
     */
    public Optional<Double> number(String name) {
      JsonNode value = details.get(name);
      return value != null && value.isNumber() ? Optional.of(value.asDouble()) : Optional.empty();
    }
  }

  /**
   * A task's interaction curve.
   *
   * @param mean per layer, the mean interaction mass
   * @param std per layer, its standard deviation over the samples
   * @param samples how many samples it was measured on
   */
  public record Curve(List<Double> mean, List<Double> std, int samples) {
    // Lists are copied; their shapes are checked where a curve is made (InteractionProfile).
    public Curve {
      mean = List.copyOf(mean);
      std = List.copyOf(std);
    }

    /**
     * @param profile a measured profile
     * @return its curve
     */
    public static Curve of(InteractionProfile profile) {
      return new Curve(profile.mean(), profile.std(), profile.samples());
    }
  }

  /**
   * The software that produced a run.
   *
   * @param aia4j the aia4j version, {@code development} outside a released jar
   * @param java the Java runtime's version
   */
  public record Versions(String aia4j, String java) {
    /** @return the versions running now */
    public static Versions current() {
      String version = EvalSummary.class.getPackage().getImplementationVersion();
      return new Versions(version == null ? "development" : version, System.getProperty("java.version"));
    }
  }

  // Checks what every reader relies on and makes immutable, order-keeping copies.
  public EvalSummary {
    if (!FORMAT.equals(format)) {
      throw new IllegalArgumentException("format must be " + FORMAT + ", got " + format);
    }
    if (version != VERSION) {
      throw new IllegalArgumentException("version must be " + VERSION + ", got " + version);
    }
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(versions, "versions");
    suites = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(suites, "suites")));
    Map<String, JsonNode> written = new LinkedHashMap<>();
    Objects.requireNonNull(handOffs, "handOffs").forEach((name, details) -> written.put(name, normalized(details)));
    handOffs = Collections.unmodifiableMap(written);
    interaction = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(interaction, "interaction")));
    seconds = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(seconds, "seconds")));
  }

  /**
   * @param name a benchmark's name
   * @return its scores, if the run had it
   */
  public Optional<SuiteResult> suite(String name) {
    return Optional.ofNullable(suites.get(name));
  }

  /**
   * @param task a task
   * @return its interaction curve, if it was measured
   */
  public Optional<Curve> curve(Task task) {
    return Optional.ofNullable(interaction.get(task.shortName()));
  }

  /**
   * @return the summary as JSON, exactly as {@link #write} writes it and as a reader of the file
   *     parses it (numbers as their text reads back, so the two trees compare equal)
   */
  public ObjectNode toJson() {
    return (ObjectNode) normalized(JSON.valueToTree(this));
  }

  /**
   * Writes {@code dir/summary.json} atomically (a reader never sees half a summary).
   *
   * @param dir the run directory, created if missing
   * @return the file written
   * @throws IOException if it cannot be written
   */
  public Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(FILE_NAME);
    AtomicFiles.writeString(file, JSON.writeValueAsString(this) + "\n");
    return file;
  }

  /**
   * Reads a summary written by {@link #write}.
   *
   * @param file a {@code summary.json}
   * @return the summary
   * @throws IOException naming the file if it is missing, not JSON, not an evaluation summary,
   *     of another version, or incomplete
   */
  public static EvalSummary read(Path file) throws IOException {
    JsonNode node = JsonLines.readObject(file, "an aia eval summary");
    if (!FORMAT.equals(node.path("format").asText(null))) {
      throw new IOException(file + ": not an aia eval summary (format " + node.get("format") + ", expected \""
          + FORMAT + "\"); make one with aia eval");
    }
    if (node.path("version").asInt(-1) != VERSION) {
      throw new IOException(file + ": summary version " + node.get("version") + " is not supported (this aia4j reads "
          + VERSION + ")");
    }
    // Summaries written before the suite and curve options existed ran with both at their defaults.
    if (node.path("settings").isObject()) {
      ObjectNode settings = (ObjectNode) node.get("settings");
      if (!settings.has("suites")) {
        settings.set("suites", JSON.valueToTree(SuiteOptions.DEFAULTS));
      }
      if (!settings.has("curves")) {
        settings.set("curves", JSON.valueToTree(CurveOptions.DEFAULTS));
      }
    }
    try {
      return JSON.treeToValue(node, EvalSummary.class);
    } catch (JsonMappingException e) {
      throw new IOException(file + ": not a valid aia eval summary: at " + field(e) + ": " + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      throw new IOException(file + ": not a valid aia eval summary: " + e.getOriginalMessage(), e);
    }
  }

  /** Where in the file a mapping failed, e.g. {@code suites.geneval.overall}. */
  private static String field(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    return path.length() == 0 ? "the top level" : path.toString();
  }

  /**
   * @param details a benchmark's details map
   * @return it as JSON, as a summary holds it
   */
  public static JsonNode json(Map<String, Object> details) {
    return normalized(JSON.valueToTree(details));
  }

  /** The JSON as it reads back from text, so that written and read summaries compare equal (ints stay ints). */
  private static JsonNode normalized(JsonNode node) {
    try {
      return JSON.readTree(JSON.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not serialisable as JSON: " + e.getOriginalMessage(), e);
    }
  }
}

package org.aia4j.loss;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;

/**
 * Stage-level AIA targets for both tasks (DESIGN section 3): per task a weight {@code lambda}
 * and contiguous stages of layers, each with a Huber threshold and a target mass. Expressed by
 * relative depth (one schedule fits any depth) or by absolute layer (one depth only); {@link
 * #resolve} turns it into per-layer arrays. Immutable and validated on construction.
 *
 * <p>JSON form ({@link #toJson()}, {@link #fromJson(JsonNode)}):
 *
 * <pre>{@code
 * {"mode": "relative",
 *  "generation":    {"lambda": 5,  "stages": [{"from": 0.0, "to": 0.3125, "delta": 0.2, "target": 0.4}, ...]},
 *  "understanding": {"lambda": 10, "stages": [...]}}
 * {"mode": "absolute", "layers": 4, "generation": {"lambda": 5, "stages": [{"from": 0, "to": 2, ...}, ...]}, ...}
 * }</pre>
 *
 * <p>Relative depth: layer {@code l} of {@code L} occupies {@code [l/L, (l+1)/L)} and belongs to
 * the stage containing its midpoint {@code (l + 0.5)/L}; at 32 layers the paper's stages map
 * exactly onto its layer numbers.
 *
 * <p>Weights: the paper's text says {@code lambda = 40}; its released code uses 5 for generation
 * and 10 for understanding. The defaults here follow the code ({@link #LAMBDA_GENERATION}, {@link
 * #LAMBDA_UNDERSTANDING}); {@link #LAMBDA_PAPER_TEXT} is there for the other reading.
 *
 * @param mode how stage bounds are read
 * @param layers the depth an absolute schedule is for; null for a relative one
 * @param generation the generation task's weight and stages
 * @param understanding the understanding task's weight and stages
 */
public record StageSchedule(
    Mode mode, Integer layers, TaskSchedule generation, TaskSchedule understanding) {

  /** Generation weight of the paper's released code. */
  public static final double LAMBDA_GENERATION = 5.0;
  /** Understanding weight of the paper's released code. */
  public static final double LAMBDA_UNDERSTANDING = 10.0;
  /** The single weight the paper's text states. */
  public static final double LAMBDA_PAPER_TEXT = 40.0;
  /** Smallest Huber threshold {@link #fromExpertCurves} gives a stage (the paper's smallest). */
  public static final double DEFAULT_DELTA_FLOOR = 0.05;

  private static final double EPS = 1e-9;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How stage bounds are read. */
  public enum Mode {
    /** Bounds are fractions of the depth in [0, 1]. */
    RELATIVE,
    /** Bounds are layer numbers in [0, layers]. */
    ABSOLUTE;

    /** @return the JSON spelling */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Mode parse(String text) {
      for (Mode mode : values()) {
        if (mode.jsonName().equals(text)) {
          return mode;
        }
      }
      throw new IllegalArgumentException(
          "Unknown schedule mode '" + text + "': expected \"relative\" or \"absolute\"");
    }
  }

  public StageSchedule {
    Objects.requireNonNull(mode, "mode must not be null");
    Objects.requireNonNull(generation, "generation schedule must not be null");
    Objects.requireNonNull(understanding, "understanding schedule must not be null");
    if (mode == Mode.ABSOLUTE) {
      if (layers == null) {
        throw new IllegalArgumentException("An absolute schedule needs \"layers\": the depth it is for");
      }
      if (layers <= 0) {
        throw new IllegalArgumentException("layers must be > 0, got " + layers);
      }
    } else if (layers != null) {
      throw new IllegalArgumentException(
          "A relative schedule fits any depth and takes no \"layers\" (got " + layers
              + "); use \"mode\": \"absolute\" for a schedule of one depth");
    }
    check(Task.GENERATION, generation, mode, layers);
    check(Task.UNDERSTANDING, understanding, mode, layers);
  }

  /**
   * The paper's schedule (DESIGN section 3) by relative depth, stages at layers 0-9, 10-19,
   * 20-24, 25-30 and 31 of 32, with the released code's weights (5 generation, 10 understanding).
   *
   * @return the default schedule
   */
  public static StageSchedule paperDefault() {
    double[] bounds = {0, 10 / 32.0, 20 / 32.0, 25 / 32.0, 31 / 32.0, 1};
    double[][] gen = {{0.2, 0.4}, {0.1, 0.4}, {0.1, 0.4}, {0.05, 0.2}, {0.05, 0.2}};
    double[][] und = {{0.05, 0.1}, {0.05, 0.15}, {0.05, 0.3}, {0.05, 0.3}, {0.05, 0.2}};
    return new StageSchedule(
        Mode.RELATIVE,
        null,
        new TaskSchedule(LAMBDA_GENERATION, stages(bounds, gen)),
        new TaskSchedule(LAMBDA_UNDERSTANDING, stages(bounds, und)));
  }

  private static List<Stage> stages(double[] bounds, double[][] deltaTarget) {
    List<Stage> stages = new ArrayList<>();
    for (int i = 0; i < deltaTarget.length; i++) {
      stages.add(new Stage(bounds[i], bounds[i + 1], deltaTarget[i][0], deltaTarget[i][1]));
    }
    return stages;
  }

  /**
   * @param task a task
   * @return that task's part of the schedule
   */
  public TaskSchedule of(Task task) {
    return task == Task.GENERATION ? generation : understanding;
  }

  /**
   * @param task a task
   * @param lambda the new weight, finite and {@code >= 0}
   * @return this schedule with the task's weight replaced
   */
  public StageSchedule withLambda(Task task, double lambda) {
    TaskSchedule replaced = new TaskSchedule(lambda, of(task).stages());
    return task == Task.GENERATION
        ? new StageSchedule(mode, layers, replaced, understanding)
        : new StageSchedule(mode, layers, generation, replaced);
  }

  /**
   * Per-layer thresholds and targets of one task at one depth.
   *
   * @param task the task
   * @param depth the model's number of layers
   * @return one delta and one target per layer
   * @throws IllegalArgumentException for an absolute schedule of another depth, or a depth
   *     {@code <= 0}
   */
  public LayerTargets resolve(Task task, int depth) {
    if (depth <= 0) {
      throw new IllegalArgumentException("depth must be > 0 layers, got " + depth);
    }
    if (mode == Mode.ABSOLUTE && layers != depth) {
      throw new IllegalArgumentException(
          "schedule is for " + layers + " layers, model has " + depth
              + "; use a relative schedule to fit any depth");
    }
    TaskSchedule schedule = of(task);
    double[] delta = new double[depth];
    double[] target = new double[depth];
    for (int l = 0; l < depth; l++) {
      double position = mode == Mode.ABSOLUTE ? l : (l + 0.5) / depth;
      Stage stage = stageAt(schedule.stages(), position);
      delta[l] = stage.delta();
      target[l] = stage.target();
    }
    return new LayerTargets(task, schedule.lambda(), delta, target);
  }

  private static Stage stageAt(List<Stage> stages, double position) {
    for (Stage stage : stages) {
      if (position >= stage.from() - EPS && position < stage.to() - EPS) {
        return stage;
      }
    }
    return stages.get(stages.size() - 1); // unreachable for a validated schedule
  }

  /**
   * Turns expert models' interaction curves into a schedule of {@code stages} equal blocks by
   * relative depth (block {@code k} is {@code [k/K, (k+1)/K)}, a layer belongs to the block of
   * its midpoint, as in {@link #resolve}). A stage's target is the mean of its layers' {@code
   * I_l}; its Huber threshold is the largest deviation of one of those layers from that mean
   * (how far the expert itself strays within the stage), at least {@code deltaFloor}. Weights
   * are the released code's defaults.
   *
   * @param understanding per layer, the understanding expert's mean {@code I_l}, each in [0, 1]
   * @param generation per layer, the generation expert's mean {@code I_l}, each in [0, 1]
   * @param stages {@code K}, at least 1 and at most the shallower curve's depth
   * @param deltaFloor the smallest threshold, {@code > 0}
   * @return a relative schedule
   */
  public static StageSchedule fromExpertCurves(
      double[] understanding, double[] generation, int stages, double deltaFloor) {
    if (!(deltaFloor > 0) || Double.isInfinite(deltaFloor)) {
      throw new IllegalArgumentException("deltaFloor must be finite and > 0, got " + deltaFloor);
    }
    return new StageSchedule(
        Mode.RELATIVE,
        null,
        new TaskSchedule(LAMBDA_GENERATION, blocks("generation", generation, stages, deltaFloor)),
        new TaskSchedule(
            LAMBDA_UNDERSTANDING, blocks("understanding", understanding, stages, deltaFloor)));
  }

  /**
   * {@link #fromExpertCurves(double[], double[], int, double)} with {@link #DEFAULT_DELTA_FLOOR}.
   *
   * @param understanding the understanding expert's per-layer mean {@code I_l}
   * @param generation the generation expert's per-layer mean {@code I_l}
   * @param stages {@code K}
   * @return a relative schedule
   */
  public static StageSchedule fromExpertCurves(
      double[] understanding, double[] generation, int stages) {
    return fromExpertCurves(understanding, generation, stages, DEFAULT_DELTA_FLOOR);
  }

  /**
   * {@link #fromExpertCurves(double[], double[], int)} from measured profiles ({@code aia
   * profile}'s output).
   *
   * @param understanding an understanding profile
   * @param generation a generation profile
   * @param stages {@code K}
   * @return a relative schedule
   */
  public static StageSchedule fromExpertProfiles(
      InteractionProfile understanding, InteractionProfile generation, int stages) {
    if (understanding.task() != Task.UNDERSTANDING || generation.task() != Task.GENERATION) {
      throw new IllegalArgumentException(
          "expected an understanding and a generation profile, got " + understanding.task()
              + " and " + generation.task());
    }
    return fromExpertCurves(
        understanding.mean().stream().mapToDouble(Double::doubleValue).toArray(),
        generation.mean().stream().mapToDouble(Double::doubleValue).toArray(),
        stages);
  }

  private static List<Stage> blocks(String what, double[] curve, int k, double floor) {
    Objects.requireNonNull(curve, what + " curve must not be null");
    int depth = curve.length;
    if (k <= 0) {
      throw new IllegalArgumentException("stages must be >= 1, got " + k);
    }
    if (k > depth) {
      throw new IllegalArgumentException(
          "cannot split the " + what + " curve's " + depth + " layers into " + k + " stages");
    }
    for (int l = 0; l < depth; l++) {
      if (!(curve[l] >= 0 && curve[l] <= 1)) {
        throw new IllegalArgumentException(
            what + " curve[" + l + "] must be an interaction mass in [0, 1], got " + curve[l]);
      }
    }
    List<Stage> stages = new ArrayList<>();
    for (int s = 0; s < k; s++) {
      double sum = 0;
      int n = 0;
      for (int l = 0; l < depth; l++) {
        if (block(l, depth, k) == s) {
          sum += curve[l];
          n++;
        }
      }
      if (n == 0) {
        throw new IllegalArgumentException(
            "stage " + s + " of " + k + " holds none of the " + what + " curve's " + depth
                + " layers; use fewer stages");
      }
      double mean = sum / n;
      double spread = 0;
      for (int l = 0; l < depth; l++) {
        if (block(l, depth, k) == s) {
          spread = Math.max(spread, Math.abs(curve[l] - mean));
        }
      }
      double from = (double) s / k;
      double to = s == k - 1 ? 1.0 : (double) (s + 1) / k;
      stages.add(new Stage(from, to, Math.max(floor, spread), mean));
    }
    return stages;
  }

  /** The block of K equal blocks holding layer l's midpoint. */
  private static int block(int layer, int depth, int k) {
    return (int) Math.min(k - 1, Math.floor((layer + 0.5) / depth * k + EPS));
  }

  // ----- validation -------------------------------------------------------------------------

  private static void check(Task task, TaskSchedule schedule, Mode mode, Integer layers) {
    String name = task.name().toLowerCase(Locale.ROOT);
    double lambda = schedule.lambda();
    if (!(lambda >= 0) || Double.isInfinite(lambda)) {
      throw new IllegalArgumentException(name + ".lambda must be finite and >= 0, got " + fmt(lambda));
    }
    List<Stage> stages = schedule.stages();
    if (stages.isEmpty()) {
      throw new IllegalArgumentException(name + ".stages must hold at least one stage");
    }
    double end = mode == Mode.ABSOLUTE ? layers : 1.0;
    String unit = mode == Mode.ABSOLUTE ? "layer " : "depth ";
    for (int i = 0; i < stages.size(); i++) {
      Stage stage = stages.get(i);
      String at = name + ".stages[" + i + "]";
      if (!Double.isFinite(stage.from()) || !Double.isFinite(stage.to())) {
        throw new IllegalArgumentException(at + ": from and to must be finite numbers");
      }
      if (mode == Mode.ABSOLUTE
          && (stage.from() != Math.rint(stage.from()) || stage.to() != Math.rint(stage.to()))) {
        throw new IllegalArgumentException(
            at + ": an absolute schedule's from and to are whole layer numbers, got "
                + fmt(stage.from()) + " and " + fmt(stage.to()));
      }
      if (!(stage.to() > stage.from())) {
        throw new IllegalArgumentException(
            at + " is empty: from " + fmt(stage.from()) + " must be below to " + fmt(stage.to()));
      }
      if (!(stage.delta() > 0) || Double.isInfinite(stage.delta())) {
        throw new IllegalArgumentException(
            at + ": delta must be finite and > 0, got " + fmt(stage.delta()));
      }
      if (!(stage.target() >= 0 && stage.target() <= 1)) {
        throw new IllegalArgumentException(
            at + ": target must be an interaction mass in [0, 1], got " + fmt(stage.target()));
      }
      if (i == 0 && Math.abs(stage.from()) > EPS) {
        throw new IllegalArgumentException(
            name + ".stages leave a gap: the first stage starts at " + unit + fmt(stage.from())
                + ", not 0");
      }
      if (i > 0) {
        double previousEnd = stages.get(i - 1).to();
        if (stage.from() > previousEnd + EPS) {
          throw new IllegalArgumentException(
              name + ".stages leave a gap: stages[" + (i - 1) + "] ends at " + unit + fmt(previousEnd)
                  + " but stages[" + i + "] starts at " + fmt(stage.from()));
        }
        if (stage.from() < previousEnd - EPS) {
          throw new IllegalArgumentException(
              name + ".stages overlap: stages[" + i + "] starts at " + unit + fmt(stage.from())
                  + " before stages[" + (i - 1) + "] ends at " + previousEnd);
        }
      }
    }
    double last = stages.get(stages.size() - 1).to();
    if (last < end - EPS) {
      throw new IllegalArgumentException(
          name + ".stages leave a gap: the last stage ends at " + unit + fmt(last) + ", not " + fmt(end));
    }
    if (last > end + EPS) {
      throw new IllegalArgumentException(
          name + ".stages run past the end: the last stage ends at " + unit + fmt(last)
              + ", beyond " + fmt(end));
    }
  }

  /** A number as users wrote it: whole numbers without a trailing ".0". */
  private static String fmt(double x) {
    return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
  }

  // ----- JSON -------------------------------------------------------------------------------

  /**
   * @return this schedule as JSON, the form {@link #fromJson(JsonNode)} reads
   */
  public ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("mode", mode.jsonName());
    if (layers != null) {
      root.put("layers", layers);
    }
    root.set("generation", taskJson(generation));
    root.set("understanding", taskJson(understanding));
    return root;
  }

  /** @return {@link #toJson()} as indented text */
  public String toJsonString() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private ObjectNode taskJson(TaskSchedule schedule) {
    ObjectNode node = JSON.createObjectNode();
    node.put("lambda", schedule.lambda());
    ArrayNode stages = node.putArray("stages");
    for (Stage stage : schedule.stages()) {
      ObjectNode s = stages.addObject();
      if (mode == Mode.ABSOLUTE) {
        s.put("from", (int) stage.from());
        s.put("to", (int) stage.to());
      } else {
        s.put("from", stage.from());
        s.put("to", stage.to());
      }
      s.put("delta", stage.delta());
      s.put("target", stage.target());
    }
    return node;
  }

  /**
   * @param json a schedule as text
   * @return the schedule
   * @throws IllegalArgumentException for malformed JSON or an invalid schedule
   */
  public static StageSchedule fromJson(String json) {
    try {
      return fromJson(JSON.readTree(json));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("schedule is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Reads a schedule. {@code mode} is required; {@code layers} only (and always) for absolute
   * schedules; a task's {@code lambda} defaults to the released code's weight. Unknown fields
   * are errors.
   *
   * @param json a schedule object
   * @return the schedule
   * @throws IllegalArgumentException naming the first problem found
   */
  public static StageSchedule fromJson(JsonNode json) {
    requireObject("schedule", json);
    rejectUnknown("schedule", json, Set.of("mode", "layers", "generation", "understanding"));
    JsonNode modeNode = json.get("mode");
    if (modeNode == null || !modeNode.isTextual()) {
      throw new IllegalArgumentException(
          "schedule needs \"mode\": \"relative\" or \"absolute\"");
    }
    Mode mode = Mode.parse(modeNode.asText());
    Integer layers = null;
    JsonNode layersNode = json.get("layers");
    if (layersNode != null && !layersNode.isNull()) {
      if (!layersNode.canConvertToInt() || !layersNode.isIntegralNumber()) {
        throw new IllegalArgumentException("layers must be a whole number, got " + layersNode);
      }
      layers = layersNode.intValue();
    }
    return new StageSchedule(
        mode,
        layers,
        taskFromJson("generation", json.get("generation"), LAMBDA_GENERATION),
        taskFromJson("understanding", json.get("understanding"), LAMBDA_UNDERSTANDING));
  }

  private static TaskSchedule taskFromJson(String name, JsonNode node, double defaultLambda) {
    if (node == null) {
      throw new IllegalArgumentException("schedule needs \"" + name + "\": {lambda, stages}");
    }
    requireObject(name, node);
    rejectUnknown(name, node, Set.of("lambda", "stages"));
    double lambda = node.has("lambda") ? number(name + ".lambda", node.get("lambda")) : defaultLambda;
    JsonNode stagesNode = node.get("stages");
    if (stagesNode == null || !stagesNode.isArray()) {
      throw new IllegalArgumentException(name + ".stages must be an array of stages");
    }
    List<Stage> stages = new ArrayList<>();
    for (int i = 0; i < stagesNode.size(); i++) {
      String at = name + ".stages[" + i + "]";
      JsonNode s = stagesNode.get(i);
      requireObject(at, s);
      rejectUnknown(at, s, Set.of("from", "to", "delta", "target"));
      stages.add(
          new Stage(
              number(at + ".from", s.get("from")),
              number(at + ".to", s.get("to")),
              number(at + ".delta", s.get("delta")),
              number(at + ".target", s.get("target"))));
    }
    return new TaskSchedule(lambda, stages);
  }

  private static double number(String what, JsonNode node) {
    if (node == null || !node.isNumber()) {
      throw new IllegalArgumentException(what + " must be a number, got " + node);
    }
    return node.doubleValue();
  }

  private static void requireObject(String what, JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object, got " + node);
    }
  }

  static void rejectUnknown(String what, JsonNode node, Set<String> known) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String field = names.next();
      if (!known.contains(field)) {
        throw new IllegalArgumentException(
            "Unknown field '" + field + "' in " + what + ". Known fields: "
                + String.join(", ", known.stream().sorted().toList()));
      }
    }
  }
}

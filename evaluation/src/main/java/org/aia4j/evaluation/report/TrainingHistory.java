package org.aia4j.evaluation.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.aia4j.api.model.Task;

/**
 * A checkpoint's {@code metrics.jsonl} (one {@code StepRecord} a line) as per-task series: the
 * next-token loss, the unweighted AIA loss, and the last step's interaction curve.
 *
 * @param tokenLoss per task, next-token loss against step
 * @param aiaLoss per task, unweighted AIA loss against step
 * @param lastInteraction per task, the last logged per-layer {@code I_l}
 * @param recomputedSteps steps whose gradients the trainer's guard computed again (non-finite, or
 *     far outside the run's recent norms); 0 for a healthy run
 * @param skippedUpdates steps whose update was skipped because the gradients stayed non-finite
 */
public record TrainingHistory(Map<Task, Series> tokenLoss, Map<Task, Series> aiaLoss,
    Map<Task, double[]> lastInteraction, int recomputedSteps, int skippedUpdates) {

  /** Lenient about NaN and Infinity: a diverged run's losses are worth plotting, not rejecting. */
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build();

  public TrainingHistory {
    tokenLoss = Collections.unmodifiableMap(new EnumMap<>(copy(tokenLoss)));
    aiaLoss = Collections.unmodifiableMap(new EnumMap<>(copy(aiaLoss)));
    lastInteraction = Collections.unmodifiableMap(new EnumMap<>(copy(lastInteraction)));
  }

  private static <V> Map<Task, V> copy(Map<Task, V> map) {
    Map<Task, V> copy = new EnumMap<>(Task.class);
    copy.putAll(map);
    return copy;
  }

  /** @return whether no step logged anything */
  public boolean isEmpty() {
    return tokenLoss.isEmpty() && aiaLoss.isEmpty();
  }

  /**
   * One value against step.
   *
   * @param steps the x values, increasing
   * @param values the y values, one per step
   */
  public record Series(double[] steps, double[] values) {

    public Series {
      steps = steps.clone();
      values = values.clone();
      if (steps.length != values.length) {
        throw new IllegalArgumentException(steps.length + " steps but " + values.length + " values");
      }
    }

    /** @return the number of points */
    public int size() {
      return steps.length;
    }

    @Override
    public double[] steps() {
      return steps.clone();
    }

    @Override
    public double[] values() {
      return values.clone();
    }

    /**
     * A centred moving average: point {@code i} is the mean of the finite values among the
     * {@code window} points around it ({@code window / 2} on each side, fewer at the ends), so
     * the smoothed curve does not lag behind the raw one.
     *
     * @param window points averaged, at least 1
     * @return the smoothed series, same steps
     */
    public Series smoothed(int window) {
      if (window < 1) {
        throw new IllegalArgumentException("window must be >= 1, got " + window);
      }
      int before = (window - 1) / 2;
      int after = window - 1 - before;
      double[] out = new double[values.length];
      for (int i = 0; i < values.length; i++) {
        out[i] = meanOfFinite(values, Math.max(0, i - before), Math.min(values.length, i + after + 1));
      }
      return new Series(steps, out);
    }

    /**
     * @param points how many of the last points to average
     * @return the mean of the last {@code points} finite values, NaN if there are none
     */
    public double tailMean(int points) {
      return meanOfFinite(values, Math.max(0, values.length - points), values.length);
    }

    private static double meanOfFinite(double[] values, int from, int to) {
      double sum = 0;
      int n = 0;
      for (int j = from; j < to; j++) {
        if (Double.isFinite(values[j])) {
          sum += values[j];
          n++;
        }
      }
      return n == 0 ? Double.NaN : sum / n;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Series other && Arrays.equals(steps, other.steps) && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(steps) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "Series[" + steps.length + " points]";
    }
  }

  /**
   * Reads {@code metrics.jsonl}. Tasks a step did not train are simply absent from it.
   *
   * @throws IOException naming the file and line of a malformed line
   */
  public static TrainingHistory read(Path metrics) throws IOException {
    if (!Files.isRegularFile(metrics)) {
      throw new NoSuchFileException(metrics.toString(), null, "training metrics file is missing");
    }
    Map<Task, List<double[]>> token = new EnumMap<>(Task.class);
    Map<Task, List<double[]>> aia = new EnumMap<>(Task.class);
    Map<Task, double[]> interaction = new EnumMap<>(Task.class);
    int recomputed = 0;
    int skipped = 0;
    try (BufferedReader reader = Files.newBufferedReader(metrics, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        String at = metrics + " line " + number;
        JsonNode row;
        try {
          row = JSON.readTree(line);
        } catch (JsonProcessingException e) {
          throw new IOException(at + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (row == null || !row.isObject() || !row.path("step").isNumber()) {
          throw new IOException(at + ": expected a step record with a numeric \"step\"");
        }
        double step = row.get("step").asDouble();
        if (row.path("recomputed").asInt(0) > 0) {
          recomputed++;
        }
        // The trainer writes a skipped update's norm as NaN (a number, or Jackson's "NaN" string).
        JsonNode norm = row.path("grad_norm");
        if (!norm.isMissingNode() && !Double.isFinite(norm.asDouble(0))) {
          skipped++;
        }
        collect(row.path("ntp"), step, token, at);
        collect(row.path("aia"), step, aia, at);
        row.path("interaction").fields().forEachRemaining(entry -> {
          double[] layers = new double[entry.getValue().size()];
          for (int l = 0; l < layers.length; l++) {
            layers[l] = entry.getValue().get(l).asDouble();
          }
          interaction.put(Task.parse(entry.getKey()), layers);
        });
      }
    } catch (IllegalArgumentException e) { // Task.parse on an unknown task key
      throw new IOException(metrics + ": " + e.getMessage(), e);
    }
    return new TrainingHistory(series(token), series(aia), interaction, recomputed, skipped);
  }

  private static void collect(JsonNode perTask, double step, Map<Task, List<double[]>> into, String at)
      throws IOException {
    if (perTask.isMissingNode() || perTask.isNull()) {
      return;
    }
    if (!perTask.isObject()) {
      throw new IOException(at + ": expected {\"und\": x, \"gen\": y}, got " + perTask);
    }
    var fields = perTask.fields();
    while (fields.hasNext()) {
      var entry = fields.next();
      if (entry.getValue().isNumber()) {
        into.computeIfAbsent(Task.parse(entry.getKey()), t -> new ArrayList<>())
            .add(new double[] {step, entry.getValue().asDouble()});
      }
    }
  }

  private static Map<Task, Series> series(Map<Task, List<double[]>> points) {
    Map<Task, Series> out = new EnumMap<>(Task.class);
    points.forEach((task, list) -> {
      double[] x = new double[list.size()];
      double[] y = new double[list.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = list.get(i)[0];
        y[i] = list.get(i)[1];
      }
      out.put(task, new Series(x, y));
    });
    return out;
  }
}

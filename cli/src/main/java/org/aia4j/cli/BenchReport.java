package org.aia4j.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.aia4j.api.io.AtomicFiles;

/**
 * A benchmark's markdown report, rendered from its JSON result through a Mustache template
 * ({@code org/aia4j/cli/bench/KIND.md.mustache}), so the report's wording lives in the template
 * and a committed report can be re-rendered from its committed JSON ({@code aia bench render}).
 *
 * <p>The result names its kind in {@code "benchmark"} ({@code train-step}, {@code decode} or
 * {@code serve}). Here the figures are only formatted (digits, plurals, joins); the template says
 * what they mean. Commentary written by hand after a run lives beside the report in {@code
 * NAME.notes.md} and is appended as it is.
 */
final class BenchReport {
  /** The kinds of report and how each turns its JSON into the template's values. */
  private static final Map<String, Function<JsonNode, Map<String, Object>>> VIEWS = Map.of(
      "train-step", BenchReport::trainStep, "decode", BenchReport::decode, "serve", BenchReport::serve,
      "real-models", BenchReport::realModels);

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Markdown, not HTML: values go out as they are, not entity-escaped. */
  private static final MustacheFactory TEMPLATES = new DefaultMustacheFactory("org/aia4j/cli/bench") {
    @Override
    public void encode(String value, Writer writer) {
      try {
        writer.write(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private BenchReport() {}

  /**
   * Writes {@code result} as {@code dir/NAME.json} and the report rendered from it as {@code
   * dir/NAME.md}.
   *
   * @return the report
   */
  static String write(Path dir, String name, JsonNode result) throws IOException {
    Files.createDirectories(dir);
    AtomicFiles.writeString(dir.resolve(name + ".json"), JSON.writeValueAsString(result) + "\n");
    return renderBeside(dir.resolve(name + ".json"));
  }

  /**
   * Renders the report of the result in {@code json} to the {@code .md} file beside it, with the
   * {@code .notes.md} file beside it appended if there is one.
   *
   * @return the report
   * @throws IOException naming the file if it is missing, not JSON or not a benchmark result
   */
  static String renderBeside(Path json) throws IOException {
    String file = String.valueOf(json.getFileName());
    if (!file.endsWith(".json")) {
      throw new IOException(json + ": expected a benchmark result NAME.json");
    }
    if (!Files.isRegularFile(json)) {
      throw new NoSuchFileException(json.toString(), null, "benchmark result is missing");
    }
    JsonNode result;
    try {
      result = JSON.readTree(json.toFile());
    } catch (JacksonException e) {
      throw new IOException(json + ": not a JSON benchmark result (" + e.getOriginalMessage() + ")", e);
    }
    String name = file.substring(0, file.length() - ".json".length());
    Path notes = json.resolveSibling(name + ".notes.md");
    String report;
    try {
      report = render(result, name, Files.isRegularFile(notes) ? Files.readString(notes, StandardCharsets.UTF_8) : "");
    } catch (IllegalArgumentException e) {
      throw new IOException(json + ": " + e.getMessage(), e);
    }
    AtomicFiles.writeString(json.resolveSibling(name + ".md"), report);
    return report;
  }

  /**
   * The report of {@code result}, whose raw figures are in {@code NAME.json}.
   *
   * @param notes hand-written commentary to append, or ""
   * @throws IllegalArgumentException for a result whose {@code "benchmark"} names no known kind
   */
  static String render(JsonNode result, String name, String notes) {
    String kind = result.path("benchmark").asText();
    Function<JsonNode, Map<String, Object>> view = VIEWS.get(kind);
    if (view == null) {
      throw new IllegalArgumentException("\"benchmark\" is '" + kind + "', expected one of " + new TreeMap<>(VIEWS).keySet());
    }
    Map<String, Object> values = new LinkedHashMap<>(view.apply(result));
    values.put("name", name);
    values.put("hasNotes", !notes.isBlank());
    values.put("notes", notes.strip());
    Mustache template = TEMPLATES.compile(kind + ".md.mustache");
    StringWriter out = new StringWriter();
    template.execute(out, values);
    return out.toString();
  }

  private static Map<String, Object> trainStep(JsonNode r) {
    JsonNode java = r.path("aia4j");
    JsonNode peer = r.path("pytorch");
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("date", r.path("date").asText());
    v.put("cores", r.path("cores").asInt());
    v.put("preset", r.path("preset").asText());
    v.put("parameters", r.path("parameters").asLong());
    v.put("batchSequences", r.path("batch_sequences").asInt());
    v.put("batchTokens", r.path("batch_tokens").asLong());
    v.put("steps", r.path("steps").asInt());
    v.put("warmup", r.path("warmup").asInt());
    v.put("comparisons", r.path("comparisons").asInt());
    v.put("loadBefore", r.path("load_before").asText());
    v.put("loadAfter", r.path("load_after").asText());
    v.put("aia4jByThreads", byThreads(java.path("ntp").path("median_ms_by_threads")));
    v.put("ntpMs", spread(java.path("ntp").path("median_ms"), "%.1f", 1));
    v.put("aiaMs", spread(java.path("aia").path("median_ms"), "%.1f", 1));
    v.put("queryRowsMs", spread(java.path("aia_query_rows").path("median_ms"), "%.1f", 1));
    v.put("aiaOverhead", spread(r.path("aia_overhead"), "%+.1f", 100));
    v.put("queryRowsOverhead", spread(r.path("aia_query_rows_overhead"), "%+.1f", 100));
    if (!peer.isMissingNode()) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("byThreads", byThreads(peer.path("ntp").path("median_ms_by_threads")));
      p.put("ntpMs", spread(peer.path("ntp").path("median_ms"), "%.1f", 1));
      p.put("aiaMs", spread(peer.path("aia").path("median_ms"), "%.1f", 1));
      p.put("ntpRatio", spread(r.path("ntp_ratio"), "%.2f", 1));
      p.put("aiaRatio", spread(r.path("aia_ratio"), "%.2f", 1));
      p.put("overhead", spread(peer.path("aia_overhead"), "%+.1f", 100));
      p.put("firstNtp", f("%.6f", java.path("ntp").path("first_loss").asDouble()));
      p.put("peerFirstNtp", f("%.6f", peer.path("ntp").path("first_loss").asDouble()));
      p.put("firstAia", f("%.6f", java.path("aia").path("first_loss").asDouble()));
      p.put("peerFirstAia", f("%.6f", peer.path("aia").path("first_loss").asDouble()));
      p.put("torch", peer.path("torch").asText());
      p.put("blas", peer.path("blas").asText());
      v.put("peer", p);
    }
    return v;
  }

  private static Map<String, Object> decode(JsonNode r) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("date", r.path("date").asText());
    v.put("cores", r.path("cores").asInt());
    v.put("layers", r.path("model").path("layers").asInt());
    v.put("width", r.path("model").path("width").asInt());
    v.put("parameters", r.path("parameters").asLong());
    v.put("imageTokens", r.path("image_tokens").asInt());
    v.put("cfg", Double.toString(r.path("cfg").asDouble()));
    v.put("repeats", r.path("repeats").asInt());
    v.put("comparisons", r.path("comparisons").asInt());
    v.put("blockSeconds", f("%.1f", r.path("block_seconds").asDouble()));
    v.put("warmup", r.path("warmup").asInt());
    v.put("loadBefore", r.path("load_before").asText());
    v.put("loadAfter", r.path("load_after").asText());
    boolean hasPeer = r.has("pytorch");
    List<Map<String, Object>> rows = new ArrayList<>();
    List<Map<String, Object>> checks = new ArrayList<>();
    int largest = 0;
    JsonNode largestRow = null;
    for (Map.Entry<String, JsonNode> entry : r.path("batches").properties()) {
      int batch = Integer.parseInt(entry.getKey());
      JsonNode b = entry.getValue();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("batch", batch);
      row.put("onnx", spread(b.path("onnx_tokens_per_s"), "%.0f", 1));
      row.put("onnxThreads", threads(b.path("onnx_best_threads").asInt()));
      row.put("djl", spread(b.path("djl_tokens_per_s"), "%.0f", 1));
      row.put("onnxOverDjl", spread(b.path("onnx_over_djl"), "%.2f", 1));
      if (hasPeer) {
        row.put("pytorch", spread(b.path("pytorch_tokens_per_s"), "%.0f", 1));
        row.put("pytorchThreads", threads(b.path("pytorch_best_threads").asInt()));
        row.put("onnxOverPytorch", spread(b.path("onnx_over_pytorch"), "%.2f", 1));
        long differing = b.path("pytorch_differing_tokens").asLong();
        checks.add(new LinkedHashMap<>(Map.of("batch", batch, "identical", differing == 0, "differing", differing,
            "compared", b.path("pytorch_compared_tokens").asLong())));
      }
      rows.add(row);
      if (batch > largest) {
        largest = batch;
        largestRow = b;
      }
    }
    v.put("rows", rows);
    v.put("checks", last(checks));
    if (largestRow != null) {
      double achieved = largestRow.path("onnx_gflops").asDouble();
      double gemm = r.path("gemm_gflops_measured").asDouble();
      double nominal = r.path("fp32_peak_gflops_nominal").asDouble();
      v.put("largest", largest);
      v.put("largestRows", 2 * largest);
      v.put("achievedGflops", f("%.1f", achieved));
      v.put("ofGemm", largestRow.has("onnx_of_gemm") ? spread(largestRow.path("onnx_of_gemm"), "%.0f", 100)
          : f("%.0f", 100 * achieved / gemm));
      v.put("gemmGflops", largestRow.has("gemm_gflops") ? spread(largestRow.path("gemm_gflops"), "%.1f", 1)
          : f("%.1f", gemm));
      v.put("gemmEachComparison", largestRow.has("gemm_gflops"));
      v.put("ofNominal", f("%.0f", 100 * achieved / nominal));
      v.put("nominalGflops", f("%.0f", nominal));
    }
    if (hasPeer) {
      v.put("peer", Map.of("torch", r.path("pytorch").path("torch").asText(),
          "blas", r.path("pytorch").path("blas").asText()));
    }
    v.put("onnxruntime", r.path("onnxruntime").asText());
    return v;
  }

  private static Map<String, Object> serve(JsonNode r) {
    Map<String, Object> v = new LinkedHashMap<>();
    StringBuilder flags = new StringBuilder();
    if (r.hasNonNull("batch_size_option")) {
      flags.append(" --batch-size ").append(r.path("batch_size_option").asInt());
    }
    List<String> workloads = new ArrayList<>();
    r.path("runs").forEach(run -> {
      if (!workloads.contains(run.path("workload").asText())) {
        workloads.add(run.path("workload").asText());
      }
    });
    if (!workloads.equals(List.of("chat", "images"))) {
      flags.append(" --workloads ").append(String.join(",", workloads));
    }
    // The options a run set away from their defaults, so the command line shown reproduces it.
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("clients", "32");
    defaults.put("measured_seconds", "24");
    defaults.put("rounds", "3");
    defaults.put("warmup_seconds", "3");
    defaults.put("max_batch_delay_ms", "10");
    defaults.put("chat_max_tokens", "16");
    Map<String, String> options = Map.of("clients", "--clients", "measured_seconds", "--seconds", "rounds",
        "--rounds", "warmup_seconds", "--warmup", "max_batch_delay_ms", "--max-batch-delay-ms", "chat_max_tokens",
        "--max-tokens");
    defaults.forEach((field, value) -> {
      if (r.has(field) && !r.path(field).asText().equals(value)) {
        flags.append(' ').append(options.get(field)).append(' ').append(r.path(field).asText());
      }
    });
    String report = r.path("report").asText("serve");
    if (!report.equals("serve")) {
      flags.append(" --report ").append(report);
    }
    new TreeMap<>(JSON.convertValue(r.path("engine_options"), Map.class))
        .forEach((k, val) -> flags.append(" --engine-option ").append(k).append('=').append(val));
    v.put("checkpoint", r.path("checkpoint").asText());
    if (r.has("load_before")) {
      v.put("load", Map.of("before", r.path("load_before").asText(), "after", r.path("load_after").asText()));
    }
    v.put("flags", flags.toString());
    v.put("date", r.path("date").asText());
    v.put("cores", r.path("cores").asInt());
    v.put("backend", r.path("backend").asText());
    v.put("clients", r.path("clients").asInt());
    v.put("rounds", r.path("rounds").asInt());
    v.put("warmup", r.path("warmup_seconds").asInt());
    v.put("measuredEach", f("%.1f", r.path("measured_seconds").asDouble() / r.path("rounds").asInt()));
    v.put("delayMs", r.path("max_batch_delay_ms").asInt());
    v.put("filledByClients", !r.hasNonNull("batch_size_option"));
    v.put("maxTokens", r.path("chat_max_tokens").asInt());
    v.put("textPromptIds", r.path("text_prompt_ids").asInt());
    v.put("answeredInWindow", r.path("counted").asText().equals("answered in the window"));
    v.put("continuous", r.path("continuous_batching").asBoolean());
    List<Map<String, Object>> rows = new ArrayList<>();
    List<Map<String, Object>> batchRows = new ArrayList<>();
    Map<String, JsonNode[]> byWorkload = new LinkedHashMap<>();
    for (JsonNode run : r.path("runs")) {
      String workload = run.path("workload").asText();
      String mode = run.path("mode").asText();
      long requests = run.path("requests").asLong();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("workload", workload);
      row.put("mode", mode);
      row.put("throughput", f("%.2f", run.path("throughput").asDouble()));
      row.put("p50", f("%.0f", run.path("p50Ms").asDouble()));
      row.put("p99", f("%.0f", run.path("p99Ms").asDouble()));
      row.put("meanBatch", f("%.1f", run.path("meanBatchRequests").asDouble()));
      row.put("modelMs", f("%.2f", run.path("modelMsPerRequest").asDouble()));
      row.put("busy", f("%.0f", 100 * run.path("modelBusy").asDouble()));
      row.put("tokensPerRequest", !workload.equals("images") && requests > 0
          ? f("%.1f", run.path("tokens").asDouble() / requests) : "-");
      row.put("errors", run.path("errors").asLong());
      rows.add(row);
      JsonNode[] modes = byWorkload.computeIfAbsent(workload, w -> new JsonNode[3]);
      modes[mode.equals("on") ? 1 : mode.equals("static") ? 2 : 0] = run;
      if (mode.equals("on")) {
        batchRows.add(new LinkedHashMap<>(Map.of("rows", run.path("batch").path("batchSize").asInt(), "workload", workload)));
      }
    }
    v.put("runs", rows);
    for (String workload : List.of("chat", "text", "images")) {
      v.put(workload + "Workload", byWorkload.containsKey(workload));
    }
    v.put("batchRows", last(batchRows));
    List<Map<String, Object>> speedups = new ArrayList<>();
    byWorkload.forEach((workload, pair) -> {
      JsonNode off = pair[0];
      JsonNode on = pair[1];
      if (off != null && on != null && off.path("throughput").asDouble() > 0) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("workload", workload);
        s.put("speedup", f("%.1f", r.path("speedup").path(workload).asDouble(
            on.path("throughput").asDouble() / off.path("throughput").asDouble())));
        s.putAll(range(r.path("speedup_by_round").path(workload)));
        JsonNode fixed = pair[2];
        if (fixed != null) {
          Map<String, Object> alternative = new LinkedHashMap<>();
          alternative.put("speedup", f("%.1f", r.path("speedup_static").path(workload).asDouble(
              fixed.path("throughput").asDouble() / off.path("throughput").asDouble())));
          alternative.putAll(range(r.path("speedup_static_by_round").path(workload)));
          s.put("static", alternative);
        }
        if (!workload.equals("images") && on.path("tokens").asLong() > 0) {
          s.put("tokens", Map.of("on", f("%.0f", on.path("tokens").asDouble() / on.path("seconds").asDouble()),
              "off", f("%.0f", off.path("tokens").asDouble() / off.path("seconds").asDouble())));
        }
        speedups.add(s);
      }
    });
    v.put("speedups", speedups);
    return v;
  }

  /** {@code {"range": {low, high, rounds}}} of per-round ratios, empty for fewer than two rounds. */
  private static Map<String, Object> range(JsonNode rounds) {
    if (rounds.size() < 2) {
      return Map.of();
    }
    double[] sorted = new double[rounds.size()];
    for (int i = 0; i < sorted.length; i++) {
      sorted[i] = rounds.get(i).asDouble();
    }
    Arrays.sort(sorted);
    return Map.of("range", Map.of("low", f("%.1f", sorted[0]), "high", f("%.1f", sorted[sorted.length - 1]),
        "rounds", sorted.length));
  }

  /** Median and min-max of a list of per-round figures. */
  private static String spread(JsonNode values, String format, double scale) {
    double[] v = new double[values.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = values.get(i).asDouble() * scale;
    }
    double[] sorted = v.clone();
    Arrays.sort(sorted);
    // Signed figures read "(+4.7 to +11.6)"; a dash between them would read as a minus.
    String between = format.contains("+") || sorted[0] < 0 ? " to " : "-";
    return f(format, sorted[sorted.length / 2]) + " (" + f(format, sorted[0]) + between
        + f(format, sorted[sorted.length - 1]) + ")";
  }

  /** The median as {@link #spread} shows it: the middle of the sorted figures (the upper one of two). */
  private static double median(JsonNode values) {
    double[] sorted = new double[values.size()];
    for (int i = 0; i < sorted.length; i++) {
      sorted[i] = values.get(i).asDouble();
    }
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static double[] ratios(JsonNode a, JsonNode b) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asDouble() / b.get(i).asDouble();
    }
    return out;
  }

  private static Map<String, Object> realModels(JsonNode r) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("date", r.path("date").asText());
    v.put("cores", r.path("cores").asInt());
    v.put("parameters", String.format(Locale.ROOT, "%,d", r.path("parameters").asLong()));
    v.put("float32MB", f("%.0f", r.path("float32_bytes").asDouble() / 1e6));
    v.put("filesMB", f("%.0f", r.path("model_files_bytes").asDouble() / 1e6));
    JsonNode imp = r.path("import");
    v.put("rounds", imp.path("seconds").size());
    v.put("importSeconds", spread(imp.path("seconds"), "%.1f", 1));
    v.put("peakMB", spread(imp.path("peak_rss_bytes"), "%.0f", 1e-6));
    v.put("peakRatio", spread(imp.path("peak_rss_bytes"), "%.2f", 1 / r.path("float32_bytes").asDouble()));
    v.put("jvm", imp.path("jvm").asText());
    JsonNode profile = r.path("profile");
    v.put("profileSamples", profile.path("samples").asInt());
    v.put("profileLength", profile.path("length").asInt());
    List<Map<String, Object>> profiles = new ArrayList<>();
    profile.fields().forEachRemaining(e -> {
      if (e.getKey().endsWith("_seconds_per_sample")) {
        profiles.add(Map.of("engine", e.getKey().replace("_seconds_per_sample", ""),
            "seconds", spread(e.getValue(), "%.3f", 1)));
      }
    });
    v.put("profiles", profiles);
    JsonNode decode = r.path("decode");
    v.put("prompt", decode.path("prompt").asInt());
    v.put("tokens", decode.path("tokens").asInt());
    List<Map<String, Object>> rows = new ArrayList<>();
    String peer = "";
    for (var it = decode.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getKey().startsWith("batch_")) {
        continue;
      }
      JsonNode batch = e.getValue();
      JsonNode pytorch = batch.path("pytorch");
      if (batch.has("peer")) {
        peer = "PyTorch " + batch.path("peer").path("torch").asText() + ", BLAS " + batch.path("peer").path("blas").asText();
      }
      for (var engines = batch.fields(); engines.hasNext(); ) {
        var engine = engines.next();
        if (engine.getKey().startsWith("pytorch") || engine.getKey().equals("peer")) {
          continue;
        }
        // An engine at one thread is read against the peer at one thread: the engines per core.
        boolean oneThread = engine.getKey().endsWith("_1_thread");
        JsonNode against = oneThread ? batch.path("pytorch_1_threads") : pytorch;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("batch", e.getKey().substring("batch_".length()));
        row.put("engine", oneThread ? engine.getKey().replace("_1_thread", ", 1 thread") : engine.getKey());
        row.put("rate", spread(engine.getValue(), "%.1f", 1));
        row.put("peer", spread(against, "%.1f", 1));
        row.put("peerThreads", oneThread ? 1 : batch.path("peer").path("threads").asInt());
        row.put("ratio", spread(JSON.valueToTree(ratios(engine.getValue(), against)), "%.2f", 1));
        rows.add(row);
      }
    }
    JsonNode bandwidth = decode.path("memory_read_gb_per_s");
    JsonNode batchOne = decode.path("batch_1");
    if (bandwidth.size() > 0 && batchOne.has("onnx")) {
      // At batch 1 a step reads every weight once: its rate times the float32 bytes is the
      // bandwidth it draws, against what the machine can read.
      double bytes = r.path("float32_bytes").asDouble();
      double all = median(bandwidth);
      double one = median(decode.path("memory_read_gb_per_s_1_thread"));
      double ort = median(batchOne.path("onnx")) * bytes / 1e9;
      double peerRate = median(batchOne.path("pytorch_1_threads")) * bytes / 1e9;
      v.put("ceiling", Map.of("ortGbps", f("%.1f", ort), "ortShare", f("%.0f", 100 * ort / all),
          "bandwidth", spread(bandwidth, "%.1f", 1), "peerGbps", f("%.1f", peerRate),
          "peerShare", f("%.0f", 100 * peerRate / one), "bandwidth1", spread(decode.path("memory_read_gb_per_s_1_thread"),
              "%.1f", 1), "ceilingRatio", f("%.2f", all / peerRate)));
    }
    v.put("decode", rows);
    v.put("peer", peer);
    v.put("loadBefore", r.path("load_before").asText());
    v.put("loadAfter", r.path("load_after").asText());
    return v;
  }

  /** {@code {"1": [..], "2": [..]}} (per comparison) as items for "206.2 (200.1-210.0) ms at 1 thread". */
  private static List<Map<String, Object>> byThreads(JsonNode medians) {
    List<Map<String, Object>> items = new ArrayList<>();
    medians.properties().forEach(e -> {
      Map<String, Object> item = threads(Integer.parseInt(e.getKey()));
      item.put("ms", spread(e.getValue(), "%.1f", 1));
      items.add(item);
    });
    return last(items);
  }

  /** A thread count and whether it is one, for the template's plural. */
  private static Map<String, Object> threads(int count) {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("threads", count);
    item.put("one", count == 1);
    return item;
  }

  /** Marks the last item, after which a template writes no separator. */
  private static List<Map<String, Object>> last(List<Map<String, Object>> items) {
    for (int i = 0; i < items.size(); i++) {
      items.get(i).put("last", i == items.size() - 1);
    }
    return items;
  }

  private static String f(String format, double value) {
    return String.format(Locale.ROOT, format, value);
  }
}

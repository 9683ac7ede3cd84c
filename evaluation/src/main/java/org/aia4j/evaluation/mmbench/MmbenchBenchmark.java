package org.aia4j.evaluation.mmbench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aia4j.api.benchmark.Benchmark;
import org.aia4j.api.benchmark.BenchmarkOptions;
import org.aia4j.api.benchmark.BenchmarkScore;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.evaluation.io.Images;

/**
 * The MMBench-style suite as a {@link Benchmark}: the model answers every circular copy
 * (batched), its raw answers go to {@code predictions.tsv}, and {@link MmbenchScorer} scores
 * them with MMBench's answer extraction and CircularEval.
 */
public final class MmbenchBenchmark implements Benchmark {
  /** Longest answer a model may give; MMBench answers are a letter or a short option text. */
  public static final int MAX_ANSWER_TOKENS = 16;

  private final List<MmbenchQuestion> rows;
  private final String source;

  /**
   * @param rows questions with answers, circular copies included
   * @param source where the rows came from, recorded in the score's details
   */
  public MmbenchBenchmark(List<MmbenchQuestion> rows, String source) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("The MMBench suite is empty: " + source);
    }
    this.rows = List.copyOf(rows);
    this.source = source;
  }

  /**
   * The suite of an MMBench TSV file (official or aia4j's), circular copies included. Everything
   * scoring will need is checked here, before any model runs: the {@code answer} column and every
   * row's answer, the original of every rotated copy, and every image's header (a PNG or JPEG of
   * at most {@link Images#MAX_PIXELS}).
   *
   * @throws IOException naming the file and the row at fault
   */
  public static MmbenchBenchmark fromFile(Path data) throws IOException {
    MmbenchTsv.Contents contents = MmbenchTsv.read(data);
    if (!contents.hasColumn("answer")) {
      throw new IOException(data + ": missing required column 'answer' (scoring needs the right answers; "
          + "MMBench's test split has none: use the dev split)");
    }
    try {
      MmbenchScorer.score(contents.rows(), Map.of()); // refuses rows without an answer or an original
    } catch (IllegalArgumentException e) {
      throw new IOException(data + ": " + e.getMessage(), e);
    }
    Map<String, Long> checked = new java.util.IdentityHashMap<>();
    for (MmbenchQuestion row : contents.rows()) {
      if (!row.answer().isEmpty() && !row.options().containsKey(row.answer())) {
        throw new IOException(data + " row index " + row.index() + ": the answer '" + row.answer()
            + "' is not one of its options " + row.options().keySet());
      }
      if (checked.put(row.image(), row.index()) == null) {
        Images.checkBase64Header(row.image(), data + " row index " + row.index());
      }
    }
    return new MmbenchBenchmark(contents.rows(), data.toString());
  }

  @Override
  public String name() {
    return "mmbench";
  }

  @Override
  public String description() {
    return "MMBench-style multiple choice with CircularEval: " + groups().size() + " questions from " + source;
  }

  @Override
  public int size() {
    return groups().size();
  }

  @Override
  public BenchmarkScore run(UnifiedModel model, BenchmarkOptions options, Path outDir, ProgressListener progress)
      throws IOException {
    List<Long> groups = new ArrayList<>(groups());
    Set<Long> chosen = new LinkedHashSet<>(groups.subList(0, options.effectiveSize(groups.size())));
    List<MmbenchQuestion> asked = rows.stream().filter(r -> chosen.contains(r.group())).toList();
    Map<Long, String> answers = new LinkedHashMap<>();
    for (int start = 0; start < asked.size(); start += options.batchSize()) {
      List<MmbenchQuestion> batch = asked.subList(start, Math.min(asked.size(), start + options.batchSize()));
      List<AnswerRequest> requests = new ArrayList<>();
      for (MmbenchQuestion row : batch) {
        requests.add(new AnswerRequest(row.decodeImage(), row.prompt(), MAX_ANSWER_TOKENS,
            options.sampling().withSeed(options.sampling().seed() + row.index())));
      }
      List<String> replies = model.answer(requests);
      if (replies.size() != batch.size()) {
        throw new IllegalStateException("Model " + model.name() + " returned " + replies.size()
            + " answers for " + batch.size() + " questions");
      }
      for (int i = 0; i < batch.size(); i++) {
        answers.put(batch.get(i).index(), replies.get(i));
      }
      progress.onProgress(start + batch.size(), asked.size(), "questions answered");
    }
    Path subset = outDir.resolve("data.tsv");
    MmbenchTsv.write(subset, asked);
    Path predictions = outDir.resolve("predictions.tsv");
    MmbenchPredictions.write(predictions, answers);
    MmbenchScore score = MmbenchScorer.score(subset, predictions, outDir);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("vanilla", score.vanilla());
    details.put("questions", score.questions());
    details.put("copies", score.copies());
    details.put("unreadable", score.unreadable());
    details.put("source", source);
    return new BenchmarkScore(name(), score.overall(), score.categories(), details);
  }

  private Set<Long> groups() {
    Set<Long> groups = new LinkedHashSet<>();
    rows.forEach(r -> groups.add(r.group()));
    return groups;
  }
}

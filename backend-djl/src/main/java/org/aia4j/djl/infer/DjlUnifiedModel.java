package org.aia4j.djl.infer;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.ModelInfo;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.Task;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.checkpoint.CheckpointInfo;
import org.aia4j.djl.model.ModelConfig;
import org.aia4j.djl.profile.InteractionProfiler;
import org.aia4j.djl.sequence.SequenceBuilder;
import org.aia4j.djl.sequence.TokenLayout;

/**
 * A checkpoint of the reference transformer as a {@link UnifiedModel}: eager DJL inference with a
 * KV cache, batched over requests.
 *
 * <ul>
 *   <li>{@link #answer}: feeds {@code <bos> <boi> image <eoi> prompt <answer>} and decodes until
 *       {@code <eos>}, a token that is not text, or {@code maxNewTokens}; greedy at temperature 0,
 *       else temperature (and top-k) sampling seeded by the request's seed.
 *   <li>{@link #generate}: per request, {@code samples} images, sample {@code i} seeded with
 *       {@code seed + i}. Each sample decodes a conditional row ({@code <bos> prompt <boi>}) and an
 *       unconditional one ({@code <bos> <boi>}) in the same forward, guided with {@code u + w (c -
 *       u)} (no unconditional row when {@code w = 1}); image positions may only take image codes
 *       the tokenizer uses; exactly {@link ImageTokenizer#tokensPerImage()} tokens, then decoded.
 * </ul>
 *
 * Prompts of different lengths share one cached batch, left-padded ({@link CachedDecoding}).
 * Not thread-safe.
 */
public final class DjlUnifiedModel implements UnifiedModel {
  /** Most rows (sequences) one forward pass decodes; larger batches are split. */
  static final int MAX_ROWS = 128;

  private final Checkpoint.Loaded loaded;
  private final Path source;
  private final SequenceBuilder builder;
  private final Decoding.Factory decodings;
  private final boolean[] imageTokens;
  private TrainingData profilingData;
  private boolean closed;

  /**
   * @param loaded the checkpoint's model and tokenizers; closed with this model
   * @param source the checkpoint's directory, for the name and provenance
   */
  public DjlUnifiedModel(Checkpoint.Loaded loaded, Path source) {
    this(loaded, source, null);
  }

  /** With another decoding, e.g. {@link RecomputedDecoding} as the tests' reference. */
  DjlUnifiedModel(Checkpoint.Loaded loaded, Path source, Decoding.Factory decodings) {
    this.loaded = Objects.requireNonNull(loaded, "loaded");
    this.source = Objects.requireNonNull(source, "source").toAbsolutePath();
    this.builder = new SequenceBuilder(loaded.layout(), loaded.text(), loaded.image());
    this.decodings = decodings != null ? decodings
        : () -> new CachedDecoding(loaded.model(), loaded.manager());
    this.imageTokens = imageMask(loaded.layout(), loaded.image());
  }

  /** Loads the checkpoint in {@code dir}. */
  public static DjlUnifiedModel load(Path dir) throws java.io.IOException {
    return new DjlUnifiedModel(Checkpoint.load(dir), dir);
  }

  /**
   * Sets the samples {@link #interactions} profiles on, usually the run's training data (the
   * profiler takes samples the trainer never drew). Without it, {@link #interactions} is empty.
   *
   * @param data the data, or null to forget it
   * @return this model
   */
  public DjlUnifiedModel useProfilingData(TrainingData data) {
    this.profilingData = data;
    return this;
  }

  /** @return the checkpoint behind this model */
  public Checkpoint.Loaded checkpoint() {
    return loaded;
  }

  @Override
  public String name() {
    Path file = source.getFileName();
    return file == null ? source.toString() : file.toString();
  }

  // ---------------------------------------------------------------- understanding

  @Override
  public List<String> answer(List<AnswerRequest> requests) {
    checkOpen();
    int maxLength = loaded.model().config().maxLength();
    List<int[]> prefixes = new ArrayList<>(requests.size());
    int[] budgets = new int[requests.size()];
    for (int i = 0; i < requests.size(); i++) {
      AnswerRequest request = requests.get(i);
      int[] prefix;
      try {
        prefix = builder.understandingPrefix(request.image(), request.prompt());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Answer request " + i + ": " + e.getMessage(), e);
      }
      if (prefix.length > maxLength) {
        throw new IllegalArgumentException("Answer request " + i + ": the image and prompt take "
            + prefix.length + " tokens, more than the model's maxLength of " + maxLength
            + "; shorten the prompt by at least " + (prefix.length - maxLength) + " words");
      }
      prefixes.add(prefix);
      // The last answer token needs no slot of its own: L + n - 1 <= maxLength.
      budgets[i] = Math.min(request.maxNewTokens(), maxLength - prefix.length + 1);
    }
    String[] answers = new String[requests.size()];
    for (int[] group : groups(prefixes, budgets, maxLength)) {
      answerGroup(requests, prefixes, budgets, group, answers);
    }
    return Arrays.asList(answers);
  }

  private void answerGroup(List<AnswerRequest> requests, List<int[]> prefixes, int[] budgets, int[] group,
      String[] answers) {
    TokenLayout layout = loaded.layout();
    int rows = group.length;
    TokenSampler[] samplers = new TokenSampler[rows];
    List<int[]> rowPrefixes = new ArrayList<>(rows);
    int steps = 0;
    for (int r = 0; r < rows; r++) {
      SamplingSettings sampling = requests.get(group[r]).sampling();
      samplers[r] = new TokenSampler(sampling, sampling.seed());
      rowPrefixes.add(prefixes.get(group[r]));
      steps = Math.max(steps, budgets[group[r]]);
    }
    int[][] text = new int[rows][];
    int[] lengths = new int[rows];
    boolean[] done = new boolean[rows];
    for (int r = 0; r < rows; r++) {
      text[r] = new int[budgets[group[r]]];
    }
    try (Decoding decoding = decodings.open()) {
      float[][] logits = decoding.start(rowPrefixes);
      for (int step = 0; step < steps; step++) {
        int[] fed = new int[rows];
        int open = 0;
        for (int r = 0; r < rows; r++) {
          fed[r] = TokenLayout.PAD;
          if (done[r]) {
            continue;
          }
          int token = samplers[r].pick(logits[r], null);
          if (!layout.isTextToken(token)) {
            done[r] = true; // <eos>, or any non-text token, ends the answer
            continue;
          }
          text[r][lengths[r]++] = layout.toText(token);
          if (lengths[r] == text[r].length) {
            done[r] = true;
            continue;
          }
          fed[r] = token;
          open++;
        }
        if (open == 0) {
          break;
        }
        logits = decoding.next(fed);
      }
    }
    for (int r = 0; r < rows; r++) {
      answers[group[r]] = loaded.text().decode(Arrays.copyOf(text[r], lengths[r]));
    }
  }

  /**
   * Splits requests into batches that fit the model: at most {@link #MAX_ROWS} rows, and the
   * longest prefix plus the longest answer budget within {@code maxLength}, so each answer is as
   * long as it would be alone.
   */
  static List<int[]> groups(List<int[]> prefixes, int[] budgets, int maxLength) {
    List<int[]> groups = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    int longest = 0;
    int budget = 0;
    for (int i = 0; i < prefixes.size(); i++) {
      int l = Math.max(longest, prefixes.get(i).length);
      int b = Math.max(budget, budgets[i]);
      if (!current.isEmpty() && (current.size() == MAX_ROWS || l + b - 1 > maxLength)) {
        groups.add(current.stream().mapToInt(Integer::intValue).toArray());
        current.clear();
        l = prefixes.get(i).length;
        b = budgets[i];
      }
      current.add(i);
      longest = l;
      budget = b;
    }
    if (!current.isEmpty()) {
      groups.add(current.stream().mapToInt(Integer::intValue).toArray());
    }
    return groups;
  }

  // ---------------------------------------------------------------- generation

  @Override
  public List<List<BufferedImage>> generate(List<GenerationRequest> requests) {
    checkOpen();
    int maxLength = loaded.model().config().maxLength();
    int tokens = loaded.image().tokensPerImage();
    int[] unconditional = builder.generationPrefix(null);
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      GenerationRequest request = requests.get(i);
      int[] prefix = builder.generationPrefix(request.prompt());
      if (prefix.length + tokens - 1 > maxLength) {
        throw new IllegalArgumentException("Generation request " + i + ": the prompt takes " + prefix.length
            + " tokens and an image " + tokens + ", more than the model's maxLength of " + maxLength
            + "; shorten the prompt by at least " + (prefix.length + tokens - 1 - maxLength) + " words");
      }
      for (int s = 0; s < request.samples(); s++) {
        samples.add(new Sample(i, prefix, request.sampling(), request.sampling().seed() + s));
      }
    }
    List<List<BufferedImage>> images = new ArrayList<>();
    for (GenerationRequest request : requests) {
      images.add(new ArrayList<>(request.samples()));
    }
    for (int start = 0; start < samples.size(); ) {
      // Up to MAX_ROWS rows: two per guided sample, one when w = 1.
      int end = start;
      int rows = 0;
      while (end < samples.size() && (end == start || rows + samples.get(end).rows() <= MAX_ROWS)) {
        rows += samples.get(end).rows();
        end++;
      }
      List<Sample> batch = samples.subList(start, end);
      int[][] codes = drawImages(batch, unconditional, null);
      for (int k = 0; k < batch.size(); k++) {
        images.get(batch.get(k).request()).add(loaded.image().decode(codes[k]));
      }
      start = end;
    }
    List<List<BufferedImage>> result = new ArrayList<>();
    images.forEach(list -> result.add(List.copyOf(list)));
    return result;
  }

  /** One image to draw: its request, conditional prefix, settings and seed. */
  private record Sample(int request, int[] prefix, SamplingSettings sampling, long seed) {
    boolean guided() {
      return sampling.cfgWeight() != 1.0;
    }

    int rows() {
      return guided() ? 2 : 1;
    }
  }

  /**
   * Decodes the image codes of a batch of samples, conditional and unconditional rows in one
   * forward per position.
   *
   * @param firstLogits if not null, receives each sample's guided logits at the first image position
   * @return per sample, {@code tokensPerImage} codes
   */
  private int[][] drawImages(List<Sample> batch, int[] unconditional, float[][] firstLogits) {
    TokenLayout layout = loaded.layout();
    int tokens = loaded.image().tokensPerImage();
    List<int[]> prefixes = new ArrayList<>();
    int[] condRow = new int[batch.size()];
    int[] uncondRow = new int[batch.size()];
    TokenSampler[] samplers = new TokenSampler[batch.size()];
    for (int k = 0; k < batch.size(); k++) {
      Sample sample = batch.get(k);
      condRow[k] = prefixes.size();
      prefixes.add(sample.prefix());
      uncondRow[k] = -1;
      if (sample.guided()) {
        uncondRow[k] = prefixes.size();
        prefixes.add(unconditional);
      }
      samplers[k] = new TokenSampler(sample.sampling(), sample.seed());
    }
    int[][] codes = new int[batch.size()][tokens];
    try (Decoding decoding = decodings.open()) {
      float[][] logits = decoding.start(prefixes);
      for (int t = 0; t < tokens; t++) {
        int[] fed = new int[prefixes.size()];
        for (int k = 0; k < batch.size(); k++) {
          float[] cond = logits[condRow[k]];
          float[] guided = uncondRow[k] < 0 ? cond
              : TokenSampler.guide(cond, logits[uncondRow[k]], batch.get(k).sampling().cfgWeight());
          if (t == 0 && firstLogits != null) {
            firstLogits[k] = guided;
          }
          int token = samplers[k].pick(guided, imageTokens);
          codes[k][t] = layout.toImage(token);
          fed[condRow[k]] = token;
          if (uncondRow[k] >= 0) {
            fed[uncondRow[k]] = token;
          }
        }
        if (t + 1 < tokens) {
          logits = decoding.next(fed);
        }
      }
    }
    return codes;
  }

  /**
   * The guided logits of the first image position for each prompt, exactly as {@link #generate}
   * computes them (conditional and unconditional rows batched, left-padded); for tests.
   */
  float[][] firstImageLogits(List<String> prompts, SamplingSettings sampling) {
    List<Sample> batch = new ArrayList<>();
    for (String prompt : prompts) {
      batch.add(new Sample(batch.size(), builder.generationPrefix(prompt), sampling, sampling.seed()));
    }
    float[][] first = new float[batch.size()][];
    drawImages(batch, builder.generationPrefix(null), first);
    return first;
  }

  /** Generated image codes for one prompt, before decoding; for tests. */
  int[][] imageCodes(String prompt, int samples, SamplingSettings sampling) {
    List<Sample> batch = new ArrayList<>();
    for (int s = 0; s < samples; s++) {
      batch.add(new Sample(0, builder.generationPrefix(prompt), sampling, sampling.seed() + s));
    }
    return drawImages(batch, builder.generationPrefix(null), null);
  }

  /** The ids image positions may take: image codes the tokenizer uses. */
  static boolean[] imageMask(TokenLayout layout, ImageTokenizer image) {
    int used = usedCodes(image);
    boolean[] allowed = new boolean[layout.vocabularySize()];
    for (int code = 0; code < used; code++) {
      allowed[layout.fromImage(code)] = true;
    }
    return allowed;
  }

  /**
   * How many codes, from 0, the tokenizer actually emits: its {@code usedCodes()} if it has such a
   * public method (the patch-VQ tokenizer does: codes beyond it were never trained on), else the
   * whole codebook. Looked up by name so this module needs no tokenizer implementation.
   */
  static int usedCodes(ImageTokenizer image) {
    try {
      Object used = image.getClass().getMethod("usedCodes").invoke(image);
      if (used instanceof Integer n && n >= 1 && n <= image.codebookSize()) {
        return n;
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // No such method: every code may be used.
    }
    return image.codebookSize();
  }

  /** @return the ids image positions may take (a copy) */
  boolean[] allowedImageTokens() {
    return imageTokens.clone();
  }

  SequenceBuilder builder() {
    return builder;
  }

  // ---------------------------------------------------------------- inspection

  @Override
  public Optional<InteractionProfile> interactions(Task task, int samples) {
    checkOpen();
    if (profilingData == null) {
      return Optional.empty();
    }
    InteractionProfiler profiler = new InteractionProfiler(loaded.model(), builder, loaded.manager());
    return Optional.of(profiler.profile(profilingData, task, samples, 32));
  }

  @Override
  public ModelInfo info() {
    CheckpointInfo info = loaded.info();
    ModelConfig config = info.model();
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("checkpoint", source.toString());
    provenance.put("step", Long.toString(info.step()));
    provenance.put("seed", Long.toString(info.training().seed()));
    provenance.put("model_seed", Long.toString(config.seed()));
    provenance.put("preset", info.training().preset());
    provenance.put("model", json(config));
    provenance.put("training", json(info.training()));
    provenance.put("data", info.data());
    provenance.put("image_tokenizer", loaded.image().toString());
    provenance.put("text_tokenizer", info.textTokenizer());
    info.provenance().fields().forEachRemaining(e -> provenance.put(e.getKey(), e.getValue().asText()));
    return new ModelInfo(name(), "djl", config.layers(), provenance);
  }

  private static String json(Object value) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return String.valueOf(value);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("Model " + name() + " is closed");
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      loaded.close();
    }
  }
}

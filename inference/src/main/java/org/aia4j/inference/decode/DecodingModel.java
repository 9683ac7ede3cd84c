package org.aia4j.inference.decode;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.ModelLimits;
import org.aia4j.api.model.RollingBatch;
import org.aia4j.api.model.Task;
import org.aia4j.api.model.TokenListener;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.inference.sequence.Prompts;
import org.aia4j.inference.sequence.TokenLayout;

/**
 * The decode loops of a {@link UnifiedModel}, written once for every engine: a backend supplies a
 * {@link Decoding} (its forward pass with a KV cache) and this class does the rest, so two
 * backends given the same logits produce the same answers and images.
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
 * Requests are batched: prompts of different lengths share one decoding, left-padded, up to
 * {@link #MAX_ROWS} rows. Not thread-safe.
 */
public abstract class DecodingModel implements UnifiedModel {
  /** Most rows (sequences) one forward pass decodes; larger batches are split. */
  public static final int MAX_ROWS = 128;

  private final Prompts prompts;
  private final int maxLength;
  private final Decoding.Factory decodings;
  private final boolean[] imageTokens;
  private boolean closed;

  /**
   * @param prompts the vocabulary and tokenizers
   * @param maxLength the most positions the model takes
   * @param decodings opens a decoding of the backend's model
   */
  protected DecodingModel(Prompts prompts, int maxLength, Decoding.Factory decodings) {
    this.prompts = Objects.requireNonNull(prompts, "prompts");
    this.decodings = Objects.requireNonNull(decodings, "decodings");
    this.maxLength = maxLength;
    this.imageTokens = imageMask(prompts.layout(), prompts.image());
  }

  /** @return the prefixes this model feeds */
  public Prompts prompts() {
    return prompts;
  }

  /** @return the most positions the model takes: prefix plus decoded tokens */
  public int maxLength() {
    return maxLength;
  }

  @Override
  public ModelLimits limits() {
    return new ModelLimits(maxLength, prompts.image().imageSize(), prompts.image().tokensPerImage());
  }

  /**
   * {@inheritDoc} Understanding reads {@code <bos> <boi> image <eoi> prompt <answer>}, generation
   * {@code <bos> prompt <boi>}.
   */
  @Override
  public OptionalInt promptTokens(Task task, String prompt) {
    return OptionalInt.of(task == Task.UNDERSTANDING ? prompts.understandingPrefixLength(prompt)
        : prompts.generationPrefix(prompt).length);
  }

  @Override
  public Optional<TextTokenizer> textTokenizer() {
    return Optional.of(prompts.text());
  }

  // ---------------------------------------------------------------- understanding

  @Override
  public List<String> answer(List<AnswerRequest> requests) {
    return answer(requests, null);
  }

  @Override
  public List<String> answer(List<AnswerRequest> requests, TokenListener listener) {
    checkOpen();
    List<int[]> prefixes = new ArrayList<>(requests.size());
    int[] budgets = new int[requests.size()];
    for (int i = 0; i < requests.size(); i++) {
      AnswerRequest request = requests.get(i);
      int[] prefix = answerPrefix("Answer request " + i + ": ", request);
      prefixes.add(prefix);
      budgets[i] = answerBudget(request, prefix);
    }
    String[] answers = new String[requests.size()];
    for (int[] group : groups(prefixes, budgets, maxLength)) {
      answerGroup(requests, prefixes, budgets, group, answers, listener);
    }
    return Arrays.asList(answers);
  }

  /** @throws IllegalArgumentException, its message led by {@code which}, if the request does not fit */
  private int[] answerPrefix(String which, AnswerRequest request) {
    int[] prefix;
    try {
      prefix = prompts.understandingPrefix(request.image(), request.prompt());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(which + e.getMessage(), e);
    }
    if (prefix.length > maxLength) {
      throw new IllegalArgumentException(which + "the image and prompt take " + prefix.length
          + " tokens, more than the model's maxLength of " + maxLength + "; shorten the prompt by at least "
          + (prefix.length - maxLength) + " words");
    }
    return prefix;
  }

  /** The last answer token needs no slot of its own: {@code L + n - 1 <= maxLength}. */
  private int answerBudget(AnswerRequest request, int[] prefix) {
    return Math.min(request.maxNewTokens(), maxLength - prefix.length + 1);
  }

  /**
   * {@inheritDoc} Answers only, each decoded exactly as {@link #answer} decodes it, when the
   * backend's decoding {@link Decoding#joins() joins} rows.
   */
  @Override
  public Optional<RollingBatch> rollingBatch() {
    checkOpen();
    Supplier<Decoding> open = () -> decodings.open(Task.UNDERSTANDING);
    if (!RollingDecoder.supported(open)) {
      return Optional.empty();
    }
    return Optional.of(new RollingDecoder(open, new RollingDecoder.Rows() {
      @Override
      public RollingDecoder.Row answer(AnswerRequest request) {
        checkOpen();
        int[] prefix = answerPrefix("", request);
        return RollingDecoder.Row.answer(prefix, answerBudget(request, prefix), request.sampling(), prompts.layout(),
            prompts.text()::decode);
      }

      @Override
      public RollingDecoder.Row text(int[] prompt, int maxTokens, SamplingSettings sampling, OptionalInt stop) {
        throw new UnsupportedOperationException("Model " + name() + " answers about images and draws them; it"
            + " continues no raw ids");
      }
    }, this));
  }

  private void answerGroup(List<AnswerRequest> requests, List<int[]> prefixes, int[] budgets, int[] group,
      String[] answers, TokenListener listener) {
    TokenLayout layout = prompts.layout();
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
    try (Decoding decoding = decodings.open(Task.UNDERSTANDING)) {
      float[][] logits = decoding.start(rowPrefixes);
      // The decoding's row d holds the group's row active[d]; finished rows are dropped once they
      // are half the batch, so short answers stop costing the long ones time.
      int[] active = new int[rows];
      Arrays.setAll(active, d -> d);
      for (int step = 0; step < steps; step++) {
        int[] fed = new int[active.length];
        int open = 0;
        for (int d = 0; d < active.length; d++) {
          int r = active[d];
          fed[d] = TokenLayout.PAD;
          if (done[r]) {
            continue;
          }
          if (listener != null && listener.stopped(group[r])) {
            done[r] = true;
            continue;
          }
          int token = samplers[r].pick(logits[d], null);
          if (!layout.isTextToken(token)) {
            done[r] = true; // <eos>, or any non-text token, ends the answer
            continue;
          }
          text[r][lengths[r]++] = layout.toText(token);
          if (listener != null) {
            listener.onToken(group[r], layout.toText(token));
          }
          if (lengths[r] == text[r].length) {
            done[r] = true;
            continue;
          }
          fed[d] = token;
          open++;
        }
        if (open == 0) {
          break;
        }
        if (open <= active.length / 2) {
          int[] kept = new int[open];
          for (int d = 0, k = 0; d < active.length; d++) {
            if (!done[active[d]]) {
              kept[k++] = d;
            }
          }
          if (decoding.keep(kept)) {
            int[] before = active;
            int[] fedBefore = fed;
            active = new int[open];
            fed = new int[open];
            for (int k = 0; k < open; k++) {
              active[k] = before[kept[k]];
              fed[k] = fedBefore[kept[k]];
            }
          }
        }
        logits = decoding.next(fed);
      }
    }
    for (int r = 0; r < rows; r++) {
      answers[group[r]] = prompts.text().decode(Arrays.copyOf(text[r], lengths[r]));
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
    int tokens = prompts.image().tokensPerImage();
    int[] unconditional = prompts.generationPrefix(null);
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      GenerationRequest request = requests.get(i);
      int[] prefix = prompts.generationPrefix(request.prompt());
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
        images.get(batch.get(k).request()).add(prompts.image().decode(codes[k]));
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
    TokenLayout layout = prompts.layout();
    int tokens = prompts.image().tokensPerImage();
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
    try (Decoding decoding = decodings.open(Task.GENERATION)) {
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
   * computes them (conditional and unconditional rows batched, left-padded); for tests and
   * cross-backend checks.
   */
  public float[][] firstImageLogits(List<String> texts, SamplingSettings sampling) {
    checkOpen();
    List<Sample> batch = new ArrayList<>();
    for (String prompt : texts) {
      batch.add(new Sample(batch.size(), prompts.generationPrefix(prompt), sampling, sampling.seed()));
    }
    float[][] first = new float[batch.size()][];
    drawImages(batch, prompts.generationPrefix(null), first);
    return first;
  }

  /**
   * The image codes {@link #generate} draws for one prompt, before they are decoded to pixels;
   * for tests and cross-backend checks.
   */
  public int[][] imageCodes(String prompt, int samples, SamplingSettings sampling) {
    return imageCodes(java.util.Collections.nCopies(samples, prompt), sampling, true);
  }

  /**
   * The image codes {@link #generate} draws for a batch of prompts, one sample each seeded with
   * the settings' seed, in one decoding; for benchmarks and cross-backend checks.
   */
  public int[][] imageCodes(List<String> texts, SamplingSettings sampling) {
    return imageCodes(texts, sampling, false);
  }

  private int[][] imageCodes(List<String> texts, SamplingSettings sampling, boolean seedPerSample) {
    checkOpen();
    List<Sample> batch = new ArrayList<>();
    for (String prompt : texts) {
      long seed = seedPerSample ? sampling.seed() + batch.size() : sampling.seed();
      batch.add(new Sample(0, prompts.generationPrefix(prompt), sampling, seed));
    }
    return drawImages(batch, prompts.generationPrefix(null), null);
  }

  /** The ids image positions may take: image codes the tokenizer uses. */
  public static boolean[] imageMask(TokenLayout layout, ImageTokenizer image) {
    int used = image.usedCodes();
    boolean[] allowed = new boolean[layout.vocabularySize()];
    for (int code = 0; code < used; code++) {
      allowed[layout.fromImage(code)] = true;
    }
    return allowed;
  }

  /** @return the ids image positions may take (a copy) */
  public boolean[] allowedImageTokens() {
    return imageTokens.clone();
  }

  /** @throws IllegalStateException if the model was closed */
  protected final void checkOpen() {
    if (closed) {
      throw new IllegalStateException("Model " + name() + " is closed");
    }
  }

  /** Releases the backend's resources; called once, by {@link #close()}. */
  protected abstract void release();

  @Override
  public final void close() {
    if (!closed) {
      closed = true;
      release();
    }
  }
}

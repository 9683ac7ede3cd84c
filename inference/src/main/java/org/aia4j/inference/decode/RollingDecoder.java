package org.aia4j.inference.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.function.Supplier;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.RollingBatch;
import org.aia4j.api.model.RowListener;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.inference.sequence.TokenLayout;

/**
 * Continuous batching over any backend's {@link Decoding} that {@link Decoding#joins() joins}: one
 * step samples every running row, then, when requests came (or ended rows are half the batch),
 * rebuilds the cache once, dropping the rows that ended and prefilling the newcomers ({@link
 * Decoding#join}), samples the newcomers' first tokens, and runs one forward for all of them. A
 * request added between steps waits one step at most; a row is reported finished in the step it
 * ends, though its slot may ride along, fed padding, until the next rebuild. The model says how
 * its requests become rows ({@link Rows}): their prefix, length budget, sampler and end.
 */
public final class RollingDecoder implements RollingBatch {
  /** How a model turns requests into rows; each method checks the request and throws if it does not fit. */
  public interface Rows {
    /** @return the answer's row */
    Row answer(AnswerRequest request);

    /** @return the continuation's row */
    Row text(int[] prompt, int maxTokens, SamplingSettings sampling, OptionalInt stop);
  }

  /** One request's row: its prefix, how many tokens it may take, its sampler, and how a token reads. */
  public abstract static class Row {
    private final int[] prefix;
    private final int budget;
    private final TokenSampler sampler;
    private RowListener listener;
    private int[] ids;
    private int count;
    private int lastToken;
    private float[] logits;
    private boolean done;

    /**
     * @param prefix the ids fed before the first new token, at least one
     * @param budget the most tokens the row takes, at least 1
     * @param sampler picks the row's tokens
     */
    protected Row(int[] prefix, int budget, TokenSampler sampler) {
      if (prefix.length == 0 || budget < 1) {
        throw new IllegalArgumentException("a row needs a prefix and a budget of at least one token");
      }
      this.prefix = prefix;
      this.budget = budget;
      this.sampler = Objects.requireNonNull(sampler, "sampler");
    }

    /** @return the id a sampled token adds to the row, or -1 when the token ends the row unreported */
    protected abstract int reported(int token);

    /** @return the row's text from its reported ids */
    protected abstract String text(int[] reported);

    /**
     * An answer of aia4j's own layout: text tokens, mapped to the text tokenizer's ids, up to the
     * first token that is not text ({@code <eos>} or any other), as {@link DecodingModel#answer}.
     */
    public static Row answer(int[] prefix, int budget, SamplingSettings sampling, TokenLayout layout,
        Function<int[], String> decode) {
      return new Row(prefix, budget, new TokenSampler(sampling, sampling.seed())) {
        @Override
        protected int reported(int token) {
          return layout.isTextToken(token) ? layout.toText(token) : -1;
        }

        @Override
        protected String text(int[] reported) {
          return decode.apply(reported);
        }
      };
    }

    /**
     * A continuation of raw ids, as {@link TextCompletions#complete} makes one row, up to the stop
     * id, which ends it unreported (a reply's ids and text leave it out).
     */
    public static Row continuation(int[] prompt, int maxTokens, SamplingSettings sampling, OptionalInt stop,
        Function<int[], String> decode) {
      return new Row(prompt, maxTokens, new TokenSampler(sampling, sampling.seed())) {
        @Override
        protected int reported(int token) {
          return stop.isPresent() && token == stop.getAsInt() ? -1 : token;
        }

        @Override
        protected String text(int[] reported) {
          return decode.apply(reported);
        }
      };
    }
  }

  private final Supplier<Decoding> decodings;
  private final Rows rows;
  private final Object engine;
  private Decoding decoding;
  /** The rows in the decoding, in its row order. */
  private List<Row> running = new ArrayList<>();
  /** Rows added since the last step, prefilled at the next. */
  private final List<Row> waiting = new ArrayList<>();
  private boolean closed;

  /**
   * @param decodings opens a fresh decoding of the model; each must {@link Decoding#joins() join}
   * @param rows makes the rows of requests
   * @param engine held while a step runs the engine, so callers that share it (a model's own batch
   *     calls) take turns with the steps
   */
  public RollingDecoder(Supplier<Decoding> decodings, Rows rows, Object engine) {
    this.decodings = Objects.requireNonNull(decodings, "decodings");
    this.rows = Objects.requireNonNull(rows, "rows");
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  /** @return whether a decoding of {@code decodings} joins rows, so a rolling batch can run on it */
  public static boolean supported(Supplier<Decoding> decodings) {
    try (Decoding probe = decodings.get()) {
      return probe.joins();
    }
  }

  @Override
  public void addAnswer(AnswerRequest request, RowListener listener) {
    add(rows.answer(request), listener);
  }

  @Override
  public void addText(int[] prompt, int maxTokens, SamplingSettings sampling, OptionalInt stop, RowListener listener) {
    add(rows.text(prompt, maxTokens, sampling, stop), listener);
  }

  /** Adds a row made by the caller; it is prefilled at the next step. */
  public void add(Row row, RowListener listener) {
    if (closed) {
      throw new IllegalStateException("The rolling batch is closed");
    }
    if (row.listener != null) {
      throw new IllegalArgumentException("This row was added before");
    }
    row.listener = Objects.requireNonNull(listener, "listener");
    row.ids = new int[row.budget];
    waiting.add(row);
  }

  @Override
  public int size() {
    return open() + waiting.size();
  }

  private int open() {
    int open = 0;
    for (Row row : running) {
      open += row.done ? 0 : 1;
    }
    return open;
  }

  @Override
  public int step() {
    if (closed) {
      throw new IllegalStateException("The rolling batch is closed");
    }
    synchronized (engine) {
      try {
        return stepHeld();
      } catch (RuntimeException | Error e) {
        reset();
        throw e;
      }
    }
  }

  private int stepHeld() {
    for (Row row : running) {
      if (!row.done) {
        advance(row);
      }
    }
    int[] kept = new int[running.size()];
    int count = 0;
    for (int d = 0; d < running.size(); d++) {
      if (!running.get(d).done) {
        kept[count++] = d;
      }
    }
    kept = Arrays.copyOf(kept, count);
    // The cache is rebuilt when requests join, or once ended rows are half the batch: until then an
    // ended row rides along fed padding, which costs a decode row but saves a rebuild's copy.
    if (!waiting.isEmpty() || 2 * (running.size() - kept.length) >= Math.max(1, running.size())) {
      List<int[]> prefixes = waiting.stream().map(row -> row.prefix).toList();
      float[][] first = new float[0][];
      if (kept.length == 0) {
        // Nothing left to keep: a fresh decoding, so the old cache's length does not carry over.
        closeDecoding();
        if (!prefixes.isEmpty()) {
          decoding = decodings.get();
          first = decoding.start(prefixes);
        }
      } else {
        first = decoding.join(kept, prefixes);
      }
      List<Row> next = new ArrayList<>(kept.length + waiting.size());
      for (int d : kept) {
        next.add(running.get(d));
      }
      for (int k = 0; k < waiting.size(); k++) {
        Row row = waiting.get(k);
        row.logits = first[k];
        next.add(row);
      }
      waiting.clear();
      running = next;
      for (int d = kept.length; d < running.size(); d++) {
        advance(running.get(d));
      }
    }
    int[] fed = new int[running.size()];
    boolean any = false;
    for (int d = 0; d < fed.length; d++) {
      Row row = running.get(d);
      // A newcomer that ended on its first token stays until the next rebuild, fed padding.
      fed[d] = row.done ? TokenLayout.PAD : row.lastToken;
      any |= !row.done;
    }
    if (any) {
      float[][] logits = decoding.next(fed);
      for (int d = 0; d < fed.length; d++) {
        running.get(d).logits = logits[d];
      }
    }
    return size();
  }

  /** Samples the row's next token from its logits, reports it, and ends the row when it should. */
  private void advance(Row row) {
    if (row.listener.stopped()) {
      finish(row);
      return;
    }
    int token = row.sampler.pick(row.logits, null);
    int id = row.reported(token);
    if (id < 0) {
      finish(row);
      return;
    }
    row.ids[row.count++] = id;
    row.lastToken = token;
    row.listener.onToken(id);
    if (row.count == row.budget) {
      finish(row);
    }
  }

  private static void finish(Row row) {
    row.done = true;
    row.logits = null;
    int[] ids = Arrays.copyOf(row.ids, row.count);
    row.listener.finished(ids, row.text(ids), row.budget);
  }

  private void reset() {
    closeDecoding();
    running = new ArrayList<>();
    waiting.clear();
  }

  private void closeDecoding() {
    if (decoding != null) {
      decoding.close();
      decoding = null;
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      synchronized (engine) {
        reset();
      }
    }
  }
}

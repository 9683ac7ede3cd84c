package org.aia4j.inference.decode;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.ChatMessage;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.ModelInfo;
import org.aia4j.api.model.RollingBatch;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.api.model.TextCompletion;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.inference.checkpoint.ImportedTokenizers;
import org.aia4j.inference.checkpoint.TextModel;
import org.aia4j.inference.sequence.LayoutSequenceBuilder;

/**
 * A decoder in its own vocabulary (an imported Hugging Face model, its directory, or a fine-tune of
 * an import) as a {@link UnifiedModel}. It always continues text ({@link #textCompletion()}). With
 * an image layout recorded at import and an image tokenizer ({@code aia import --layout L
 * --image-tokenizer DIR}) it also answers questions about images (the layout's understanding
 * template, the answer decoded up to the tokenizer's end of text) and draws images (codes sampled
 * in the layout's grid, {@link LayoutImageDecoder}, then the image tokenizer's decoder); without
 * them both are refused, saying what is missing.
 */
public final class ImportedModel implements UnifiedModel {
  private final TextModel model;
  private final TextEngine engine;
  private final TextCompletion completion;
  private final LayoutSequenceBuilder layout;
  private final ImageTokenizer image;

  /**
   * @param model the decoder's files
   * @param engine the engine that runs it; closed with this model
   * @throws IOException if the recorded layout or image tokenizer cannot be read
   */
  public ImportedModel(TextModel model, TextEngine engine) throws IOException {
    this.model = model;
    this.engine = engine;
    ImportedTokenizers tokenizers = ImportedTokenizers.read(model.dir(), model.model().vocabSize());
    this.image = tokenizers.image().orElse(null);
    this.layout = tokenizers.layout().isPresent() ? tokenizers.sequences(model.dir()) : null;
    this.completion = new TextCompletion() {
      @Override
      public int[] encode(String prompt) {
        return model.text().prompt(prompt);
      }

      @Override
      public String decode(int[] ids) {
        return model.text().decode(ids);
      }

      @Override
      public OptionalInt stop() {
        return model.text().stop();
      }

      @Override
      public Optional<int[]> encodeChat(List<ChatMessage> messages) {
        return model.text().chat(messages);
      }

      @Override
      public int contextLength() {
        return model.model().maxLength();
      }

      @Override
      public int vocabularySize() {
        return model.model().vocabSize();
      }

      @Override
      public int[][] complete(int[][] prompts, int maxTokens, SamplingSettings sampling, boolean stopAtEnd) {
        synchronized (engine) { // an engine runs one batch at a time
          return engine.completeBatch(prompts, maxTokens, sampling, stopAtEnd ? stop() : OptionalInt.empty());
        }
      }
    };
  }

  @Override
  public String name() {
    return model.dir().toAbsolutePath().normalize().getFileName().toString();
  }

  /** @return whether this model answers about images and draws them: it has a layout and an image tokenizer */
  @Override
  public boolean handlesImages() {
    return layout != null && image != null;
  }

  private void requireMultimodal(String what) {
    if (layout == null) {
      throw new UnsupportedOperationException(model.dir() + " is " + model.source() + " without an image-token layout: "
          + "it cannot " + what + "; it continues text (aia complete, POST /v1/completions). Import it with --layout"
          + " and --image-tokenizer to give it one");
    }
    if (image == null) {
      throw new UnsupportedOperationException(model.dir() + " has an image layout but no image tokenizer: it cannot "
          + what + "; import it with --image-tokenizer DIR (an onnx-vq encoder and decoder)");
    }
  }

  @Override
  public List<String> answer(List<AnswerRequest> requests) {
    requireMultimodal("answer questions about images");
    int[][] prefixes = new int[requests.size()][];
    for (int i = 0; i < prefixes.length; i++) {
      prefixes[i] = layout.understandingPrefix(image.encode(fitted(requests.get(i).image())), requests.get(i).prompt());
    }
    String[] answers = new String[requests.size()];
    // One batch per distinct sampling and length budget, in request order within it.
    Map<List<Object>, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < prefixes.length; i++) {
      AnswerRequest request = requests.get(i);
      groups.computeIfAbsent(List.of(request.sampling(), request.maxNewTokens()), key -> new ArrayList<>()).add(i);
    }
    OptionalInt stop = model.text().stop();
    for (List<Integer> group : groups.values()) {
      AnswerRequest first = requests.get(group.get(0));
      int[][] batch = group.stream().map(i -> prefixes[i]).toArray(int[][]::new);
      int[][] ids;
      synchronized (engine) {
        ids = engine.completeBatch(batch, first.maxNewTokens(), first.sampling(), stop);
      }
      for (int k = 0; k < ids.length; k++) {
        answers[group.get(k)] = model.text().decode(TextCompletion.withoutStop(ids[k], stop)).strip();
      }
    }
    return List.of(answers);
  }

  /** The image at the image tokenizer's side: scaled (bilinear) when it has another size. */
  private BufferedImage fitted(BufferedImage picture) {
    int side = image.imageSize();
    if (picture == null || (picture.getWidth() == side && picture.getHeight() == side)) {
      return picture;
    }
    BufferedImage scaled = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = scaled.createGraphics();
    g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(picture, 0, 0, side, side, null);
    g.dispose();
    return scaled;
  }

  @Override
  public List<List<BufferedImage>> generate(List<GenerationRequest> requests) {
    requireMultimodal("generate images");
    int[] grid = layout.grid(image.tokensPerImage());
    LayoutImageDecoder decoder = new LayoutImageDecoder(layout, model.model().vocabSize(), image.usedCodes(),
        model.model().maxLength());
    List<List<BufferedImage>> out = new ArrayList<>();
    for (GenerationRequest request : requests) {
      List<String> prompts = java.util.Collections.nCopies(request.samples(), request.prompt());
      long[] seeds = new long[request.samples()];
      for (int s = 0; s < seeds.length; s++) {
        seeds[s] = request.sampling().seed() + s;
      }
      int[][] codes;
      synchronized (engine) {
        try (Decoding decoding = engine.decoding()) {
          codes = decoder.draw(decoding, prompts, seeds, request.sampling(), grid[0], grid[1]);
        }
      }
      List<BufferedImage> images = new ArrayList<>();
      for (int[] c : codes) {
        images.add(image.decode(c));
      }
      out.add(List.copyOf(images));
    }
    return out;
  }

  /**
   * {@inheritDoc} Continuations and, with an image layout, answers, each row as {@link
   * TextCompletion#complete} decodes one (the answer up to the tokenizer's end of text, stripped),
   * sampled with its request's own seed, when the engine's decoding {@link Decoding#joins() joins}.
   * Its steps take turns with this model's batch calls on the engine.
   */
  @Override
  public Optional<RollingBatch> rollingBatch() {
    Supplier<Decoding> open = engine::decoding;
    if (!RollingDecoder.supported(open)) {
      return Optional.empty();
    }
    int maxLength = model.model().maxLength();
    int vocabulary = model.model().vocabSize();
    return Optional.of(new RollingDecoder(open, new RollingDecoder.Rows() {
      @Override
      public RollingDecoder.Row answer(AnswerRequest request) {
        requireMultimodal("answer questions about images");
        int[] prefix = layout.understandingPrefix(image.encode(fitted(request.image())), request.prompt());
        TextCompletions.checkPrompts(new int[][] {prefix}, request.maxNewTokens(), maxLength, vocabulary);
        return RollingDecoder.Row.continuation(prefix, request.maxNewTokens(), request.sampling(), model.text().stop(),
            ids -> model.text().decode(ids).strip());
      }

      @Override
      public RollingDecoder.Row text(int[] prompt, int maxTokens, SamplingSettings sampling, OptionalInt stop) {
        TextCompletions.checkPrompts(new int[][] {prompt}, maxTokens, maxLength, vocabulary);
        return RollingDecoder.Row.continuation(prompt.clone(), maxTokens, sampling, stop, model.text()::decode);
      }
    }, engine));
  }

  @Override
  public Optional<TextCompletion> textCompletion() {
    return Optional.of(completion);
  }

  @Override
  public ModelInfo info() {
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("source", model.source());
    provenance.put("directory", model.dir().toAbsolutePath().normalize().toString());
    provenance.put("family", model.model().architecture().family().id());
    return new ModelInfo(name(), engine.engine(), model.model().layers(), provenance);
  }

  @Override
  public void close() {
    engine.close();
    if (image instanceof AutoCloseable closeable) { // an onnx-vq tokenizer holds two sessions
      try {
        closeable.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the image tokenizer: " + e.getMessage(), e);
      }
    }
  }
}

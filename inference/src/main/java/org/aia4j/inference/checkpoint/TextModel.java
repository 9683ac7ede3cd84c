package org.aia4j.inference.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.aia4j.api.Registries;
import org.aia4j.api.model.ChatMessage;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.inference.hf.HfConfig;
import org.aia4j.inference.hf.HfImport;
import org.aia4j.inference.hf.HfLlama;
import org.aia4j.inference.hf.HfWeights;
import org.aia4j.inference.io.SafeTensors;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.model.ModelTensors;
import org.aia4j.inference.sequence.Prompts;
import org.aia4j.inference.sequence.TokenLayout;

/**
 * A decoder as text completion and explicit-sequence profiling see it: its configuration, its
 * checked weights (aia4j's names) and how text becomes its ids and back. Opens any of the three
 * directories a {@code --checkpoint} may name: a checkpoint trained by aia4j (its token layout
 * puts {@code <bos>} first and offsets text ids), one imported from Hugging Face, or a Hugging
 * Face model directory itself (read in place, converted to float32, nothing written).
 *
 * @param dir the directory opened
 * @param model the decoder's configuration
 * @param weights its parameters by aia4j's names, every one present, shaped and finite; empty for
 *     an ONNX export ({@link #withoutWeights})
 * @param text text to ids and back, as this model reads and writes it
 * @param source what the directory is, for messages and reports
 */
public record TextModel(Path dir, ModelConfig model, SafeTensors.Contents weights, TextCodec text, String source) {

  /** Text as one model reads and writes it. */
  public interface TextCodec {
    /** @return the ids of a text prompt, with the specials the model expects before it */
    int[] prompt(String text);

    /** @return the text of generated ids */
    String decode(int[] ids);

    /** @return the id that ends a continuation, if the model has one */
    OptionalInt stop();

    /**
     * @return a conversation's ids through the model's chat template (with the cue for the
     *     assistant's turn, no specials added: the template writes them), or empty without one
     * @throws IllegalArgumentException when the template refuses the conversation
     */
    Optional<int[]> chat(List<ChatMessage> messages);
  }

  /**
   * Opens {@code dir}.
   *
   * @throws IOException naming the file at fault; for a directory that is neither kind, what one
   *     should hold
   */
  public static TextModel open(Path dir) throws IOException {
    if (HfImport.isHfDirectory(dir)) {
      HfConfig hf = HfConfig.read(dir.resolve(HfConfig.FILE_NAME));
      ModelConfig model = HfLlama.modelConfig(hf);
      TextTokenizer tokenizer = Registries.textTokenizers().get(HfImport.TEXT_TOKENIZER).load(dir);
      SafeTensors.Contents weights;
      try (HfWeights files = HfWeights.open(dir)) {
        weights = HfLlama.read(files, model);
        ModelTensors.check(files.source(), dir.resolve(HfConfig.FILE_NAME), model, weights);
      }
      return new TextModel(dir, model, weights, own(tokenizer, model.vocabSize(), dir), "Hugging Face " + hf.modelType());
    }
    CheckpointFiles checkpoint = CheckpointFiles.open(dir);
    SafeTensors.Contents weights = checkpoint.weights();
    if (checkpoint.config().has("layout")) {
      Prompts prompts = checkpoint.tokenizers();
      return new TextModel(dir, checkpoint.model(), weights, laidOut(prompts), "aia4j checkpoint");
    }
    return imported(dir, checkpoint.config(), checkpoint.model(), weights, "imported");
  }

  /**
   * An imported decoder whose weights are held elsewhere, an ONNX export of an import ({@code aia
   * export}) whose graph holds them: its configuration and its own tokenizer, from {@code
   * dir/tokenizers} as {@code config} records it. {@link #weights()} is empty, so engines that
   * build the model from its weights cannot run it; ONNX Runtime runs the graph.
   *
   * @param config the directory's {@code config.json}, with {@code tokenizers} and {@code imported_from}
   * @param model its model section
   * @throws IOException if the tokenizer cannot be read or does not fit the model
   */
  public static TextModel withoutWeights(Path dir, JsonNode config, ModelConfig model) throws IOException {
    return imported(dir, config, model, new SafeTensors.Contents(Map.of(), Map.of()), "ONNX export of imported");
  }

  private static TextModel imported(Path dir, JsonNode config, ModelConfig model, SafeTensors.Contents weights,
      String what) throws IOException {
    Path tokenizers = dir.resolve(CheckpointFiles.TOKENIZERS);
    TextTokenizer tokenizer = Registries.textTokenizers().get(config.path("tokenizers").path("text").asText())
        .load(tokenizers);
    return new TextModel(dir, model, weights, own(tokenizer, model.vocabSize(), tokenizers),
        what + " " + config.path("imported_from").path("model_type").asText("checkpoint"));
  }

  /**
   * Whether {@code dir} holds a decoder without an aia4j token layout: a Hugging Face model
   * directory, or a checkpoint imported from one. Such a model continues text; it cannot answer
   * about images or draw them.
   */
  public static boolean isTextOnly(Path dir) {
    if (HfImport.isHfDirectory(dir)) {
      return true;
    }
    Path config = dir.resolve(CheckpointFiles.CONFIG);
    if (!Files.isRegularFile(config)) {
      return false;
    }
    try {
      var root = new ObjectMapper().readTree(config.toFile());
      return root != null && CheckpointFiles.FORMAT.equals(root.path("format").asText()) && isImported(root);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * @param config a checkpoint's or an export's {@code config.json}
   * @return whether it is of a decoder in its own vocabulary (an import or a fine-tune of one): it
   *     records no aia4j token layout
   */
  public static boolean isImported(JsonNode config) {
    return !config.has("layout");
  }

  /** A model's own tokenizer: its ids are the model's, its configuration adds the specials. */
  private static TextCodec own(TextTokenizer tokenizer, int vocabSize, Path where) throws IOException {
    if (tokenizer.vocabularySize() > vocabSize) {
      throw new IOException(where + ": the tokenizer has " + tokenizer.vocabularySize() + " ids but the model only "
          + vocabSize);
    }
    return new TextCodec() {
      @Override
      public int[] prompt(String text) {
        return tokenizer.encodeWithSpecials(text);
      }

      @Override
      public String decode(int[] ids) {
        // Ids the model has beyond the tokenizer's (padded vocabularies) have no text.
        return tokenizer.decode(Arrays.stream(ids).filter(id -> id < tokenizer.vocabularySize()).toArray());
      }

      @Override
      public OptionalInt stop() {
        return tokenizer.endOfTextId();
      }

      @Override
      public Optional<int[]> chat(List<ChatMessage> messages) {
        return tokenizer.chatTemplate().map(template -> tokenizer.encode(template.render(messages, true)));
      }
    };
  }

  /** aia4j's layout: {@code <bos>} then the text tokenizer's ids after the specials. */
  private static TextCodec laidOut(Prompts prompts) {
    TokenLayout layout = prompts.layout();
    return new TextCodec() {
      @Override
      public int[] prompt(String text) {
        int[] words = layout.fromText(prompts.text().encode(text));
        int[] out = new int[words.length + 1];
        out[0] = TokenLayout.BOS;
        System.arraycopy(words, 0, out, 1, words.length);
        return out;
      }

      @Override
      public String decode(int[] ids) {
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
          if (text.length() > 0) {
            text.append(' ');
          }
          text.append(layout.isTextToken(id) ? prompts.text().token(layout.toText(id)) : layout.describe(id));
        }
        return text.toString();
      }

      @Override
      public OptionalInt stop() {
        return OptionalInt.of(TokenLayout.EOS);
      }

      @Override
      public Optional<int[]> chat(List<ChatMessage> messages) {
        return Optional.empty(); // aia4j's own models are not chat models
      }
    };
  }
}

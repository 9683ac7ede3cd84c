package org.aia4j.inference.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.aia4j.api.Registries;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.api.tokenizer.TextTokenizer;
import org.aia4j.inference.hf.HfImport;
import org.aia4j.inference.sequence.ImageLayout;
import org.aia4j.inference.sequence.LayoutSequenceBuilder;

/**
 * The tokenizers of a model in its own vocabulary (a Hugging Face directory, a checkpoint imported
 * from one, or a fine-tune of such a checkpoint): its text tokenizer, the image layout recorded at
 * import ({@code image_layout} in {@code config.json}) and its image tokenizer, if it has one.
 *
 * @param text the model's tokenizer, whose ids are the model's
 * @param layout how the model writes images, resolved against the tokenizer and vocabulary, if
 *     recorded
 * @param image the image tokenizer ({@code tokenizers.image} in {@code config.json}), if any
 */
public record ImportedTokenizers(TextTokenizer text, Optional<ImageLayout.Resolved> layout,
    Optional<ImageTokenizer> image) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Reads them from {@code dir}.
   *
   * @param vocabSize the model's vocabulary, which the layout's ids must be in
   * @throws IOException naming the file at fault (an invalid recorded layout included)
   */
  public static ImportedTokenizers read(Path dir, int vocabSize) throws IOException {
    if (HfImport.isHfDirectory(dir)) {
      return new ImportedTokenizers(Registries.textTokenizers().get(HfImport.TEXT_TOKENIZER).load(dir),
          Optional.empty(), Optional.empty());
    }
    JsonNode config = CheckpointFiles.readObject(dir.resolve(CheckpointFiles.CONFIG));
    Path tokenizers = dir.resolve(CheckpointFiles.TOKENIZERS);
    TextTokenizer text = Registries.textTokenizers().get(config.path("tokenizers").path("text").asText()).load(tokenizers);
    Optional<ImageTokenizer> image = Optional.empty();
    if (config.path("tokenizers").hasNonNull("image")) {
      image = Optional.of(Registries.imageTokenizers().get(config.path("tokenizers").path("image").asText())
          .load(tokenizers));
    }
    Optional<ImageLayout.Resolved> layout = Optional.empty();
    if (config.hasNonNull("image_layout")) {
      try {
        ImageLayout recorded = JSON.treeToValue(config.get("image_layout"), ImageLayout.class);
        layout = Optional.of(recorded.resolve(text, vocabSize));
      } catch (JsonProcessingException | IllegalArgumentException e) {
        throw new IOException(dir.resolve(CheckpointFiles.CONFIG) + ": image_layout: " + e.getMessage(), e);
      }
    }
    return new ImportedTokenizers(text, layout, image);
  }

  /**
   * @param dir the directory read, for the message
   * @return sequences in the recorded layout
   * @throws IllegalArgumentException if no layout was recorded, saying how to record one
   */
  public LayoutSequenceBuilder sequences(Path dir) {
    ImageLayout.Resolved resolved = layout.orElseThrow(() -> new IllegalArgumentException(dir + " records no image"
        + " layout, so aia4j does not know how its images are written: import it with --layout emu3|chameleon|FILE"));
    return new LayoutSequenceBuilder(resolved, text, image.orElse(null));
  }
}

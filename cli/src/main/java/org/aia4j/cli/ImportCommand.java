package org.aia4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.aia4j.api.Registries;
import org.aia4j.api.tokenizer.ImageTokenizer;
import org.aia4j.inference.hf.HfImport;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.sequence.ImageLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aia import --hf}: a Hugging Face LLaMA-family model directory as an aia4j checkpoint. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Import a Hugging Face model directory (model_type llama, emu3 or chameleon: config.json, "
        + "model.safetensors or its shards, tokenizer.json) as an aia4j checkpoint, checked first and written "
        + "atomically with each weight file's SHA-256.")
final class ImportCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--hf", required = true, description = "The Hugging Face model directory.")
  Path hf;

  @Option(names = "--out", required = true, description = "The checkpoint directory to write; must not exist.")
  Path out;

  @Option(names = "--layout", description = "The model's image-token layout: a preset (emu3, chameleon) or a layout "
      + "JSON file; checked against its tokenizer and vocabulary and recorded. Without it the import is text-only.")
  String layout;

  @Option(names = "--image-tokenizer", description = "A directory of the model's image tokenizer, copied into the "
      + "checkpoint: an onnx-vq one (vq.json, vq_encoder.onnx, vq_decoder.onnx; see docs/design.md) lets the import "
      + "answer about images and draw them. Needs --layout.")
  Path imageTokenizer;

  @Option(names = "--image-tokenizer-kind", defaultValue = "onnx-vq", description = "The image tokenizer's kind "
      + "(aia providers lists them) (default: ${DEFAULT-VALUE}).")
  String imageTokenizerKind;

  @Override
  public Integer call() throws Exception {
    ImageLayout imageLayout = layout == null ? null : ImageLayout.load(layout);
    if (imageTokenizer != null && imageLayout == null) {
      throw new IllegalArgumentException("--image-tokenizer needs --layout: how the model writes the codes it makes");
    }
    ImageTokenizer image = imageTokenizer == null ? null
        : Registries.imageTokenizers().get(imageTokenizerKind).load(imageTokenizer);
    HfImport.Result result;
    try (ProgressBar bar = ProgressBars.create("import", 1)) {
      result = HfImport.run(hf, out, imageLayout, image, ProgressBars.listener(bar));
    } finally {
      if (image instanceof AutoCloseable closeable) {
        closeable.close();
      }
    }
    ModelConfig model = result.model();
    PrintWriter console = spec.commandLine().getOut();
    console.printf(Locale.ROOT, "Imported %s to %s in %.1f s: %s, %,d parameters (%d layers, width %d, %d heads, %d kv"
            + " heads, vocabulary %,d), from %s%n", hf, out, result.seconds(), model.architecture().family().name().toLowerCase(Locale.ROOT),
        result.parameters(), model.layers(), model.width(), model.heads(), model.kvHeads(), model.vocabSize(),
        String.join("+", result.sourceDtypes()));
    for (Map.Entry<String, String> file : result.weightFiles().entrySet()) {
      console.printf("  %s  sha256 %s%n", file.getKey(), file.getValue());
    }
    console.printf("Continue it with: aia complete --checkpoint %s --prompt TEXT%n", out);
    console.flush();
    return 0;
  }
}

package org.aia4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.aia4j.api.checkpoint.Manifest;
import org.aia4j.inference.hf.HfImport;
import org.aia4j.onnx.export.OnnxExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aia export}: a checkpoint as an ONNX model with a KV cache, for ONNX Runtime. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Export a checkpoint to ONNX (opset 17, KV cache, dynamic batch and length) with its tokenizers "
        + "and config; serve it with --backend onnx.")
final class ExportCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--checkpoint", required = true, description = "A checkpoint directory (aia train --out, or aia"
      + " import --out: the export keeps an import's own tokenizer, image layout and image tokenizer).")
  Path checkpoint;

  @Option(names = "--out", required = true, description = "The export directory to write (replaced if it exists).")
  Path out;

  @Option(names = "--attentions", description = "Also output each layer's attention probabilities (attentions.{i}), "
      + "for profiling; slower to run.")
  boolean attentions;

  @Override
  public Integer call() throws Exception {
    if (out.toAbsolutePath().normalize().equals(checkpoint.toAbsolutePath().normalize())) {
      throw new IllegalArgumentException("--out must differ from --checkpoint: the export would replace the checkpoint");
    }
    if (HfImport.isHfDirectory(checkpoint)) {
      throw new IllegalArgumentException(checkpoint + " is a Hugging Face model directory: import it first (aia import"
          + " --hf " + checkpoint + " --out CKPT [--layout L --image-tokenizer DIR]), then export the import");
    }
    long start = System.nanoTime();
    Manifest manifest = OnnxExport.write(checkpoint, out, attentions);
    PrintWriter console = spec.commandLine().getOut();
    console.printf(Locale.ROOT, "Exported %s to %s in %.1f s%n", checkpoint, out, (System.nanoTime() - start) / 1e9);
    for (String file : manifest.digests().keySet()) {
      console.printf(Locale.ROOT, "  %-32s %,10d bytes%n", file, Files.size(out.resolve(file)));
    }
    console.printf("Run it with: aia eval --checkpoint %s --backend onnx --out DIR, or aia serve --checkpoint %s"
        + " --backend onnx%n", out, out);
    console.flush();
    return 0;
  }
}

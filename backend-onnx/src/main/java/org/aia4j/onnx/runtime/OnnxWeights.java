package org.aia4j.onnx.runtime;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks an export's ONNX file for non-finite float initializers before a session serves it: a
 * model whose weights hold NaN answers every request with nothing while looking healthy, so it is
 * refused at load, with the initializer's name, as a checkpoint's weights are.
 */
final class OnnxWeights {
  private OnnxWeights() {}

  /** @throws IOException naming the file, the initializer and the first non-finite element */
  static void requireFinite(Path file) throws IOException {
    ModelProto model;
    try (InputStream in = Files.newInputStream(file)) {
      model = ModelProto.parseFrom(in);
    } catch (IOException e) {
      return; // not a protobuf: ONNX Runtime refuses it next, with its own message
    }
    for (TensorProto tensor : model.getGraph().getInitializerList()) {
      if (tensor.getDataType() != TensorProto.DataType.FLOAT.getNumber()) {
        continue;
      }
      FloatBuffer raw = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      for (int i = 0; i < raw.limit(); i++) {
        refuse(file, tensor.getName(), i, raw.get(i));
      }
      for (int i = 0; i < tensor.getFloatDataCount(); i++) {
        refuse(file, tensor.getName(), i, tensor.getFloatData(i));
      }
    }
  }

  private static void refuse(Path file, String name, int index, float value) throws IOException {
    if (!Float.isFinite(value)) {
      throw new IOException(file + ": initializer '" + name + "' holds " + value + " at element " + index
          + "; a model with non-finite weights answers nothing sensible. Export a sound checkpoint again");
    }
  }
}

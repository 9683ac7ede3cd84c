package org.aia4j.onnx.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A small writer of ONNX graphs on the ONNX protobuf classes: named inputs and outputs with
 * symbolic dimensions, float32 initializers, constants and nodes with generated unique output
 * names. The exporter says what to compute; this class only spells it in ONNX.
 */
final class GraphBuilder {
  /** The ONNX opset the graphs target (LayerNormalization is in the default domain from 17). */
  static final int OPSET = 17;
  /** The IR version of opset 17 (ONNX 1.12). */
  static final long IR_VERSION = 8;

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final Set<String> names = new HashSet<>();
  private int counter;

  GraphBuilder(String name) {
    graph.setName(name);
  }

  /**
   * Declares a graph input.
   *
   * @param dims each an Integer (fixed) or a String (symbolic, e.g. {@code "batch"})
   */
  String input(String name, TensorProto.DataType type, Object... dims) {
    graph.addInput(valueInfo(claim(name), type, dims));
    return name;
  }

  /** Declares the value {@code name} (the output of some node) as a graph output. */
  void output(String name, TensorProto.DataType type, Object... dims) {
    graph.addOutput(valueInfo(name, type, dims));
  }

  /** Adds a float32 initializer (row-major {@code values}). */
  String weight(String name, long[] shape, float[] values) {
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    if (size != values.length) {
      throw new IllegalArgumentException(name + ": " + values.length + " values for shape " + java.util.Arrays.toString(shape));
    }
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    TensorProto.Builder tensor = TensorProto.newBuilder().setName(claim(name))
        .setDataType(TensorProto.DataType.FLOAT.getNumber()).setRawData(ByteString.copyFrom(bytes.array()));
    for (long d : shape) {
      tensor.addDims(d);
    }
    graph.addInitializer(tensor);
    return name;
  }

  /** A float32 scalar constant. */
  String scalar(float value) {
    String name = claim(fresh("const"));
    graph.addInitializer(TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.FLOAT.getNumber()).addFloatData(value));
    return name;
  }

  /** An int64 scalar constant. */
  String scalar(long value) {
    String name = claim(fresh("const"));
    graph.addInitializer(TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.INT64.getNumber()).addInt64Data(value));
    return name;
  }

  /** An int64 vector constant (shapes, axes). */
  String ints(long... values) {
    String name = claim(fresh("const"));
    TensorProto.Builder tensor = TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.INT64.getNumber()).addDims(values.length);
    for (long v : values) {
      tensor.addInt64Data(v);
    }
    graph.addInitializer(tensor);
    return name;
  }

  /** A node with one output of a generated name. */
  String op(String opType, Map<String, Object> attributes, String... inputs) {
    return opNamed(fresh(opType.toLowerCase()), opType, attributes, inputs);
  }

  /** A node with one output of a generated name and no attributes. */
  String op(String opType, String... inputs) {
    return op(opType, Map.of(), inputs);
  }

  /** A Split node: {@code input} cut along {@code axis} into parts of the given sizes. */
  String[] split(String input, int axis, long... sizes) {
    return split(input, axis, ints(sizes), sizes.length);
  }

  /**
   * A Split node: {@code input} cut along {@code axis} into {@code parts} parts whose sizes the
   * int64 vector {@code sizes} holds (computed in the graph).
   */
  String[] split(String input, int axis, String sizes, int parts) {
    String[] outputs = new String[parts];
    NodeProto.Builder node = NodeProto.newBuilder().setOpType("Split").addInput(input).addInput(sizes)
        .addAttribute(attribute("axis", (long) axis));
    for (int i = 0; i < parts; i++) {
      outputs[i] = claim(fresh("split"));
      node.addOutput(outputs[i]);
    }
    graph.addNode(node.setName(outputs[0] + "_node"));
    return outputs;
  }

  /** A node whose single output has the given name (e.g. a graph output). */
  String opNamed(String output, String opType, Map<String, Object> attributes, String... inputs) {
    NodeProto.Builder node = NodeProto.newBuilder().setOpType(opType).setName(claim(output) + "_node")
        .addOutput(output);
    for (String input : inputs) {
      node.addInput(input);
    }
    attributes.forEach((key, value) -> node.addAttribute(attribute(key, value)));
    graph.addNode(node);
    return output;
  }

  /** @return the model: this graph, opset {@value #OPSET}, with {@code metadata} as properties */
  ModelProto model(String producerVersion, Map<String, String> metadata) {
    ModelProto.Builder model = ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .setProducerName("aia4j")
        .setProducerVersion(producerVersion)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setGraph(graph);
    metadata.forEach((k, v) -> model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return model.build();
  }

  private static AttributeProto attribute(String name, Object value) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
    if (value instanceof Integer || value instanceof Long) {
      a.setType(AttributeProto.AttributeType.INT).setI(((Number) value).longValue());
    } else if (value instanceof Float || value instanceof Double) {
      a.setType(AttributeProto.AttributeType.FLOAT).setF(((Number) value).floatValue());
    } else if (value instanceof long[] ints) {
      a.setType(AttributeProto.AttributeType.INTS);
      for (long i : ints) {
        a.addInts(i);
      }
    } else {
      throw new IllegalArgumentException("Unsupported attribute " + name + " = " + value);
    }
    return a.build();
  }

  private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      if (d instanceof Integer n) {
        shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(n));
      } else {
        shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam((String) d));
      }
    }
    TypeProto.Tensor tensor = TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape).build();
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
  }

  private String fresh(String prefix) {
    String name;
    do {
      name = prefix + "_" + counter++;
    } while (names.contains(name));
    return name;
  }

  private String claim(String name) {
    if (!names.add(name)) {
      throw new IllegalStateException("Duplicate value name " + name);
    }
    return name;
  }
}

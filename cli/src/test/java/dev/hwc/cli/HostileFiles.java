package dev.hwc.cli;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Generators of the hostile inputs of the corpus test and of the fuzzers' seeds: each a small ONNX model,
 * .npy file or profile that once made hwc hang, run out of memory, crash with an internal error or silently
 * build something wrong.
 */
public final class HostileFiles {
  private HostileFiles() {}

  public static ValueInfoProto floatInput(String name, long... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : dims) {
      s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
  }

  public static ModelProto model(GraphProto.Builder g) {
    return ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .setGraph(g.setName(g.getName().isEmpty() ? "g" : g.getName())).build();
  }

  static NodeProto node(String op, String name, String... io) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name);
    n.addInput(io[0]);
    for (int i = 1; i < io.length - 1; i++) {
      n.addInput(io[i]);
    }
    return n.addOutput(io[io.length - 1]).build();
  }

  static TensorProto floats(String name, float[] values, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1)
        .setRawData(ByteString.copyFrom(b.array()));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  /** y = Relu(x), x of [1, 8]: a model every target builds. */
  public static byte[] relu() {
    return model(GraphProto.newBuilder().addInput(floatInput("x", 1, 8)).addOutput(floatInput("y", 1, 8))
        .addNode(node("Relu", "relu", "x", "y"))).toByteArray();
  }

  /** Inputs and outputs but no node. */
  public static byte[] noNodes() {
    return model(GraphProto.newBuilder().addInput(floatInput("x", 1, 8)).addOutput(floatInput("x", 1, 8)))
        .toByteArray();
  }

  /** A node and an output, no graph input (the node reads an initializer). */
  public static byte[] noInputs() {
    return model(GraphProto.newBuilder().addInitializer(floats("c", new float[8], 1, 8))
        .addOutput(floatInput("y", 1, 8)).addNode(node("Relu", "relu", "c", "y"))).toByteArray();
  }

  /** A node and an input, no graph output. */
  public static byte[] noOutputs() {
    return model(GraphProto.newBuilder().addInput(floatInput("x", 1, 8)).addNode(node("Relu", "relu", "x", "y")))
        .toByteArray();
  }

  /** Relu over an input of the given dims (e.g. [2^31, 2^31]: 2^62 elements, 2^64 bytes). */
  public static byte[] hugeInput(long... dims) {
    return model(GraphProto.newBuilder().addInput(floatInput("x", dims)).addOutput(floatInput("y", dims))
        .addNode(node("Relu", "relu", "x", "y"))).toByteArray();
  }

  /**
   * c = a[2^28, 1] x b[1, 2^28], y = c x c: the inputs fit (1 GiB), c (2^58 bytes) fits 64 bits, the second
   * MatMul's MAC count (2^84) does not.
   */
  public static byte[] hugeMatMul() {
    long n = 1L << 28;
    return model(GraphProto.newBuilder().addInput(floatInput("a", n, 1)).addInput(floatInput("b", 1, n))
        .addOutput(floatInput("y", n, n)).addNode(node("MatMul", "mm1", "a", "b", "c"))
        .addNode(node("MatMul", "mm2", "c", "c", "y"))).toByteArray();
  }

  /** The only graph input 'x' also has an initializer named 'x'. */
  public static byte[] inputShadowedByInitializer() {
    return model(GraphProto.newBuilder().addInput(floatInput("x", 1, 8)).addOutput(floatInput("y", 1, 8))
        .addInitializer(floats("x", new float[8], 1, 8)).addNode(node("Relu", "relu", "x", "y"))).toByteArray();
  }

  /** y = x * w with w holding NaN and +Inf among finite values. */
  public static byte[] nonFiniteWeights() {
    float[] w = {1, Float.NaN, 2, Float.POSITIVE_INFINITY, 3, 4, 5, 6};
    return model(GraphProto.newBuilder().addInput(floatInput("x", 1, 8)).addOutput(floatInput("y", 1, 8))
        .addInitializer(floats("scale_w", w, 1, 8)).addNode(node("Mul", "mul", "x", "scale_w", "y"))).toByteArray();
  }

  /** y = x + w with w (16 floats) in external data at {@code location}, {@code offset} bytes in, length unset. */
  public static byte[] externalWeights(String location, long offset) {
    TensorProto.Builder w = TensorProto.newBuilder().setName("w").setDataType(1).addDims(1).addDims(8)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue(location));
    if (offset > 0) {
      w.addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("offset").setValue(Long.toString(offset)));
    }
    return model(GraphProto.newBuilder().addInput(floatInput("x", 1, 8)).addOutput(floatInput("y", 1, 8))
        .addInitializer(w).addNode(node("Add", "add", "x", "w", "y"))).toByteArray();
  }

  /** An .npy header (format 1.0) with the given shape text and no data. */
  public static byte[] npyHeader(String descr, String shape) {
    String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
    int total = 10 + header.length() + 1;
    header = header + " ".repeat((64 - total % 64) % 64) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
    b.put(header.getBytes(StandardCharsets.ISO_8859_1));
    return b.array();
  }

  /** The built-in x86-fp32 profile's text with {@code id:} replaced (the id line kept as is when null). */
  public static String profileText(String id) throws IOException {
    try (var in = HostileFiles.class.getClassLoader().getResourceAsStream("profiles/x86-fp32.yaml")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return id == null ? text : text.replace("id: x86-fp32", "id: " + id);
    }
  }

  /** mkfifo {@code path}; false where the platform has no mkfifo. */
  public static boolean mkfifo(Path path) throws IOException, InterruptedException {
    try {
      Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
      return p.waitFor() == 0 && Files.exists(path);
    } catch (IOException e) {
      return false;
    }
  }
}

package dev.hwc.compiler.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Hand-built ONNX protos for tests, made with the protobuf builders (shared with the backends tests
 * through the compiler's test-jar).
 */
public final class OnnxModels {
  public static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
  public static final int INT64 = TensorProto.DataType.INT64_VALUE;

  private OnnxModels() {}

  /** A tensor ValueInfo; dims are Long/Integer (dim_value), String (dim_param) or null (unknown). */
  public static ValueInfoProto tensorInfo(String name, int elemType, Object... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      TensorShapeProto.Dimension.Builder db = TensorShapeProto.Dimension.newBuilder();
      if (d instanceof Number n) {
        db.setDimValue(n.longValue());
      } else if (d instanceof String p) {
        db.setDimParam(p);
      }
      s.addDim(db);
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(TypeProto.newBuilder().setTensorType(
            TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s)))
        .build();
  }

  /** A tensor ValueInfo with an element type and no shape at all. */
  public static ValueInfoProto shapelessInfo(String name, int elemType) {
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType)))
        .build();
  }

  public static NodeProto node(
      String name, String op, List<String> inputs, List<String> outputs, AttributeProto... attrs) {
    NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).addAllInput(inputs).addAllOutput(outputs);
    if (name != null) {
      b.setName(name);
    }
    for (AttributeProto a : attrs) {
      b.addAttribute(a);
    }
    return b.build();
  }

  public static AttributeProto attr(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(v).build();
  }

  public static AttributeProto attr(String name, float v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(v).build();
  }

  public static AttributeProto attr(String name, String v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(v)).build();
  }

  public static AttributeProto ints(String name, long... v) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
    for (long x : v) {
      b.addInts(x);
    }
    return b.build();
  }

  public static AttributeProto floats(String name, float... v) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOATS);
    for (float x : v) {
      b.addFloats(x);
    }
    return b.build();
  }

  public static AttributeProto tensorAttr(String name, TensorProto t) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR).setT(t).build();
  }

  /** A float tensor in float_data. */
  public static TensorProto floatData(String name, long[] dims, float... values) {
    TensorProto.Builder b = header(name, FLOAT, dims);
    for (float v : values) {
      b.addFloatData(v);
    }
    return b.build();
  }

  /** A float tensor in raw_data (little-endian). */
  public static TensorProto floatRaw(String name, long[] dims, float... values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return header(name, FLOAT, dims).setRawData(ByteString.copyFrom(buf.array())).build();
  }

  /** An int64 tensor in int64_data. */
  public static TensorProto int64Data(String name, long[] dims, long... values) {
    TensorProto.Builder b = header(name, INT64, dims);
    for (long v : values) {
      b.addInt64Data(v);
    }
    return b.build();
  }

  public static TensorProto.Builder header(String name, int dtype, long[] dims) {
    TensorProto.Builder b = TensorProto.newBuilder().setDataType(dtype);
    if (name != null) {
      b.setName(name);
    }
    for (long d : dims) {
      b.addDims(d);
    }
    return b;
  }

  public static ModelProto model(int opset, GraphProto graph) {
    return ModelProto.newBuilder()
        .setIrVersion(opset >= 21 ? 10 : opset >= 19 ? 9 : 7)
        .setProducerName("hwc-tests")
        .setProducerVersion("1")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(graph)
        .build();
  }

  public static Path write(ModelProto m, Path file) throws IOException {
    Files.write(file, m.toByteArray());
    return file;
  }

  /** Deterministic pseudo-random floats in [-1, 1). */
  public static float[] randomFloats(int n, long seed) {
    java.util.Random r = new java.util.Random(seed);
    float[] f = new float[n];
    for (int i = 0; i < f.length; i++) {
      f[i] = r.nextFloat() * 2 - 1;
    }
    return f;
  }

  /**
   * A small opset-13 network with a symbolic batch: x[batch,4] -> MatMul(W, float_data) -> Add(B,
   * raw_data) -> Relu -> Mul(Constant 0.5) -> Reshape(Constant [-1,6]) -> Softmax -> y, Transpose
   * -> z, and Shape(x) -> Cast -> s; the weights come from {@code seed}.
   */
  public static ModelProto smallNetwork(long seed) {
    GraphProto g = GraphProto.newBuilder()
        .setName("small")
        .addInput(tensorInfo("x", FLOAT, "batch", 4))
        .addInitializer(floatData("W", new long[] {4, 6}, randomFloats(24, seed)))
        .addInitializer(floatRaw("B", new long[] {6}, randomFloats(6, seed + 1)))
        .addNode(node("half", "Constant", List.of(), List.of("half"), attr("value_float", 0.5f)))
        .addNode(node("shape", "Constant", List.of(), List.of("target"), ints("value_ints", -1, 6)))
        .addNode(node("mm", "MatMul", List.of("x", "W"), List.of("h0")))
        .addNode(node("bias", "Add", List.of("h0", "B"), List.of("h1")))
        .addNode(node(null, "Relu", List.of("h1"), List.of("h2")))
        .addNode(node("scale", "Mul", List.of("h2", "half"), List.of("h3")))
        .addNode(node("reshape", "Reshape", List.of("h3", "target"), List.of("h4")))
        .addNode(node("softmax", "Softmax", List.of("h4"), List.of("y"), attr("axis", -1L)))
        .addNode(node("transpose", "Transpose", List.of("h4"), List.of("z"), ints("perm", 1, 0)))
        .addNode(node("shape_of", "Shape", List.of("x"), List.of("sx")))
        .addNode(node("cast", "Cast", List.of("sx"), List.of("s"), attr("to", (long) FLOAT)))
        .addOutput(tensorInfo("y", FLOAT, "batch", 6))
        .addOutput(tensorInfo("z", FLOAT, 6, "batch"))
        .addOutput(tensorInfo("s", FLOAT, 2))
        .build();
    return model(13, g);
  }
}

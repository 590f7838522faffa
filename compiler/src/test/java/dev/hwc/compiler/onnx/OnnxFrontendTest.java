package dev.hwc.compiler.onnx;

import static dev.hwc.compiler.onnx.OnnxModels.FLOAT;
import static dev.hwc.compiler.onnx.OnnxModels.INT64;
import static dev.hwc.compiler.onnx.OnnxModels.attr;
import static dev.hwc.compiler.onnx.OnnxModels.floatData;
import static dev.hwc.compiler.onnx.OnnxModels.floats;
import static dev.hwc.compiler.onnx.OnnxModels.header;
import static dev.hwc.compiler.onnx.OnnxModels.int64Data;
import static dev.hwc.compiler.onnx.OnnxModels.ints;
import static dev.hwc.compiler.onnx.OnnxModels.model;
import static dev.hwc.compiler.onnx.OnnxModels.node;
import static dev.hwc.compiler.onnx.OnnxModels.shapelessInfo;
import static dev.hwc.compiler.onnx.OnnxModels.tensorAttr;
import static dev.hwc.compiler.onnx.OnnxModels.tensorInfo;
import static dev.hwc.compiler.onnx.OnnxModels.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import dev.hwc.compiler.frontend.Frontends;
import dev.hwc.compiler.ir.Attribute;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.common.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxFrontendTest {
  @TempDir Path dir;

  private Graph read(ModelProto m) throws IOException {
    return new OnnxFrontend().read(write(m, dir.resolve("m.onnx")));
  }

  /** Reads a model that must fail; returns the message after checking it is one line. */
  private String error(ModelProto m) throws IOException {
    Path f = write(m, dir.resolve("bad.onnx"));
    return error(f);
  }

  private static String error(Path f) {
    BadInputException e = assertThrows(BadInputException.class, () -> new OnnxFrontend().read(f));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  /** x -> Identity -> y around the given initializers (graph outputs them too). */
  private static ModelProto withInitializers(TensorProto... inits) {
    GraphProto.Builder g = GraphProto.newBuilder().setName("g")
        .addInput(tensorInfo("x", FLOAT, 1))
        .addNode(node("id", "Identity", List.of("x"), List.of("y")))
        .addOutput(tensorInfo("y", FLOAT, 1));
    for (TensorProto t : inits) {
      g.addInitializer(t);
    }
    return model(13, g.build());
  }

  private static TensorProto int32Field(String name, DataType type, long[] dims, int... values) {
    TensorProto.Builder b = header(name, type.getNumber(), dims);
    for (int v : values) {
      b.addInt32Data(v);
    }
    return b.build();
  }

  @Test
  void readsTheSmallNetwork() throws IOException {
    Graph g = read(OnnxModels.smallNetwork(1));
    assertEquals("small", g.name());
    assertEquals(13, g.opset());
    assertEquals(List.of("MatMul", "Add", "Relu", "Mul", "Reshape", "Softmax", "Transpose", "Shape", "Cast"),
        g.nodes().stream().map(Node::op).toList());
    // the unnamed Relu gets op_type + "_" + its index among the ONNX nodes
    assertEquals("Relu_4", g.nodes().get(2).name());
    assertEquals(List.of("W", "B", "half", "target"), List.copyOf(g.initializers().keySet()));
    assertEquals(Tensor.scalar(0.5f), g.initializer("half"));
    assertEquals(Tensor.vector(-1, 6), g.initializer("target"));
    assertArrayEquals(OnnxModels.randomFloats(24, 1), g.initializer("W").toFloats());
    assertArrayEquals(OnnxModels.randomFloats(6, 2), g.initializer("B").toFloats());
    assertEquals(new Attribute.Ints(new long[] {1, 0}), g.nodes().get(6).attrs().get("perm"));
    assertEquals(-1, g.nodes().get(5).attrs().getInt("axis", 0));
    assertEquals(DType.FLOAT.onnxCode, g.nodes().get(8).attrs().getInt("to", 0));
    assertEquals("hwc-tests", g.metadata().get(OnnxFrontend.META_PRODUCER_NAME));
  }

  @Test
  void typedFieldInitializers() throws IOException {
    short half = 0x3e00; // 1.5 in IEEE binary16
    TensorProto[] inits = {
      floatData("f32", new long[] {2, 2}, 1, -2, 3.5f, 4),
      int32Field("i32", DataType.INT32, new long[] {3}, -7, 0, 2_000_000_000),
      int32Field("i8", DataType.INT8, new long[] {3}, -128, 0, 127),
      int32Field("u8", DataType.UINT8, new long[] {2}, 0, 255),
      int32Field("i16", DataType.INT16, new long[] {2}, -32768, 32767),
      int32Field("u16", DataType.UINT16, new long[] {2}, 0, 65535),
      int32Field("b", DataType.BOOL, new long[] {3}, 1, 0, 1),
      int32Field("f16", DataType.FLOAT16, new long[] {1}, half & 0xffff),
      int64Data("i64", new long[] {2}, Long.MIN_VALUE, 42),
      header("f64", DataType.DOUBLE_VALUE, new long[] {2}).addDoubleData(0.25).addDoubleData(-1e300).build(),
      header("u64", DataType.UINT64_VALUE, new long[] {1}).addUint64Data(-1L).build(),
      header("u32", DataType.UINT32_VALUE, new long[] {1}).addUint64Data(4_000_000_000L).build(),
      header("empty", FLOAT, new long[] {0, 3}).build(),
      header("scalar", INT64, new long[0]).addInt64Data(9).build(),
    };
    Graph g = read(withInitializers(inits));
    assertArrayEquals(new float[] {1, -2, 3.5f, 4}, g.initializer("f32").toFloats());
    assertArrayEquals(new long[] {2, 2}, g.initializer("f32").shape());
    assertArrayEquals(new double[] {-7, 0, 2_000_000_000}, g.initializer("i32").toDoubles());
    assertArrayEquals(new double[] {-128, 0, 127}, g.initializer("i8").toDoubles());
    assertArrayEquals(new double[] {0, 255}, g.initializer("u8").toDoubles());
    assertArrayEquals(new double[] {-32768, 32767}, g.initializer("i16").toDoubles());
    assertArrayEquals(new double[] {0, 65535}, g.initializer("u16").toDoubles());
    assertEquals(DType.BOOL, g.initializer("b").dtype());
    assertArrayEquals(new double[] {1, 0, 1}, g.initializer("b").toDoubles());
    assertArrayEquals(new double[] {1.5}, g.initializer("f16").toDoubles());
    assertArrayEquals(new long[] {Long.MIN_VALUE, 42}, g.initializer("i64").toLongs());
    assertArrayEquals(new double[] {0.25, -1e300}, g.initializer("f64").toDoubles());
    assertEquals(-1L, g.initializer("u64").buffer().getLong(0)); // 2^64-1, bit for bit
    assertArrayEquals(new double[] {4_000_000_000.0}, g.initializer("u32").toDoubles());
    assertEquals(0, g.initializer("empty").numElements());
    assertArrayEquals(new long[] {0, 3}, g.initializer("empty").shape());
    assertEquals(0, g.initializer("scalar").rank());
    assertEquals(9, g.initializer("scalar").toLongs()[0]);
  }

  @Test
  void rawDataIsLittleEndian() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1).putLong(-2);
    TensorProto t = header("r", INT64, new long[] {2}).setRawData(ByteString.copyFrom(b.array())).build();
    assertArrayEquals(new long[] {1, -2}, read(withInitializers(t)).initializer("r").toLongs());
  }

  @Test
  void initializerSizeMismatchNamesTheTensor() throws IOException {
    String m = error(withInitializers(floatData("w", new long[] {2, 3}, 1, 2, 3, 4, 5)));
    assertEquals("initializer 'w' has 5 values in float_data but its dims [2,3] need 6", m);
    TensorProto raw = header("r", FLOAT, new long[] {4}).setRawData(ByteString.copyFrom(new byte[15])).build();
    assertTrue(error(withInitializers(raw)).startsWith("initializer 'r' has 15 bytes of raw_data"));
    assertTrue(error(withInitializers(header("neg", FLOAT, new long[] {-1}).build()))
        .contains("'neg' has a negative dimension"));
  }

  @Test
  void constantNodesBecomeInitializers() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("g")
        .addInput(tensorInfo("x", FLOAT, 3))
        .addNode(node("c0", "Constant", List.of(), List.of("t"),
            tensorAttr("value", floatData("", new long[] {3}, 1, 2, 3))))
        .addNode(node("c1", "Constant", List.of(), List.of("f"), attr("value_float", 2.5f)))
        .addNode(node("c2", "Constant", List.of(), List.of("fs"), floats("value_floats", 1, 2)))
        .addNode(node("c3", "Constant", List.of(), List.of("i"), attr("value_int", 7L)))
        .addNode(node("c4", "Constant", List.of(), List.of("is"), ints("value_ints", 4, 5, 6)))
        .addNode(node("add", "Add", List.of("x", "t"), List.of("y")))
        .addOutput(tensorInfo("y", FLOAT, 3))
        .build();
    Graph ir = read(model(13, g));
    assertEquals(1, ir.nodes().size());
    assertEquals(Tensor.ofFloats(new long[] {3}, 1, 2, 3), ir.initializer("t"));
    assertEquals(Tensor.scalar(2.5f), ir.initializer("f"));
    assertEquals(Tensor.ofFloats(new long[] {2}, 1, 2), ir.initializer("fs"));
    assertEquals(Tensor.ofLongs(new long[0], 7), ir.initializer("i"));
    assertEquals(Tensor.vector(4, 5, 6), ir.initializer("is"));

    GraphProto s = g.toBuilder().setNode(0, node("str", "Constant", List.of(), List.of("t"),
        AttributeProto.newBuilder().setName("value_string").setType(AttributeProto.AttributeType.STRING)
            .setS(ByteString.copyFromUtf8("hi")).build())).build();
    assertEquals("node 'str' (Constant) holds strings (value_string); hwc supports numeric tensors only",
        error(model(13, s)));
  }

  @Test
  void symbolicUnknownAndMissingShapes() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("g")
        .addInput(tensorInfo("x", FLOAT, "batch", 3, null))
        .addInput(shapelessInfo("m", FLOAT))
        .addNode(node("mul", "Mul", List.of("x", "m"), List.of("h")))
        .addNode(node("relu", "Relu", List.of("h"), List.of("y")))
        .addValueInfo(tensorInfo("h", FLOAT, "batch", 3, "n"))
        .addOutput(tensorInfo("y", FLOAT, "batch", 3, null))
        .build();
    Graph ir = read(model(14, g));
    Value x = ir.inputs().get(0);
    assertEquals(Shape.of(List.of(Dim.symbol("batch"), Dim.of(3), Dim.UNKNOWN)), x.shape());
    assertEquals("x:fp32[batch,3,?]", x.toString());
    assertEquals(Shape.UNKNOWN, ir.inputs().get(1).shape());
    assertEquals(DType.FLOAT, ir.inputs().get(1).dtype());
    assertEquals(new Value("h", DType.FLOAT, Shape.of(List.of(Dim.symbol("batch"), Dim.of(3), Dim.symbol("n")))),
        ir.valueTypes().get("h"));
    assertEquals("y:fp32[batch,3,?]", ir.outputs().get(0).toString());
  }

  @Test
  void opsetOutsideSevenToTwentyOneIsRejected() throws IOException {
    ModelProto ok = OnnxModels.smallNetwork(1);
    for (int opset : new int[] {6, 22}) {
      ModelProto m = ok.toBuilder().setOpsetImport(0,
          OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
      String msg = error(m);
      assertTrue(msg.contains("uses opset " + opset + "; hwc reads opsets 7 to 21"), msg);
    }
    ModelProto none = ok.toBuilder().clearOpsetImport()
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("ai.onnx.ml").setVersion(3)).build();
    assertTrue(error(none).contains("imports no default-domain (ai.onnx) opset"));
    ModelProto aiOnnx = ok.toBuilder().setOpsetImport(0,
        OperatorSetIdProto.newBuilder().setDomain("ai.onnx").setVersion(17)).build();
    assertEquals(17, read(aiOnnx).opset());
  }

  @Test
  void unknownOpNamesOpNodeAndOpset() throws IOException {
    GraphProto g = OnnxModels.smallNetwork(1).getGraph().toBuilder()
        .setNode(4, node("fancy_1", "FancyOp", List.of("h1"), List.of("h2"))).build();
    String msg = error(model(13, g));
    assertTrue(msg.startsWith("unsupported op 'FancyOp' (node 'fancy_1', opset 13)"), msg);

    GraphProto ms = g.toBuilder().setNode(4, node("fused", "FusedGemm", List.of("h1"), List.of("h2"))
        .toBuilder().setDomain("com.microsoft").build()).build();
    String msg2 = error(model(13, ms));
    assertTrue(msg2.startsWith("unsupported op 'FusedGemm' in domain 'com.microsoft' (node 'fused', opset 13)"), msg2);
  }

  @Test
  void everyUnknownOpTypeIsNamedInOneLine() throws IOException {
    GraphProto g = OnnxModels.smallNetwork(1).getGraph().toBuilder()
        .setNode(3, node("nz_1", "NonZero", List.of("h0"), List.of("h1")))
        .setNode(4, node("nms_1", "NonMaxSuppression", List.of("h1"), List.of("h2")))
        .setNode(5, node("nz_2", "NonZero", List.of("h2"), List.of("h3")))
        .setNode(6, node("topk_1", "TopK", List.of("h3"), List.of("h4"))).build();
    String msg = error(model(13, g));
    assertTrue(msg.startsWith("3 unsupported op types: 'NonZero' (2 nodes, first 'nz_1'), 'NonMaxSuppression' (node 'nms_1'),"
        + " 'TopK' (node 'topk_1') (opset 13); hwc supports: "), msg);
    assertFalse(msg.contains("\n"));
  }

  @Test
  void truncatedFileIsOneLineError() throws IOException {
    byte[] whole = OnnxModels.smallNetwork(1).toByteArray();
    Path f = dir.resolve("cut.onnx");
    Files.write(f, Arrays.copyOf(whole, whole.length / 2));
    String msg = error(f);
    assertEquals("cannot read ONNX model " + f
        + ": truncated or not an ONNX protobuf (a field runs past the end of the file)", msg);
  }

  @Test
  void zeroByteAndForeignFiles() throws IOException {
    Path empty = Files.createFile(dir.resolve("empty.onnx"));
    assertEquals("cannot read ONNX model " + empty + ": the file is empty", error(empty));

    Path text = Files.writeString(dir.resolve("text.onnx"), "this is not a model at all\n");
    assertTrue(error(text).startsWith("cannot read ONNX model " + text + ": truncated or not an ONNX protobuf"));

    // field 2 (producer_name), length-delimited, claiming 2 GiB - 1 bytes: refused, not allocated
    Path huge = Files.write(dir.resolve("huge.onnx"),
        new byte[] {0x12, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 'a', 'b'});
    assertEquals("cannot read ONNX model " + huge
        + ": truncated or not an ONNX protobuf (a field runs past the end of the file)", error(huge));
    // field 7 (graph) claiming 2 GiB - 1 bytes, followed by an invalid tag
    Path graph = Files.write(dir.resolve("graph.onnx"),
        new byte[] {0x3a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 1, 2});
    assertTrue(error(graph).contains("truncated or not an ONNX protobuf"), error(graph));

    Path big = dir.resolve("big.onnx");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(3L << 30); // sparse: nothing is written
    }
    assertEquals("cannot read ONNX model " + big + ": 3221225472 bytes is over the 2 GiB protobuf"
        + " limit (keep large weights in external data)", error(big));
    Files.delete(big);

    Path noGraph = write(ModelProto.newBuilder().setIrVersion(8).build(), dir.resolve("nograph.onnx"));
    assertTrue(error(noGraph).endsWith("(the file holds no graph)"));
  }

  @Test
  void duplicateDefinitionsAndSubgraphsAreRejected() throws IOException {
    GraphProto base = OnnxModels.smallNetwork(1).getGraph();
    GraphProto twice = base.toBuilder()
        .setNode(4, node("relu", "Relu", List.of("h1"), List.of("h0"))).build();
    assertTrue(error(model(13, twice)).contains("defines value 'h0' twice: by node 'mm' (MatMul) and by node 'relu' (Relu)"));

    GraphProto initTwice = base.toBuilder().addInitializer(floatData("W", new long[] {1}, 1)).build();
    assertTrue(error(model(13, initTwice)).contains("defines value 'W' twice"));

    AttributeProto graphAttr = AttributeProto.newBuilder().setName("body")
        .setType(AttributeProto.AttributeType.GRAPH).setG(GraphProto.newBuilder().setName("sub")).build();
    GraphProto sub = base.toBuilder().setNode(4, node("r", "Relu", List.of("h1"), List.of("h2"), graphAttr)).build();
    assertEquals("node 'r' (Relu) has GRAPH attribute 'body', which Relu does not take (subgraphs are read for If,"
        + " Loop and Scan)", error(model(13, sub)));
    GraphProto danglingSub = GraphProto.newBuilder().setName("sub")
        .addNode(node("inner", "Relu", List.of("nowhere"), List.of("o"))).build();
    AttributeProto branch = AttributeProto.newBuilder().setName("then_branch")
        .setType(AttributeProto.AttributeType.GRAPH).setG(danglingSub).build();
    GraphProto withIf = base.toBuilder().setNode(4, node("r", "If", List.of("h1"), List.of("h2"), branch)).build();
    assertEquals("node 'inner' (Relu) of node 'r' (If) attribute 'then_branch' reads 'nowhere', which neither the"
        + " subgraph nor an enclosing graph defines", error(model(13, withIf)));

    GraphProto dangling = base.toBuilder().setNode(4, node("r", "Relu", List.of("nowhere"), List.of("h2"))).build();
    assertTrue(error(model(13, dangling)).contains("node 'r' (Relu) reads 'nowhere', which no node"));
  }

  @Test
  void oldStyleInputsThatAreInitializersAreSkipped() throws IOException {
    GraphProto g = OnnxModels.smallNetwork(1).getGraph().toBuilder()
        .addInput(tensorInfo("W", FLOAT, 4, 6)).build();
    Graph ir = read(model(13, g));
    assertEquals(List.of("x"), ir.inputs().stream().map(Value::name).toList());
    assertTrue(ir.isInitializer("W"));
  }

  @Test
  void metadataAndProducerGoToGraphMetadata() throws IOException {
    ModelProto m = OnnxModels.smallNetwork(1).toBuilder()
        .addMetadataProps(StringStringEntryProto.newBuilder().setKey("author").setValue("me"))
        .build();
    Graph g = read(m);
    assertEquals("me", g.metadata().get("author"));
    assertEquals("hwc-tests", g.metadata().get(OnnxFrontend.META_PRODUCER_NAME));
    assertEquals("1", g.metadata().get(OnnxFrontend.META_PRODUCER_VERSION));
  }

  @Test
  void serviceLoaderFindsTheFrontend() throws IOException {
    Path f = write(OnnxModels.smallNetwork(3), dir.resolve("net.onnx"));
    assertEquals(9, Frontends.read(f).nodes().size());
    assertTrue(new OnnxFrontend().accepts(Path.of("a/B.ONNX")));
    assertFalse(new OnnxFrontend().accepts(Path.of("a/b.tflite")));
  }

  // ---- external data ----

  private static TensorProto external(String name, long[] dims, String location, Long offset, Long length) {
    TensorProto.Builder b = header(name, FLOAT, dims)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location));
    if (offset != null) {
      b.addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(offset.toString()));
    }
    if (length != null) {
      b.addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(length.toString()));
    }
    return b.build();
  }

  private static byte[] floatBytes(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  @Test
  void externalDataInsideTheFolderLoads() throws IOException {
    Path sub = Files.createDirectories(dir.resolve("weights"));
    byte[] data = new byte[8 + 12];
    System.arraycopy(floatBytes(7, 8, 9), 0, data, 8, 12);
    Files.write(sub.resolve("w.bin"), data);
    Files.write(dir.resolve("all.bin"), floatBytes(1, 2));
    Graph g = read(withInitializers(
        external("w", new long[] {3}, "weights/w.bin", 8L, 12L),
        external("v", new long[] {2}, "all.bin", null, null)));
    assertArrayEquals(new float[] {7, 8, 9}, g.initializer("w").toFloats());
    assertArrayEquals(new float[] {1, 2}, g.initializer("v").toFloats());
  }

  @Test
  void externalDataOutsideTheFolderIsRejected() throws IOException {
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.write(dir.resolve("x.bin"), floatBytes(1, 2, 3));
    Files.createSymbolicLink(model.resolve("link.bin"), dir.resolve("x.bin"));
    Files.createSymbolicLink(model.resolve("up"), dir);
    Files.write(model.resolve("ok.bin"), floatBytes(1, 2, 3));

    String[][] cases = {
      {"../x.bin", "external data '../x.bin' of tensor 'w' escapes the model folder ('..' in the path)"},
      {"/etc/passwd", "external data '/etc/passwd' of tensor 'w' escapes the model folder (absolute path)"},
      {"link.bin", "external data 'link.bin' of tensor 'w' escapes the model folder (a symlink leads outside)"},
      {"up/x.bin", "external data 'up/x.bin' of tensor 'w' escapes the model folder (a symlink leads outside)"},
      {"sub/../../x.bin", "external data 'sub/../../x.bin' of tensor 'w' escapes the model folder ('..' in the path)"},
    };
    for (String[] c : cases) {
      Path f = write(withInitializers(external("w", new long[] {3}, c[0], null, null)), model.resolve("m.onnx"));
      assertEquals(c[1], error(f));
    }
    Path past = write(withInitializers(external("w", new long[] {3}, "ok.bin", 4L, 12L)), model.resolve("m.onnx"));
    assertEquals("external data 'ok.bin' of tensor 'w' is out of range: offset 4 + length 12 > file size 12", error(past));
    // an offset past the end with no length: said as it is, never as a negative derived length
    Path beyond = write(withInitializers(external("w", new long[] {3}, "ok.bin", 100L, null)), model.resolve("m.onnx"));
    assertEquals("external data 'ok.bin' of tensor 'w' is out of range: offset 100 > file size 12", error(beyond));
    Path wrong = write(withInitializers(external("w", new long[] {2}, "ok.bin", null, null)), model.resolve("m.onnx"));
    assertEquals("external data 'ok.bin' of tensor 'w' has 12 bytes but the tensor's dims need 8", error(wrong));
    Path missing = write(withInitializers(external("w", new long[] {3}, "nope.bin", null, null)), model.resolve("m.onnx"));
    assertTrue(error(missing).startsWith("external data 'nope.bin' of tensor 'w' is missing from the model folder"));
  }

  @Test
  void modelReadThroughASymlinkedFolderStillFindsItsData() throws IOException {
    Path real = Files.createDirectories(dir.resolve("real"));
    Files.write(real.resolve("w.bin"), floatBytes(4, 5, 6));
    write(withInitializers(external("w", new long[] {3}, "w.bin", null, null)), real.resolve("m.onnx"));
    Path alias = Files.createSymbolicLink(dir.resolve("alias"), real);
    Graph g = new OnnxFrontend().read(alias.resolve("m.onnx"));
    assertArrayEquals(new float[] {4, 5, 6}, g.initializer("w").toFloats());
    assertNull(g.initializer("nothing"));
  }
}

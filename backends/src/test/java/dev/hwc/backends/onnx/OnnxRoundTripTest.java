package dev.hwc.backends.onnx;

import static dev.hwc.compiler.onnx.OnnxModels.FLOAT;
import static dev.hwc.compiler.onnx.OnnxModels.floatRaw;
import static dev.hwc.compiler.onnx.OnnxModels.node;
import static dev.hwc.compiler.onnx.OnnxModels.randomFloats;
import static dev.hwc.compiler.onnx.OnnxModels.tensorInfo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.onnx.OnnxFrontend;
import dev.hwc.compiler.onnx.OnnxModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModelProto -> IR -> emitter -> ONNX Runtime gives what ONNX Runtime gives on the original. */
class OnnxRoundTripTest {
  @TempDir Path dir;

  static double maxAbsDiff(Tensor a, Tensor b) {
    assertEquals(a.dtype(), b.dtype());
    assertArrayEquals(a.shape(), b.shape());
    double[] x = a.toDoubles();
    double[] y = b.toDoubles();
    double m = 0;
    for (int i = 0; i < x.length; i++) {
      m = Math.max(m, Math.abs(x[i] - y[i]));
    }
    return m;
  }

  /** Runs both models on the same inputs and returns the largest difference over all outputs. */
  static double compare(Path original, Path emitted, Map<String, Tensor> inputs) throws Exception {
    Map<String, Tensor> want = OrtSession.runOnce(original, inputs);
    Map<String, Tensor> got = OrtSession.runOnce(emitted, inputs);
    assertEquals(List.copyOf(want.keySet()), List.copyOf(got.keySet()));
    double worst = 0;
    for (String name : want.keySet()) {
      double d = maxAbsDiff(want.get(name), got.get(name));
      System.out.printf("  %s: output %s max abs diff %.3g%n", original.getFileName(), name, d);
      worst = Math.max(worst, d);
    }
    return worst;
  }

  @Test
  void smallNetworkRoundTripsThroughOrt() throws Exception {
    Path original = OnnxModels.write(OnnxModels.smallNetwork(7), dir.resolve("small.onnx"));
    Graph g = new OnnxFrontend().read(original);
    Path emitted = dir.resolve("emitted.onnx");
    new OnnxEmitter().emit(g, emitted);

    Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(new long[] {3, 4}, randomFloats(12, 99)));
    assertTrue(compare(original, emitted, in) <= 1e-6);

    Map<String, Tensor> out = OrtSession.runOnce(emitted, in);
    assertEquals(List.of("y", "z", "s"), List.copyOf(out.keySet()));
    assertArrayEquals(new float[] {3, 4}, out.get("s").toFloats());
    try (OrtSession s = OrtSession.open(emitted, SessionOptions.DEFAULT)) {
      assertEquals("[x:fp32[batch,4]]", s.inputs().toString()); // the symbol survives as dim_param
      assertEquals("[y:fp32[batch,6], z:fp32[6,batch], s:fp32[2]]", s.outputs().toString());
    }
  }

  @Test
  void emitterIsDeterministic() throws Exception {
    Path original = OnnxModels.write(OnnxModels.smallNetwork(5), dir.resolve("small.onnx"));
    OnnxEmitter e = new OnnxEmitter();
    Graph g1 = new OnnxFrontend().read(original);
    Graph g2 = new OnnxFrontend().read(original);
    Path a = dir.resolve("a.onnx");
    Path b = dir.resolve("b.onnx");
    e.emit(g1, a);
    e.emit(g2, b);
    byte[] bytes = Files.readAllBytes(a);
    assertArrayEquals(bytes, Files.readAllBytes(b));
    assertArrayEquals(bytes, e.toBytes(g1));
    assertArrayEquals(bytes, e.toBytes(g1));

    // emitting what was emitted reads back to the same graph and the same bytes
    Graph again = new OnnxFrontend().read(a);
    assertArrayEquals(bytes, e.toBytes(again));

    ModelProto m = ModelProto.parseFrom(bytes);
    assertEquals(8, m.getIrVersion()); // opset 13
    assertEquals("hwc", m.getProducerName());
    assertEquals(0, m.getGraph().getValueInfoCount());
    assertEquals(13, m.getOpsetImport(0).getVersion());
    assertEquals("", m.getOpsetImport(0).getDomain());
  }

  @Test
  void irVersionFollowsTheOpset() {
    assertEquals(8, OnnxEmitter.irVersion(11));
    assertEquals(8, OnnxEmitter.irVersion(18));
    assertEquals(9, OnnxEmitter.irVersion(19));
    assertEquals(9, OnnxEmitter.irVersion(20));
    assertEquals(10, OnnxEmitter.irVersion(21));
  }

  /** x[1,64] -> MatMul(W1 16 KiB) -> Add(B1 256 B) -> Relu -> MatMul(W2 8 KiB) -> y[1,32]. */
  private static ModelProto mlp() {
    GraphProto g = GraphProto.newBuilder().setName("mlp")
        .addInput(tensorInfo("x", FLOAT, 1, 64))
        .addInitializer(floatRaw("W1", new long[] {64, 64}, randomFloats(64 * 64, 1)))
        .addInitializer(floatRaw("B1", new long[] {64}, randomFloats(64, 2)))
        .addInitializer(floatRaw("W2", new long[] {64, 32}, randomFloats(64 * 32, 3)))
        .addNode(node("mm1", "MatMul", List.of("x", "W1"), List.of("h0")))
        .addNode(node("b1", "Add", List.of("h0", "B1"), List.of("h1")))
        .addNode(node("relu", "Relu", List.of("h1"), List.of("h2")))
        .addNode(node("mm2", "MatMul", List.of("h2", "W2"), List.of("y")))
        .addOutput(tensorInfo("y", FLOAT, 1, 32))
        .build();
    return OnnxModels.model(17, g);
  }

  @Test
  void largeModelsKeepWeightsInExternalData() throws Exception {
    Path original = OnnxModels.write(mlp(), dir.resolve("mlp.onnx"));
    Graph g = new OnnxFrontend().read(original);
    Path out = Files.createDirectories(dir.resolve("out"));
    Path emitted = out.resolve("mlp.onnx");
    new OnnxEmitter(20_000).emit(g, emitted); // a small limit stands in for 2 GiB

    Path data = out.resolve("mlp.onnx.data");
    assertTrue(Files.exists(data));
    assertTrue(Files.size(emitted) < 2_000, "model file " + Files.size(emitted));
    assertEquals(64 * 64 * 4 + 64 * 32 * 4, Files.size(data)); // W1 at 0, W2 right after
    ModelProto m = ModelProto.parseFrom(Files.readAllBytes(emitted));
    List<TensorProto> inits = m.getGraph().getInitializerList();
    assertEquals(List.of("W1", "B1", "W2"), inits.stream().map(TensorProto::getName).toList());
    assertEquals(TensorProto.DataLocation.EXTERNAL, inits.get(0).getDataLocation());
    assertFalse(inits.get(1).getDataLocation() == TensorProto.DataLocation.EXTERNAL); // 256 bytes stay
    assertEquals(TensorProto.DataLocation.EXTERNAL, inits.get(2).getDataLocation());

    Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(new long[] {1, 64}, randomFloats(64, 4)));
    assertTrue(compare(original, emitted, in) <= 1e-6);
    Graph back = new OnnxFrontend().read(emitted);
    for (String w : List.of("W1", "B1", "W2")) {
      assertEquals(g.initializer(w), back.initializer(w));
    }

    // under the limit, one file and no data file
    Path single = out.resolve("single.onnx");
    new OnnxEmitter().emit(g, single);
    assertFalse(Files.exists(out.resolve("single.onnx.data")));
    assertTrue(compare(original, single, in) <= 1e-6);
  }
}

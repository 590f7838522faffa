package dev.hwc.backends.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.Emitter;
import dev.hwc.backends.Runtime;
import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.onnx.OnnxModels;
import dev.hwc.common.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class OnnxRuntimeTest {
  @TempDir Path dir;

  private static final List<DType> TYPES = List.of(
      DType.FLOAT, DType.DOUBLE, DType.FLOAT16, DType.INT64, DType.INT32, DType.INT8, DType.UINT8,
      DType.BOOL);

  private static String oneLine(Executable e) {
    BadInputException x = assertThrows(BadInputException.class, e);
    assertFalse(x.getMessage().contains("\n"), x.getMessage());
    return x.getMessage();
  }

  @Test
  void everyTensorTypeGoesInAndComesBackBitForBit() throws Exception {
    List<Value> inputs = new ArrayList<>();
    List<Value> outputs = new ArrayList<>();
    List<Node> nodes = new ArrayList<>();
    Map<String, Tensor> feed = new LinkedHashMap<>();
    double[] values = {0, 1, -2, 3.5, 100, 1};
    for (DType t : TYPES) {
      String n = t.shortName();
      inputs.add(new Value("in_" + n, t, Shape.of(2, 3)));
      outputs.add(new Value("out_" + n, t, Shape.of(2, 3)));
      nodes.add(new Node("id_" + n, "Identity", List.of("in_" + n), List.of("out_" + n), Attributes.EMPTY));
      double[] v = values.clone();
      if (t == DType.UINT8 || t == DType.BOOL) {
        v[2] = t == DType.BOOL ? 0 : 254;
      }
      feed.put("in_" + n, Tensor.fromDoubles(t, new long[] {2, 3}, v));
    }
    Graph g = Graph.of("types", 17, inputs, outputs, nodes, Map.of(), Map.of(), Map.of());
    Path model = dir.resolve("types.onnx");
    new OnnxEmitter().emit(g, model);
    Map<String, Tensor> out = OrtSession.runOnce(model, feed);
    for (DType t : TYPES) {
      assertEquals(feed.get("in_" + t.shortName()), out.get("out_" + t.shortName()), t.name());
    }
  }

  @Test
  void wrongInputsGiveOneLineErrors() throws Exception {
    Path model = OnnxModels.write(OnnxModels.smallNetwork(1), dir.resolve("small.onnx"));
    try (OrtSession s = OrtSession.open(model, new SessionOptions(1, false))) {
      Tensor ok = Tensor.ofFloats(new long[] {2, 4}, new float[8]);
      assertEquals(2, s.run(Map.of("x", ok)).get("y").shape()[0]);
      assertEquals("missing input 'x' (expected fp32[batch,4])", oneLine(() -> s.run(Map.of())));
      assertEquals("input 'x' is int64[2,4], expected fp32[batch,4]",
          oneLine(() -> s.run(Map.of("x", Tensor.ofLongs(new long[] {2, 4}, new long[8])))));
      assertEquals("input 'x' has shape [2,5], expected fp32[batch,4]",
          oneLine(() -> s.run(Map.of("x", Tensor.ofFloats(new long[] {2, 5}, new float[10])))));
      assertEquals("input 'x' has shape [8], expected fp32[batch,4]",
          oneLine(() -> s.run(Map.of("x", Tensor.ofFloats(new long[] {8}, new float[8])))));
      assertEquals("unknown input 'q'; small.onnx takes x:fp32[batch,4]",
          oneLine(() -> s.run(Map.of("x", ok, "q", ok))));
    }
  }

  @Test
  void oneSymbolOneSize() throws Exception {
    Shape n = Shape.of(List.of(Dim.symbol("n")));
    Graph g = Graph.of("add", 13,
        List.of(new Value("a", DType.FLOAT, n), new Value("b", DType.FLOAT, n)),
        List.of(new Value("c", DType.FLOAT, n)),
        List.of(new Node("add", "Add", List.of("a", "b"), List.of("c"), Attributes.EMPTY)),
        Map.of(), Map.of(), Map.of());
    Path model = dir.resolve("add.onnx");
    new OnnxEmitter().emit(g, model);
    Map<String, Tensor> bad = new LinkedHashMap<>();
    bad.put("a", Tensor.ofFloats(new long[] {2}, 1, 2));
    bad.put("b", Tensor.ofFloats(new long[] {3}, 1, 2, 3));
    assertEquals("input 'b' has shape [3], expected fp32[n]: 'n' is 2 in input 'a'",
        oneLine(() -> OrtSession.runOnce(model, bad)));
    bad.put("b", Tensor.ofFloats(new long[] {2}, 10, 20));
    assertEquals(Tensor.ofFloats(new long[] {2}, 11, 22), OrtSession.runOnce(model, bad).get("c"));
  }

  @Test
  void unloadableArtifactsGiveOneLineErrors() throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.onnx"), "not a model");
    assertTrue(oneLine(() -> OrtSession.open(junk, SessionOptions.DEFAULT))
        .startsWith("ONNX Runtime cannot load " + junk + ": "));
    Path none = dir.resolve("none.onnx");
    assertEquals("ONNX Runtime cannot load " + none + ": no such file",
        oneLine(() -> OrtSession.open(none, SessionOptions.DEFAULT)));
  }

  @Test
  void serviceLoaderFindsEmitterAndRuntime() {
    Emitter e = ServiceLoader.load(Emitter.class).stream().map(ServiceLoader.Provider::get)
        .filter(x -> x.format().equals("onnx")).findFirst().orElseThrow();
    assertEquals("onnx", e.extension());
    Runtime r = ServiceLoader.load(Runtime.class).stream().map(ServiceLoader.Provider::get)
        .filter(x -> x.id().equals("onnxruntime")).findFirst().orElseThrow();
    assertTrue(r.unavailableReason().isEmpty());
    assertTrue(r.version().startsWith("1.29"), r.version());
  }
}

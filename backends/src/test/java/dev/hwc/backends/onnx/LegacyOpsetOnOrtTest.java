package dev.hwc.backends.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.onnx.OnnxFrontend;
import dev.hwc.compiler.ops.GraphValidator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX models of opsets 7 to 10 (written directly, in their own opset's signatures): the frontend
 * raises them to 11 as it reads them, and the raised graph, emitted again, must compute on ONNX
 * Runtime what the original computes on ONNX Runtime (which still runs those opsets).
 */
class LegacyOpsetOnOrtTest {
  @TempDir Path dir;

  /** A graph editor of the given opset, one float input x of the given shape. */
  private static Graph.Editor graph(String name, int opset, long... shape) {
    Graph.Editor e = Graph.Editor.empty(name, opset);
    e.inputs().add(new Value("x", DType.FLOAT, Shape.of(shape)));
    return e;
  }

  private static void node(Graph.Editor e, String op, Attributes a, String out, String... in) {
    e.addNode(new Node(out, op, List.of(in), List.of(out), a));
  }

  private static void output(Graph.Editor e, String name, long... shape) {
    e.outputs().add(new Value(name, DType.FLOAT, Shape.of(shape)));
  }

  /** Writes the legacy graph, reads it back (raised to 11), writes that; compares both on ORT. */
  private double check(Graph legacy, List<String> wantOps) throws Exception {
    Path a = dir.resolve(legacy.name() + "-" + legacy.opset() + ".onnx");
    new OnnxEmitter().emit(legacy, a);
    Graph read = new OnnxFrontend().read(a);
    assertEquals(11, read.opset());
    assertEquals(List.of(), GraphValidator.validate(read));
    assertEquals(wantOps, read.nodes().stream().map(Node::op).toList());
    Path b = dir.resolve(legacy.name() + "-11.onnx");
    new OnnxEmitter().emit(read, b);
    Random r = new Random(3);
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (Value in : legacy.inputs()) {
      float[] v = new float[(int) in.shape().numElements()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (r.nextGaussian() * 3);
      }
      feed.put(in.name(), Tensor.ofFloats(in.shape().sizes(), v));
    }
    double d = OnnxRoundTripTest.compare(a, b, feed);
    System.out.printf("%s opset %d -> 11: %s, max abs diff on ORT %.3g%n", legacy.name(), legacy.opset(),
        wantOps, d);
    return d;
  }

  @Test
  void opset9UpsampleSlicePadClipBatchNormAndDropoutMatchOnOrt() throws Exception {
    Graph.Editor e = graph("legacy9", 9, 1, 2, 4, 4);
    e.putInitializer("scales", Tensor.ofFloats(new long[] {4}, 1, 1, 2, 2));
    node(e, "Upsample", Attributes.of("mode", "nearest"), "up", "x", "scales");
    node(e, "Slice", Attributes.of("starts", new long[] {1, 0}, "ends", new long[] {7, -1}, "axes", new long[] {2, 3}), "sl", "up");
    node(e, "Pad", Attributes.of("pads", new long[] {0, 0, 1, 2, 0, 0, 0, 1}, "value", 1.5f), "pad", "sl");
    node(e, "Clip", Attributes.of("min", -1f, "max", 2f), "clip", "pad");
    e.putInitializer("g", Tensor.ofFloats(new long[] {2}, 1.5f, 0.5f));
    e.putInitializer("b", Tensor.ofFloats(new long[] {2}, 0.1f, -0.2f));
    e.putInitializer("m", Tensor.ofFloats(new long[] {2}, 0.3f, -0.1f));
    e.putInitializer("v", Tensor.ofFloats(new long[] {2}, 0.8f, 1.7f));
    e.addNode(new Node("bn", "BatchNormalization", List.of("clip", "g", "b", "m", "v"), List.of("bn"),
        Attributes.of("epsilon", 1e-5f)));
    node(e, "Dropout", Attributes.of("ratio", 0.25f), "y", "bn");
    node(e, "Clip", Attributes.of("max", 0.5f), "z", "sl"); // only an upper bound
    output(e, "y", 1, 2, 7, 10);
    output(e, "z", 1, 2, 6, 7);
    assertTrue(check(e.build(), List.of("Resize", "Slice", "Pad", "Clip", "BatchNormalization", "Dropout", "Clip")) <= 1e-5);
  }

  @Test
  void opset7UpsampleWithScalesAttributeAndBatchNormSpatialMatchOnOrt() throws Exception {
    Graph.Editor e = graph("legacy7", 7, 1, 3, 3, 5);
    node(e, "Upsample", Attributes.of("mode", "nearest", "scales", new float[] {1, 1, 3, 2}), "near", "x");
    node(e, "Upsample", Attributes.of("mode", "linear", "scales", new float[] {1, 1, 2, 2}), "lin", "x");
    e.putInitializer("g", Tensor.ofFloats(new long[] {3}, 1.5f, 0.5f, 1f));
    e.putInitializer("b", Tensor.ofFloats(new long[] {3}, 0.1f, -0.2f, 0f));
    e.putInitializer("m", Tensor.ofFloats(new long[] {3}, 0.3f, -0.1f, 0.2f));
    e.putInitializer("v", Tensor.ofFloats(new long[] {3}, 0.8f, 1.7f, 1f));
    e.addNode(new Node("bn", "BatchNormalization", List.of("lin", "g", "b", "m", "v"), List.of("bn"),
        Attributes.of("epsilon", 1e-5f, "spatial", 1L, "momentum", 0.9f)));
    node(e, "Slice", Attributes.of("starts", new long[] {0, 1}, "ends", new long[] {1, 3}), "sl", "x");
    output(e, "near", 1, 3, 9, 10);
    output(e, "bn", 1, 3, 6, 10);
    output(e, "sl", 1, 2, 3, 5);
    assertTrue(check(e.build(), List.of("Resize", "Resize", "BatchNormalization", "Slice")) <= 1e-5);
  }

  @Test
  void opset10ResizeKeepsItsAsymmetricCoordinatesOnOrt() throws Exception {
    Graph.Editor e = graph("legacy10", 10, 1, 2, 3, 4);
    e.putInitializer("scales", Tensor.ofFloats(new long[] {4}, 1, 1, 2, 3));
    node(e, "Resize", Attributes.of("mode", "nearest"), "near", "x", "scales");
    node(e, "Resize", Attributes.of("mode", "linear"), "lin", "x", "scales");
    e.putInitializer("st", Tensor.vector(3, 0));
    e.putInitializer("en", Tensor.vector(0, 4));
    e.putInitializer("ax", Tensor.vector(3, 2));
    e.putInitializer("sp", Tensor.vector(-1, 2));
    node(e, "Slice", Attributes.EMPTY, "sl", "x", "st", "en", "ax", "sp");
    output(e, "near", 1, 2, 6, 12);
    output(e, "lin", 1, 2, 6, 12);
    output(e, "sl", 1, 2, 2, 3);
    assertTrue(check(e.build(), List.of("Resize", "Resize", "Slice")) <= 1e-5);
  }

  @Test
  void aReadTrainingOutputOfAnOldBatchNormIsOneClearError() throws Exception {
    Graph.Editor e = graph("legacy_bn_train", 9, 1, 2, 2, 2);
    for (String s : List.of("g", "b", "m", "v")) {
      e.putInitializer(s, Tensor.ofFloats(new long[] {2}, 1f, 1f));
    }
    e.addNode(new Node("bn", "BatchNormalization", List.of("x", "g", "b", "m", "v"), List.of("y", "mean_out"),
        Attributes.EMPTY));
    output(e, "y", 1, 2, 2, 2);
    e.outputs().add(new Value("mean_out", DType.FLOAT, Shape.of(2)));
    Path p = dir.resolve("bn-train.onnx");
    new OnnxEmitter().emit(e.build(), p);
    BadInputException ex = org.junit.jupiter.api.Assertions.assertThrows(BadInputException.class,
        () -> new OnnxFrontend().read(p));
    assertTrue(ex.getMessage().contains("training output 'mean_out' is read"), ex.getMessage());
    assertFalse(ex.getMessage().contains("\n"));
  }
}

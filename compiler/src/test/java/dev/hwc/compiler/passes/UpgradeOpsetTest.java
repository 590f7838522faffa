package dev.hwc.compiler.passes;

import static dev.hwc.compiler.passes.PassTesting.apply;
import static dev.hwc.compiler.passes.PassTesting.assertWithin;
import static dev.hwc.compiler.passes.PassTesting.maxAbsDiff;
import static dev.hwc.compiler.passes.PassTesting.maxOutputDiff;
import static dev.hwc.compiler.passes.PassTesting.only;
import static dev.hwc.compiler.passes.PassTesting.ops;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.common.BadInputException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpgradeOpsetTest {
  private static final UpgradeOpset TO_13 = new UpgradeOpset(13);
  private static final UpgradeOpset TO_18 = new UpgradeOpset(18);

  private static GraphBuilder at11(String name) {
    return new GraphBuilder(name, 3, 11);
  }

  private static long[] constantInput(Graph g, Node n, int i) {
    Tensor t = g.initializer(n.input(i));
    assertTrue(t != null, n.describe() + " input " + i + " is a constant");
    return t.toLongs();
  }

  @Test
  void squeezeAndUnsqueezeAxesBecomeInputs() {
    GraphBuilder b = at11("sq");
    String x = b.input("x", 2, 1, 3);
    String s = b.node("Squeeze", Attributes.of("axes", new long[] {1}), x);
    b.output(b.node("Unsqueeze", Attributes.of("axes", new long[] {0, 3}), s));
    Graph g = b.build();

    Graph u = apply(TO_13, g);

    assertEquals(13, u.opset());
    Node sq = only(u, "Squeeze");
    Node un = only(u, "Unsqueeze");
    assertFalse(sq.attrs().has("axes"));
    assertFalse(un.attrs().has("axes"));
    assertArrayEquals(new long[] {1}, constantInput(u, sq, 1));
    assertArrayEquals(new long[] {0, 3}, constantInput(u, un, 1));
    assertEquals(Shape.of(1, 2, 3, 1), u.type(u.outputs().get(0).name()).shape());
    assertWithin(0, maxOutputDiff(g, u, 1), "outputs");
  }

  @Test
  void squeezeWithoutAxesStaysAsItIs() {
    GraphBuilder b = at11("sq-all");
    String x = b.input("x", 1, 3, 1);
    b.output(b.node("Squeeze", Attributes.EMPTY, x));
    Graph g = b.build();
    Graph u = apply(TO_13, g);
    assertEquals(List.of(x), only(u, "Squeeze").inputs());
    assertWithin(0, maxOutputDiff(g, u, 1), "outputs");
  }

  @Test
  void splitSizesBecomeAnInputAndFrom18SplitsWithoutSizesNameTheirOutputs() {
    GraphBuilder b = at11("split");
    String x = b.input("x", 2, 6);
    List<String> parts = b.nodeN("Split", Attributes.of("axis", 1L, "split", new long[] {1, 2, 3}), 3, x);
    List<String> halves = b.nodeN("Split", Attributes.of("axis", 0L), 2, parts.get(2));
    b.output(parts.get(0)).output(parts.get(1)).output(halves.get(0)).output(halves.get(1));
    Graph g = b.build();

    Graph u13 = apply(TO_13, g);
    Node sized = u13.nodes().stream().filter(n -> n.op().equals("Split") && n.hasInput(1)).findFirst().orElseThrow();
    assertArrayEquals(new long[] {1, 2, 3}, constantInput(u13, sized, 1));
    assertFalse(sized.attrs().has("split"));
    assertTrue(u13.nodes().stream().noneMatch(n -> n.attrs().has("num_outputs")), "num_outputs is an opset-18 attribute");
    assertWithin(0, maxOutputDiff(g, u13, 1), "outputs at 13");

    Graph u18 = apply(TO_18, g);
    Node even = u18.nodes().stream().filter(n -> n.op().equals("Split") && !n.hasInput(1)).findFirst().orElseThrow();
    assertEquals(2, even.attrs().getInt("num_outputs", -1));
    assertWithin(0, maxOutputDiff(g, u18, 1), "outputs at 18");
  }

  @Test
  void reduceSumAxesMoveAt13AndReduceMeanAxesAt18() {
    GraphBuilder b = at11("reduce");
    String x = b.input("x", 2, 3, 4);
    b.output(b.node("ReduceSum", Attributes.of("axes", new long[] {1}, "keepdims", 0L), x));
    b.output(b.node("ReduceMean", Attributes.of("axes", new long[] {-1}), x));
    Graph g = b.build();

    Graph u13 = apply(TO_13, g);
    assertArrayEquals(new long[] {1}, constantInput(u13, only(u13, "ReduceSum"), 1));
    assertArrayEquals(new long[] {-1}, only(u13, "ReduceMean").attrs().getInts("axes", null), "ReduceMean keeps the attribute below 18");
    assertWithin(1e-12, maxOutputDiff(g, u13, 1), "outputs at 13");

    Graph u18 = apply(TO_18, g);
    assertArrayEquals(new long[] {-1}, constantInput(u18, only(u18, "ReduceMean"), 1));
    assertFalse(only(u18, "ReduceMean").attrs().has("axes"));
    assertEquals(Shape.of(2, 3, 1), u18.type(only(u18, "ReduceMean").output(0)).shape());
    assertWithin(1e-12, maxOutputDiff(g, u18, 1), "outputs at 18");
  }

  @Test
  void reduceSumWithoutAxesStillReducesEverything() {
    GraphBuilder b = at11("reduce-all");
    String x = b.input("x", 2, 3);
    b.output(b.node("ReduceSum", Attributes.of("keepdims", 0L), x));
    Graph g = b.build();
    Graph u = apply(TO_13, g);
    assertEquals(1, only(u, "ReduceSum").inputs().size());
    assertEquals(Shape.SCALAR, u.type(u.outputs().get(0).name()).shape());
    assertWithin(1e-12, maxOutputDiff(g, u, 1), "outputs");
  }

  @Test
  void dropoutRatioBecomesAnInputAt12() {
    GraphBuilder b = at11("dropout");
    String x = b.input("x", 2, 3);
    b.output(b.relu(b.node("Dropout", Attributes.of("ratio", 0.25f), x)));
    Graph g = b.build();
    Graph u = apply(new UpgradeOpset(12), g);
    Node d = only(u, "Dropout");
    assertFalse(d.attrs().has("ratio"));
    assertEquals(0.25, u.initializer(d.input(1)).getDouble(0), 1e-7);
    assertEquals(DType.FLOAT, u.initializer(d.input(1)).dtype());
    assertEquals(0, u.initializer(d.input(1)).rank(), "ratio is a scalar");
    assertWithin(0, maxOutputDiff(g, u, 1), "outputs");
  }

  @Test
  void softmaxOnTheLastAxisKeepsItsMeaningAndStatesTheAxis() {
    GraphBuilder b = at11("softmax-last");
    String x = b.input("x", 2, 5);
    b.output(b.node("Softmax", Attributes.EMPTY, x)); // default axis 1 = last of rank 2
    b.output(b.softmax(b.relu(x), -1));
    Graph g = b.build();
    Graph u = apply(TO_13, g);
    assertEquals(List.of("Softmax", "Relu", "Softmax"), ops(u));
    assertEquals(1, u.nodes().get(0).attrs().getInt("axis", 99));
    assertEquals(-1, u.nodes().get(2).attrs().getInt("axis", 99));
    assertWithin(1e-12, maxOutputDiff(g, u, 1), "outputs");
  }

  @Test
  void softmaxOnAnInnerAxisIsSpelledOutWithFlattenAndReshape() {
    GraphBuilder b = at11("softmax-inner");
    String x = b.input("x", 2, 3, 4);
    String y = b.softmax(x, 1);
    b.output(y);
    Graph g = b.build();

    Graph u = apply(TO_13, g);

    assertEquals(List.of("Flatten", "Softmax", "Reshape"), ops(u));
    assertEquals(1, only(u, "Flatten").attrs().getInt("axis", 99));
    assertEquals(-1, only(u, "Softmax").attrs().getInt("axis", 99));
    assertArrayEquals(new long[] {2, 3, 4}, constantInput(u, only(u, "Reshape"), 1));
    assertEquals(List.of(y), only(u, "Reshape").outputs(), "the graph output keeps its name");

    // The old meaning: a softmax over each row of x as [2, 12].
    Map<String, Tensor> feeds = PassTesting.randomInputs(g, 4);
    Tensor got = Reference.run(u, feeds).get(y);
    GraphBuilder flat = new GraphBuilder("softmax-2d", 1, 13);
    flat.input("x", 2, 12);
    flat.output(flat.softmax("x", -1));
    Graph f = flat.build();
    Tensor want = Reference.run(f, Map.of("x", feeds.get("x").reshape(new long[] {2, 12})))
        .get(f.outputs().get(0).name());
    assertWithin(1e-12, maxAbsDiff(want.reshape(new long[] {2, 3, 4}), got), "softmax over flattened rows");
  }

  @Test
  void softmaxOnAnInnerAxisOfASymbolicShapeReshapesToTheRuntimeShape() {
    GraphBuilder b = at11("softmax-symbolic");
    String x = b.input("x", DType.FLOAT, Shape.of(List.of(Dim.symbol("batch"), Dim.of(3), Dim.of(4))));
    b.output(b.softmax(x, -2));
    Graph g = b.build();
    Graph u = apply(TO_13, g);
    assertEquals(List.of("Flatten", "Softmax", "Shape", "Reshape"), ops(u));
    assertEquals(-2, only(u, "Flatten").attrs().getInt("axis", 99));
    assertEquals(List.of(x), only(u, "Shape").inputs());
    Value out = u.type(u.outputs().get(0).name());
    assertEquals(3, out.shape().rank());
  }

  @Test
  void softmaxWithAnOutOfRangeAxisIsRefused() {
    Node bad = new Node("sm", "Softmax", List.of("x"), List.of("y"), Attributes.of("axis", 5L));
    Graph.Editor e = Graph.Editor.empty("bad", 11);
    e.inputs().add(new Value("x", DType.FLOAT, Shape.of(2, 3)));
    e.outputs().add(new Value("y", DType.UNDEFINED, Shape.UNKNOWN));
    e.addNode(bad);
    Graph g = e.build();
    BadInputException ex = assertThrows(BadInputException.class, () -> TO_13.run(g, PassContext.defaults()));
    assertTrue(ex.getMessage().contains("Softmax 'sm'"), ex.getMessage());
  }

  @Test
  void upsampleBecomesAsymmetricFloorResize() {
    GraphBuilder b = at11("upsample");
    String x = b.input("x", 1, 2, 3, 3);
    String scales = b.constant("scales", Tensor.ofFloats(new long[] {4}, 1, 1, 2, 2));
    b.output(b.node("Upsample", Attributes.of("mode", "nearest"), x, scales));
    Graph g = b.build();
    Graph u = apply(TO_13, g);
    Node r = only(u, "Resize");
    assertEquals(List.of(x, "", scales), r.inputs());
    assertEquals("asymmetric", r.attrs().getString("coordinate_transformation_mode", ""));
    assertEquals("floor", r.attrs().getString("nearest_mode", ""));
    assertEquals(Shape.of(1, 2, 6, 6), u.type(u.outputs().get(0).name()).shape());
  }

  @Test
  void resizeWithTfHalfPixelForNnCannotBeRaisedTo13() {
    GraphBuilder b = at11("tf-resize");
    String x = b.input("x", 1, 1, 2, 2);
    String roi = b.constant("roi", Tensor.ofFloats(new long[] {0}));
    String scales = b.constant("scales", Tensor.ofFloats(new long[] {4}, 1, 1, 2, 2));
    b.output(b.node("Resize", Attributes.of("mode", "nearest",
        "coordinate_transformation_mode", "tf_half_pixel_for_nn"), x, roi, scales));
    Graph g = b.build();
    BadInputException ex = assertThrows(BadInputException.class, () -> TO_13.run(g, PassContext.defaults()));
    assertTrue(ex.getMessage().contains("tf_half_pixel_for_nn"), ex.getMessage());
    assertEquals(12, new UpgradeOpset(12).run(g, PassContext.defaults()).opset(), "12 still has it");
  }

  @Test
  void aGraphAtOrAboveTheTargetIsReturnedAsItIs() {
    GraphBuilder b = new GraphBuilder("new", 1, 17);
    String x = b.input("x", 2, 3);
    b.output(b.softmax(x, 0));
    Graph g = b.build();
    assertSame(g, apply(TO_13, g));
    assertSame(g, apply(new UpgradeOpset(17), g));
  }

  @Test
  void unchangedOpsOnlyChangeTheOpsetAndNamesStayUnique() {
    GraphBuilder b = at11("plain");
    String x = b.input("x", 1, 3, 8, 8);
    String y = b.relu(b.conv(x, 4, 3, 1));
    // a value already named like the constant the rewrite would add
    String taken = b.node("Unsqueeze", Attributes.of("axes", new long[] {0}), y);
    b.output(b.node("Squeeze", Attributes.of("axes", new long[] {0}), taken));
    Graph g = b.build();
    Graph u = apply(TO_18, g);
    assertEquals(18, u.opset());
    assertEquals(ops(g), ops(u));
    assertEquals(g.nodes().get(0), u.nodes().get(0), "Conv is untouched");
    assertWithin(1e-9, maxOutputDiff(g, u, 2), "outputs");
  }

  @Test
  void targetsOutsideHwcsRangeAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new UpgradeOpset(10));
    assertThrows(IllegalArgumentException.class, () -> new UpgradeOpset(99));
  }
}

package dev.hwc.compiler.passes;

import static dev.hwc.compiler.passes.PassTesting.apply;
import static dev.hwc.compiler.passes.PassTesting.assertWithin;
import static dev.hwc.compiler.passes.PassTesting.count;
import static dev.hwc.compiler.passes.PassTesting.maxOutputDiff;
import static dev.hwc.compiler.passes.PassTesting.only;
import static dev.hwc.compiler.passes.PassTesting.ops;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FoldConstantsTest {
  private static final FoldConstants PASS = new FoldConstants();

  private static long[] s(long... d) {
    return d;
  }

  /**
   * {@code x.view(x.size(0), -1)} as PyTorch exports it: Shape -> Gather(0) -> Unsqueeze -> Concat
   * with [-1] -> Reshape. Constants are initializers (the frontend turns Constant nodes into them).
   */
  private static String viewBatchFlat(GraphBuilder b, String x, int opset) {
    String shape = b.node("Shape", Attributes.EMPTY, x);
    String zero = b.constant("zero", Tensor.ofLongs(new long[0], 0));
    String batch = b.node("Gather", Attributes.of("axis", 0L), shape, zero);
    String unsq = opset < 13
        ? b.node("Unsqueeze", Attributes.of("axes", new long[] {0}), batch)
        : b.node("Unsqueeze", Attributes.EMPTY, batch, b.constant("axes", Tensor.vector(0)));
    String cat = b.node("Concat", Attributes.of("axis", 0L), unsq, b.constant("minus_one", Tensor.vector(-1)));
    return b.node("Reshape", Attributes.EMPTY, x, cat);
  }

  @Test
  void shapeGatherUnsqueezeConcatReshapeChainCollapses() {
    for (int opset : new int[] {11, 13, 17}) {
      GraphBuilder b = new GraphBuilder("view_" + opset, 1, opset);
      String x = b.input("x", 2, 3, 4, 4);
      b.output(viewBatchFlat(b, b.relu(x), opset));
      Graph g = b.build();
      assertEquals(List.of("Relu", "Shape", "Gather", "Unsqueeze", "Concat", "Reshape"), ops(g));
      assertEquals(Shape.unknownDims(2), g.outputs().get(0).shape(), "before folding the output shape is unknown");

      Graph f = apply(PASS, g);

      assertEquals(List.of("Relu", "Reshape"), ops(f), "opset " + opset);
      Node reshape = only(f, "Reshape");
      assertArrayEquals(s(2, -1), f.initializer(reshape.input(1)).toLongs());
      assertEquals(DType.INT64, f.initializer(reshape.input(1)).dtype());
      assertEquals(Shape.of(2, 48), f.type(reshape.output(0)).shape());
      assertEquals(Shape.of(2, 48), f.outputs().get(0).shape());
      assertWithin(0, maxOutputDiff(g, f, 1), "outputs");
    }
  }

  @Test
  void chainStaysWhenTheBatchIsSymbolic() {
    GraphBuilder b = new GraphBuilder("view_dyn", 1);
    String x = b.input("x", DType.FLOAT, Shape.of(List.of(Dim.symbol("N"), Dim.of(3), Dim.of(4), Dim.of(4))));
    b.output(viewBatchFlat(b, x, 17));
    Graph g = b.build();
    assertSame(g, apply(PASS, g));
  }

  @Test
  void chainsFoldAcrossShapeInferenceSweeps() {
    // the second chain reads the first Reshape's output, whose shape is known only once the first folded
    GraphBuilder b = new GraphBuilder("two_views", 1);
    String x = b.input("x", 2, 3, 4, 4);
    String flat = viewBatchFlat(b, x, 17);
    b.output(viewBatchFlat(b, b.relu(flat), 17));
    Graph g = b.build();

    Graph f = apply(PASS, g);

    assertEquals(List.of("Reshape", "Relu", "Reshape"), ops(f));
    assertEquals(Shape.of(2, 48), f.outputs().get(0).shape());
  }

  @Test
  void constantArithmeticFoldsWithTheKernels() {
    GraphBuilder b = new GraphBuilder("arith", 1);
    String x = b.input("x", 3);
    String c1 = b.constant("c1", Tensor.ofFloats(s(3), 1, 2, 3));
    String c2 = b.constant("c2", Tensor.ofFloats(s(3), 10, 20, 30));
    String two = b.constant("two", Tensor.ofFloats(s(1), 2));
    String sum = b.add(c1, c2);
    String prod = b.node("Mul", Attributes.EMPTY, sum, two);
    b.output(b.add(x, prod));
    Graph g = b.build();

    Graph f = apply(PASS, g);

    assertEquals(List.of("Add"), ops(f));
    Node add = only(f, "Add");
    assertArrayEquals(new float[] {22, 44, 66}, f.initializer(add.input(1)).toFloats());
    assertWithin(0, maxOutputDiff(g, f, 2), "outputs");
  }

  @Test
  void transposeOfWeightsAndSplitFold() {
    GraphBuilder b = new GraphBuilder("move", 1);
    String x = b.input("x", 3, 2);
    String w = b.constant("w", Tensor.ofFloats(s(2, 3), 1, 2, 3, 4, 5, 6));
    String wt = b.node("Transpose", Attributes.of("perm", new long[] {1, 0}), w);
    List<String> parts = b.nodeN("Split", Attributes.of("axis", 0L), 2,
        b.constant("v", Tensor.ofFloats(s(6), 1, 2, 3, 4, 5, 6)), b.constant("sizes", Tensor.vector(2, 4)));
    b.output(b.add(x, wt));
    b.output(b.node("Mul", Attributes.EMPTY, parts.get(0), parts.get(0)));
    b.output(b.node("Neg", Attributes.EMPTY, parts.get(1)));
    Graph g = b.build();

    Graph f = apply(PASS, g);

    assertEquals(0, count(f, "Transpose") + count(f, "Split"));
    assertArrayEquals(s(3, 2), f.initializer(wt).shape());
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, f.initializer(wt).toFloats());
    assertArrayEquals(new float[] {1, 2}, f.initializer(parts.get(0)).toFloats());
    assertArrayEquals(new float[] {3, 4, 5, 6}, f.initializer(parts.get(1)).toFloats());
    // Mul and Neg produce graph outputs: they stay nodes, on constant inputs
    assertEquals(List.of("Add", "Mul", "Neg"), ops(f));
  }

  @Test
  void opsWithoutKernelAreLeftAlone() {
    GraphBuilder b = new GraphBuilder("nokernel", 1);
    String x = b.input("x", 1, 4);
    String c = b.constant("c", Tensor.ofFloats(s(1, 4), 1, 2, 3, 4));
    b.output(b.add(x, b.softmax(c, 1)));
    Graph g = b.build();
    assertSame(g, apply(PASS, g));
  }

  @Test
  void resultsAboveTheCapAreLeftUnlessNoLargerThanTheirInputs() {
    GraphBuilder b = new GraphBuilder("cap", 1);
    String x = b.input("x", 20, 10);
    String one = b.constant("one", Tensor.ofFloats(s(1), 1));
    String expanded = b.node("Expand", Attributes.EMPTY, one, b.constant("to", Tensor.vector(20, 10)));
    String big = b.constant("big", b.randomNormal(1, 10, 20));
    String moved = b.node("Transpose", Attributes.of("perm", new long[] {1, 0}), big);
    b.output(b.add(b.add(x, expanded), moved));
    Graph g = b.build();

    Graph f = apply(new FoldConstants(100), g);

    // Expand: 200 elements > cap 100 and > its 3 input elements -> stays; Transpose: 200 from 200 -> folds
    assertEquals(List.of("Expand", "Add", "Add"), ops(f));
    assertTrue(f.isInitializer(moved));
    // under the default cap (1M elements) both fold
    assertEquals(List.of("Add", "Add"), ops(apply(PASS, g)));
    assertEquals(1L << 20, FoldConstants.DEFAULT_MAX_ELEMENTS);
  }

  @Test
  void failingKernelLeavesTheNodeAndNotesWhy() {
    GraphBuilder b = new GraphBuilder("bad_gather", 1);
    String x = b.input("x", 1);
    String data = b.constant("data", Tensor.ofFloats(s(3), 1, 2, 3));
    String picked = b.node("Gather", Attributes.EMPTY, data, b.constant("idx", Tensor.vector(5)));
    b.output(b.add(x, picked));
    Graph g = b.build();
    List<String> notes = new ArrayList<>();

    Graph f = apply(PASS, g, PassContext.forTests().withLog(notes::add));

    assertSame(g, f);
    assertEquals(1, notes.size(), notes.toString());
    assertTrue(notes.get(0).contains("Gather") && notes.get(0).contains("out of range"), notes.get(0));
  }

  @Test
  void constantOfShapeFoldsOnlyFromAConstantShape() {
    GraphBuilder b = new GraphBuilder("cos", 1);
    String x = b.input("x", 2, 3);
    String dyn = b.input("dims", DType.INT64, Shape.of(2));
    Attributes seven = Attributes.of("value", Tensor.ofFloats(s(1), 7));
    String filled = b.node("ConstantOfShape", seven, b.constant("shape", Tensor.vector(2, 3)));
    b.output(b.add(x, filled));
    b.output(b.relu(b.node("ConstantOfShape", seven, dyn)));
    Graph g = b.build();
    List<String> notes = new ArrayList<>();

    Graph f = apply(PASS, g, PassContext.forTests().withLog(notes::add));

    assertEquals(List.of("Add", "ConstantOfShape", "Relu"), ops(f));
    assertArrayEquals(new float[] {7, 7, 7, 7, 7, 7}, f.initializer(filled).toFloats());
    // its data is its output's shape: a static-shaped but unknown input is not "shape only"
    assertEquals(List.of(), notes);
  }

  @Test
  void initializersThatAreGraphInputsAreNotConstant() {
    GraphBuilder b = new GraphBuilder("override", 1);
    String x = b.input("x", 3);
    String c = b.constant("c", Tensor.ofFloats(s(3), 1, 2, 3));
    b.input(c, DType.FLOAT, Shape.of(3)); // an overridable default, as in old ONNX files
    b.output(b.add(x, b.node("Neg", Attributes.EMPTY, c)));
    Graph g = b.build();
    assertSame(g, apply(PASS, g));
  }

  @Test
  void nothingToFoldReturnsTheSameGraph() {
    GraphBuilder b = new GraphBuilder("plain", 1);
    b.output(b.relu(b.conv(b.input("x", 1, 3, 8, 8), 4, 3, 1)));
    Graph g = b.build();
    assertSame(g, apply(PASS, g));
  }
}

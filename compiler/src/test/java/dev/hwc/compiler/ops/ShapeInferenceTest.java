package dev.hwc.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShapeInferenceTest {
  private static Shape shapeOf(Graph g, String v) {
    return g.type(v).shape();
  }

  @Test
  void convPoolAndTransposedConvFollowTheOnnxFormulas() {
    GraphBuilder b = new GraphBuilder("t", 1);
    String x = b.input("x", 1, 3, 33, 20);
    String c = b.conv(x, 8, 3, 2); // pad 1: floor((33+2-3)/2)+1 = 17, floor((20+2-3)/2)+1 = 10
    String p = b.node("MaxPool", Attributes.of("kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2},
        "ceil_mode", 1L), c); // ceil((17-2)/2)+1 = 9, ceil((10-2)/2)+1 = 5
    String t = b.convTranspose(p, 4, 2, 2); // 2*(9-1)+2 = 18, 2*(5-1)+2 = 10
    String same = b.node("AveragePool", Attributes.of("kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2},
        "auto_pad", "SAME_UPPER"), t); // ceil(18/2) = 9, ceil(10/2) = 5
    b.output(same);
    Graph g = b.build();
    assertEquals(Shape.of(1, 8, 17, 10), shapeOf(g, c));
    assertEquals(Shape.of(1, 8, 9, 5), shapeOf(g, p));
    assertEquals(Shape.of(1, 4, 18, 10), shapeOf(g, t));
    assertEquals(Shape.of(1, 4, 9, 5), shapeOf(g, same));
  }

  @Test
  void symbolicDimsFlowThroughMatMulReshapeAndBroadcast() {
    GraphBuilder b = new GraphBuilder("t", 1);
    String x = b.input("x", DType.FLOAT, Shape.of(List.of(Dim.symbol("batch"), Dim.symbol("seq"), Dim.of(64))));
    String w = b.constant("w", b.randomNormal(0.1, 64, 32));
    String y = b.node("MatMul", Attributes.EMPTY, x, w);
    String shape = b.constant("shape", Tensor.vector(0, 0, 4, 8));
    String r = b.node("Reshape", Attributes.EMPTY, y, shape);
    String bias = b.constant("bias", b.randomNormal(0.1, 1, 1, 4, 1));
    String s = b.node("Add", Attributes.EMPTY, r, bias);
    b.output(s);
    Graph g = b.build();
    assertEquals("[batch,seq,32]", shapeOf(g, y).toString());
    assertEquals("[batch,seq,4,8]", shapeOf(g, r).toString());
    assertEquals("[batch,seq,4,8]", shapeOf(g, s).toString());
  }

  @Test
  void opsetDecidesWhereSqueezeAxesLive() {
    for (int opset : new int[] {11, 13}) {
      GraphBuilder b = new GraphBuilder("t", 1, opset);
      String x = b.input("x", 1, 5, 1, 7);
      String out = opset < 13
          ? b.node("Squeeze", Attributes.of("axes", new long[] {0, 2}), x)
          : b.node("Squeeze", Attributes.EMPTY, x, b.constant("axes", Tensor.vector(0, -2)));
      b.output(out);
      assertEquals(Shape.of(5, 7), shapeOf(b.build(), out), "opset " + opset);
    }
  }

  @Test
  void sliceGatherConcatSplitAndResize() {
    GraphBuilder b = new GraphBuilder("t", 1, 13);
    String x = b.input("x", 2, 10, 6, 6);
    String sl = b.node("Slice", Attributes.EMPTY, x, b.constant("s", Tensor.vector(1, -1)),
        b.constant("e", Tensor.vector(Long.MAX_VALUE, 0)), b.constant("a", Tensor.vector(1, 3)),
        b.constant("st", Tensor.vector(2, -2))); // axis 1: 1,3,5,7,9 -> 5; axis 3: 5,3,1 -> 3
    String ga = b.node("Gather", Attributes.of("axis", 1L), x, b.constant("i", Tensor.ofLongs(new long[] {2, 2}, 0, 1, 2, 3)));
    String cat = b.concat(1, x, x);
    List<String> parts = b.nodeN("Split", Attributes.of("axis", 1L), 2, x, b.constant("sp", Tensor.vector(3, 7)));
    String rs = b.resize(x, 2, "nearest");
    b.output(sl).output(ga).output(cat).output(parts.get(0)).output(parts.get(1)).output(rs);
    Graph g = b.build();
    assertEquals(Shape.of(2, 5, 6, 3), shapeOf(g, sl));
    assertEquals(Shape.of(2, 2, 2, 6, 6), shapeOf(g, ga));
    assertEquals(Shape.of(2, 20, 6, 6), shapeOf(g, cat));
    assertEquals(Shape.of(2, 3, 6, 6), shapeOf(g, parts.get(0)));
    assertEquals(Shape.of(2, 7, 6, 6), shapeOf(g, parts.get(1)));
    assertEquals(Shape.of(2, 10, 12, 12), shapeOf(g, rs));
  }

  @Test
  void mismatchedShapesNameTheNode() {
    GraphBuilder b = new GraphBuilder("t", 1);
    String x = b.input("x", 1, 3, 8, 8);
    String w = b.constant("w", b.randomNormal(0.1, 4, 5, 3, 3));
    b.output(b.node("Conv", Attributes.EMPTY, x, w));
    ShapeException e = assertThrows(ShapeException.class, b::build);
    assertTrue(e.getMessage().startsWith("Conv 'conv_1'"), e.getMessage());
    assertTrue(e.getMessage().contains("3 channels"), e.getMessage());
  }

  @Test
  void bindInputsMakesSymbolicShapesStatic() {
    GraphBuilder b = new GraphBuilder("t", 1);
    String x = b.input("x", DType.FLOAT, Shape.of(List.of(Dim.symbol("batch"), Dim.of(3), Dim.symbol("h"), Dim.symbol("w"))));
    b.output(b.conv(x, 4, 3, 2));
    Graph g = ShapeInference.bindInputs(b.build(), Map.of("x", new long[] {1, 3, 64, 48}));
    assertEquals(Shape.of(1, 4, 32, 24), g.outputs().get(0).shape());
    assertThrows(dev.hwc.common.BadInputException.class,
        () -> ShapeInference.bindInputs(g, Map.of("x", new long[] {1, 4, 64, 48})));
    assertThrows(dev.hwc.common.BadInputException.class,
        () -> ShapeInference.bindInputs(g, Map.of("nope", new long[] {1})));
  }
}

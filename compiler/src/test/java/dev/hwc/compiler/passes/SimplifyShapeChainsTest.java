package dev.hwc.compiler.passes;

import static dev.hwc.compiler.passes.PassTesting.apply;
import static dev.hwc.compiler.passes.PassTesting.ops;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimplifyShapeChainsTest {
  private static final Shape BATCH_SEQ_8 =
      Shape.of(List.of(Dim.symbol("batch"), Dim.symbol("seq"), Dim.of(8)));

  /** A transformer's head split, {@code x.view(x.size(0), x.size(1), 2, 4)}, as exporters write it. */
  private static String headSplit(GraphBuilder b, String x, String dimsFrom) {
    String shape = b.node("Shape", Attributes.EMPTY, dimsFrom);
    String d0 = b.node("Unsqueeze", Attributes.of("axes", new long[] {0}),
        b.node("Gather", Attributes.of("axis", 0L), shape, b.constant("i0", Tensor.ofLongs(new long[0], 0))));
    String d1 = b.node("Unsqueeze", Attributes.of("axes", new long[] {0}),
        b.node("Gather", Attributes.of("axis", 0L), shape, b.constant("i1", Tensor.ofLongs(new long[0], 1))));
    String cat = b.node("Concat", Attributes.of("axis", 0L), d0, d1, b.constant("heads", Tensor.vector(2)),
        b.constant("width", Tensor.vector(4)));
    return b.node("Reshape", Attributes.EMPTY, x, cat);
  }

  @Test
  void headSplitOnSymbolicDimsBecomesAConstantTargetThatCopiesDims() {
    GraphBuilder b = new GraphBuilder("heads", 1, 11);
    String x = b.input("x", DType.FLOAT, BATCH_SEQ_8);
    String y = b.relu(x);
    b.output(headSplit(b, y, y));
    Graph g = b.build();
    assertEquals(Shape.unknownDims(4), g.outputs().get(0).shape());

    Graph f = Pipeline.standard().run(g, PassContext.forTests());

    assertEquals(List.of("Relu", "Reshape"), ops(f));
    Node reshape = f.nodes().get(1);
    assertArrayEquals(new long[] {0, 0, 2, 4}, f.initializer(reshape.input(1)).toLongs());
    assertEquals("[batch,seq,2,4]", f.outputs().get(0).shape().toString());
  }

  @Test
  void dimsReadFromAnotherTensorAreLeftAlone() {
    GraphBuilder b = new GraphBuilder("other", 1, 11);
    String x = b.input("x", DType.FLOAT, BATCH_SEQ_8);
    String z = b.input("z", DType.FLOAT, BATCH_SEQ_8);
    b.output(headSplit(b, b.relu(x), z)); // z's dims may differ from x's at run time
    Graph g = b.build();
    assertSame(g, apply(new SimplifyShapeChains(), g));
  }

  @Test
  void staticDimsReadThroughShapeBecomeConstants() {
    GraphBuilder b = new GraphBuilder("static_dim", 1, 11);
    String x = b.input("x", DType.FLOAT, BATCH_SEQ_8);
    String width = b.node("Gather", Attributes.of("axis", 0L), b.node("Shape", Attributes.EMPTY, x),
        b.constant("i2", Tensor.ofLongs(new long[0], 2)));
    String asFloat = b.node("Cast", Attributes.of("to", (long) DType.FLOAT.onnxCode), width);
    b.output(b.node("Div", Attributes.EMPTY, x, b.node("Sqrt", Attributes.EMPTY, asFloat)));
    Graph g = b.build();

    Graph f = Pipeline.standard().run(g, PassContext.forTests().disable(DivToMul.NAME));

    assertEquals(List.of("Div"), ops(f), "Shape, Gather, Cast and Sqrt fold to the constant sqrt(8)");
    assertEquals(Math.sqrt(8), f.initializer(f.nodes().get(0).input(1)).getDouble(0), 1e-6);
  }
}

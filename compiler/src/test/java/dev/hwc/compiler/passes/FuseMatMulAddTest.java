package dev.hwc.compiler.passes;

import static dev.hwc.compiler.passes.PassTesting.apply;
import static dev.hwc.compiler.passes.PassTesting.assertWithin;
import static dev.hwc.compiler.passes.PassTesting.maxOutputDiff;
import static dev.hwc.compiler.passes.PassTesting.only;
import static dev.hwc.compiler.passes.PassTesting.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class FuseMatMulAddTest {
  private static final FuseMatMulAdd PASS = new FuseMatMulAdd();

  /** x [rows.., 6] @ w [6, 4] + bias of the given shape; biasFirst puts the bias as the Add's first input. */
  private static Graph linear(long[] xShape, long[] biasShape, boolean biasFirst) {
    GraphBuilder b = new GraphBuilder("linear", 3);
    String x = b.input("x", xShape);
    String w = b.constant("w", b.randomNormal(0.4, 6, 4));
    String bias = b.constant("bias", b.randomNormal(0.5, biasShape));
    String mm = b.node("MatMul", Attributes.EMPTY, b.relu(x), w);
    b.output(biasFirst ? b.add(bias, mm) : b.add(mm, bias));
    return b.build();
  }

  @Test
  void twoDimensionalMatMulPlusBiasBecomesGemm() {
    Graph g = linear(new long[] {5, 6}, new long[] {4}, false);
    Node mm = only(g, "MatMul");

    Graph f = apply(PASS, g);

    assertEquals(List.of("Relu", "Gemm"), ops(f));
    Node gemm = only(f, "Gemm");
    assertEquals(List.of(mm.input(0), mm.input(1), only(g, "Add").input(1)), gemm.inputs());
    assertEquals(only(g, "Add").outputs(), gemm.outputs());
    assertEquals(mm.name(), gemm.name());
    assertEquals(Attributes.EMPTY, gemm.attrs(), "alpha = beta = 1, no transposes");
    assertNull(f.type(mm.output(0)));
    assertEquals(Shape.of(5, 4), f.outputs().get(0).shape());
    assertWithin(1e-5, maxOutputDiff(g, f, 1), "outputs");
  }

  @Test
  void biasOfShapeOneByNOnEitherSideFuses() {
    Graph g = linear(new long[] {5, 6}, new long[] {1, 4}, true);
    Graph f = apply(PASS, g);
    assertEquals(List.of("Relu", "Gemm"), ops(f));
    assertWithin(1e-5, maxOutputDiff(g, f, 2), "outputs");
  }

  @Test
  void threeDimensionalActivationsDoNotFuse() {
    // a transformer's [batch, sequence, hidden] @ [hidden, out] + bias: Gemm cannot express it
    Graph g = linear(new long[] {1, 5, 6}, new long[] {4}, false);
    assertEquals(3, g.type(only(g, "MatMul").input(0)).shape().rank());
    assertSame(g, apply(PASS, g));
  }

  @Test
  void unknownRankDoesNotFuse() {
    GraphBuilder b = new GraphBuilder("unknown_rank", 3);
    String x = b.input("x", DType.FLOAT, Shape.UNKNOWN);
    String mm = b.node("MatMul", Attributes.EMPTY, x, b.constant("w", b.randomNormal(1, 6, 4)));
    b.output(b.add(mm, b.constant("bias", b.randomNormal(1, 4))));
    Graph g = b.build();
    assertSame(g, apply(PASS, g));
  }

  @Test
  void biasThatIsNotPerColumnDoesNotFuse() {
    assertNoFusion(linear(new long[] {5, 6}, new long[] {5, 4}, false));
    assertNoFusion(linear(new long[] {5, 6}, new long[] {5, 1}, false));
  }

  private static void assertNoFusion(Graph g) {
    assertSame(g, apply(PASS, g));
  }

  @Test
  void nonConstantWeightsOrBiasDoNotFuse() {
    GraphBuilder b = new GraphBuilder("dyn", 3);
    String x = b.input("x", 5, 6);
    String w = b.input("w", 6, 4);
    String mm = b.node("MatMul", Attributes.EMPTY, x, w);
    b.output(b.add(mm, b.constant("bias", b.randomNormal(1, 4))));
    assertNoFusion(b.build());

    GraphBuilder b2 = new GraphBuilder("dyn_bias", 3);
    String x2 = b2.input("x", 5, 6);
    String bias = b2.input("bias", DType.FLOAT, Shape.of(4));
    String mm2 = b2.node("MatMul", Attributes.EMPTY, x2, b2.constant("w", b2.randomNormal(1, 6, 4)));
    b2.output(b2.add(mm2, bias));
    assertNoFusion(b2.build());
  }

  @Test
  void matMulWithAnotherReaderDoesNotFuse() {
    GraphBuilder b = new GraphBuilder("shared", 3);
    String x = b.input("x", 5, 6);
    String mm = b.node("MatMul", Attributes.EMPTY, x, b.constant("w", b.randomNormal(1, 6, 4)));
    b.output(b.add(mm, b.constant("bias", b.randomNormal(1, 4))));
    b.output(b.relu(mm));
    assertNoFusion(b.build());

    GraphBuilder b2 = new GraphBuilder("mm_out", 3);
    String x2 = b2.input("x", 5, 6);
    String mm2 = b2.node("MatMul", Attributes.EMPTY, x2, b2.constant("w", b2.randomNormal(1, 6, 4)));
    b2.output(b2.add(mm2, b2.constant("bias", b2.randomNormal(1, 4))));
    b2.output(mm2);
    assertNoFusion(b2.build());
  }

  @Test
  void intermediateConstantsAreNotConfusedWithWeights() {
    // Add(MatMul(x, w), MatMul(x, w)) has no constant bias
    GraphBuilder b = new GraphBuilder("twice", 3);
    String x = b.input("x", 5, 6);
    String w = b.constant("w", b.randomNormal(1, 6, 4));
    String mm = b.node("MatMul", Attributes.EMPTY, x, w);
    b.output(b.add(mm, mm));
    assertNoFusion(b.build());
  }
}

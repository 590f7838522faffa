package dev.hwc.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import org.junit.jupiter.api.Test;

/** The exporters' exact GELU spelled out in five nodes becomes one Gelu, in both operand orders. */
class FuseGeluTest {
  /** x -> MatMul -> 0.5·h·(1 + erf(h/√2)) (or (h·0.5)·(1 + erf(h/√2))) -> MatMul, at opset 20. */
  private static Graph model(boolean halfFirst) {
    GraphBuilder b = new GraphBuilder("gelu", 3);
    String x = b.input("x", 2, 8);
    String h = b.linear(x, 8, 1);
    String erf = b.node("Erf", Attributes.EMPTY,
        b.node("Div", Attributes.EMPTY, h, b.constant("sqrt2", Tensor.scalar((float) Math.sqrt(2)))));
    String onePlus = b.add(erf, b.constant("one", Tensor.scalar(1f)));
    String half = b.constant("half", Tensor.scalar(0.5f));
    String gelu = halfFirst ? b.mul(b.mul(h, half), onePlus) : b.mul(b.mul(h, onePlus), half);
    b.output(b.linear(gelu, 4, 1));
    return b.build().edit().opset(20).build();
  }

  @Test
  void fiveNodesBecomeOneGeluWithTheSameOutputs() {
    for (boolean halfFirst : new boolean[] {false, true}) {
      Graph before = model(halfFirst);
      Graph after = PassTesting.apply(new FuseGelu(), before);
      assertEquals(1, PassTesting.count(after, "Gelu"), "halfFirst " + halfFirst);
      assertEquals(0, PassTesting.count(after, "Erf"));
      assertEquals(before.nodes().size() - 4, after.nodes().size());
      PassTesting.assertWithin(1e-5, PassTesting.maxOutputDiff(before, after, 1), "Gelu vs its spelled-out form");
    }
  }

  @Test
  void belowOpset20ItDoesNothing() {
    Graph g = model(false).edit().opset(17).build();
    assertEquals(0, PassTesting.count(PassTesting.apply(new FuseGelu(), g), "Gelu"));
  }
}

package dev.hwc.compiler.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightCheckTest {
  private static Graph mul(float... w) {
    Graph.Editor e = Graph.Editor.empty("g", 17)
        .addNode(new Node("mul", "Mul", List.of("x", "w"), List.of("y"), Attributes.EMPTY)).build().edit();
    e.inputs().add(new Value("x", DType.FLOAT, Shape.of(w.length)));
    e.outputs().add(new Value("y", DType.FLOAT, Shape.of(w.length)));
    e.initializers().put("w", Tensor.ofFloats(new long[] {w.length}, w));
    return e.build();
  }

  @Test
  void namesTheInitializerAndCountsItsNonFiniteValues() {
    Graph g = mul(1, Float.NaN, 2, Float.NEGATIVE_INFINITY);
    assertEquals(List.of(new WeightCheck.NonFinite("w", 2, 4, 1, Double.NaN)), WeightCheck.nonFinite(g));
    BadInputException e = assertThrows(BadInputException.class,
        () -> WeightCheck.requireFinite(g, "target 'x86-int8' quantizes to int8"));
    assertEquals("initializer 'w' has 2 NaN/Inf values of 4 (the first, NaN, at flat index 1); target 'x86-int8'"
        + " quantizes to int8, which needs finite weights", e.getMessage());
    assertTrue(WeightCheck.warning(g).startsWith("warning: initializer 'w' has 2 NaN/Inf values of 4"));
  }

  @Test
  void finiteWeightsPass() {
    Graph g = mul(1, 2, 3);
    assertTrue(WeightCheck.nonFinite(g).isEmpty());
    WeightCheck.requireFinite(g, "int8");
    assertNull(WeightCheck.warning(g));
  }
}

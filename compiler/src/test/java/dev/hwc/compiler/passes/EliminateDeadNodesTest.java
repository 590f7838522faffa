package dev.hwc.compiler.passes;

import static dev.hwc.compiler.passes.PassTesting.apply;
import static dev.hwc.compiler.passes.PassTesting.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

class EliminateDeadNodesTest {
  private static final EliminateDeadNodes PASS = new EliminateDeadNodes();

  @Test
  void unreachableBranchAndItsOwnWeightsAreRemoved() {
    GraphBuilder b = new GraphBuilder("dead", 1);
    String x = b.input("x", 1, 3, 8, 8);
    String unused = b.input("unused", 2);
    String shared = b.constant("shared", Tensor.ofFloats(new long[] {1}, 2));
    String live = b.node("Mul", Attributes.EMPTY, b.relu(x), shared);
    String deadConv = b.conv(x, 4, 3, 1); // its weights and bias are read by nothing else
    String deadMul = b.node("Mul", Attributes.EMPTY, b.sigmoid(deadConv), shared);
    b.constant("orphan", Tensor.ofFloats(new long[] {1}, 0));
    b.output(live);
    Graph g = b.build();
    assertEquals(5, g.nodes().size());
    assertEquals(4, g.initializers().size());

    Graph f = apply(PASS, g);

    assertEquals(List.of("Relu", "Mul"), ops(f));
    assertEquals(List.of(shared), List.copyOf(f.initializers().keySet()));
    assertEquals(List.of(x, unused), f.inputs().stream().map(Value::name).toList(), "graph inputs stay");
    assertNull(f.type(deadMul), "types of removed values are dropped");
    assertFalse(f.valueTypes().containsKey(deadConv));
  }

  @Test
  void multiOutputNodeStaysWhenAnyOutputIsLive() {
    GraphBuilder b = new GraphBuilder("split", 1);
    String x = b.input("x", 4);
    List<String> parts = b.nodeN("Split", Attributes.of("axis", 0L), 2, x, b.constant("sizes", Tensor.vector(1, 3)));
    b.output(b.relu(parts.get(1)));
    Graph g = b.build();
    assertSame(g, apply(PASS, g));
  }

  @Test
  void initializerGivingAGraphInputItsDefaultStays() {
    GraphBuilder b = new GraphBuilder("default", 1);
    String x = b.input("x", 2);
    String c = b.constant("c", Tensor.ofFloats(new long[] {2}, 1, 2));
    b.input(c, DType.FLOAT, Shape.of(2));
    b.output(b.relu(x));
    Graph g = b.build();
    Graph f = apply(PASS, g);
    assertSame(g, f);
    assertTrue(f.isInitializer(c));
  }
}

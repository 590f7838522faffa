package dev.hwc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The layer helpers build what their Javadoc says, with the shapes shape inference expects. */
class GraphBuilderTest {
  @Test
  void reshapeTransposeMatMulAndLinear() {
    GraphBuilder b = new GraphBuilder("t", 1);
    String x = b.input("x", 2, 3, 4, 5);
    String flat = b.reshape(x, 0, 3, -1);
    assertEquals(Shape.of(2, 3, 20), b.type(flat).shape());
    String t = b.transpose(flat, 0, 2, 1);
    assertEquals(Shape.of(2, 20, 3), b.type(t).shape());
    String y = b.linear(t, 7, 1.0);
    assertEquals(Shape.of(2, 20, 7), b.type(y).shape());
    assertEquals(Shape.of(2, 20, 20), b.type(b.matMul(y, b.transpose(y, 0, 2, 1))).shape());
  }

  @Test
  void selfAttentionKeepsTheShapeAndUsesOnlyPlainOps() {
    GraphBuilder b = new GraphBuilder("t", 1);
    String x = b.input("x", 1, 8, 4, 2);
    String y = b.selfAttention(x, 4);
    b.output(y);
    Graph g = b.build();
    assertEquals(Shape.of(1, 8, 4, 2), g.type(y).shape());
    Map<String, Integer> ops = new TreeMap<>();
    for (Node n : g.nodes()) {
      ops.merge(n.op(), 1, Integer::sum);
    }
    assertEquals(Map.of("Add", 1, "MatMul", 6, "Reshape", 2, "Softmax", 1, "Transpose", 3), ops);
    // same seed, same weights
    GraphBuilder b2 = new GraphBuilder("t", 1);
    b2.output(b2.selfAttention(b2.input("x", 1, 8, 4, 2), 4));
    assertEquals(g.initializers(), b2.build().initializers());
  }
}

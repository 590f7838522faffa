package dev.hwc.backends.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ops.ShapeInference;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mid-size model checked whole and in parts on ONNX Runtime: the same outputs, bit for bit. */
class OrtChainTest {
  @TempDir Path dir;

  /**
   * 600 residual blocks (MatMul, Tanh, Add bias, Add the block's input, Sigmoid: two tensors live inside a
   * block, one between blocks) and a second graph output half way: 3,001 nodes.
   */
  private static Graph residualChain() {
    GraphBuilder b = new GraphBuilder("residual", 7);
    String x = b.input("x", 2, 8);
    String w = b.constant("w", b.randomNormal(0.5, 8, 8));
    String c = b.constant("c", b.randomNormal(0.5, 1, 8));
    for (int i = 0; i < 600; i++) {
      String skip = x;
      x = b.node("MatMul", Attributes.EMPTY, x, w);
      x = b.node("Tanh", Attributes.EMPTY, x);
      x = b.node("Add", Attributes.EMPTY, x, c);
      x = b.node("Add", Attributes.EMPTY, x, skip);
      x = b.node("Sigmoid", Attributes.EMPTY, x);
      if (i == 300) {
        b.output(b.node("Relu", Attributes.EMPTY, x));
      }
    }
    b.output(x);
    return ShapeInference.run(b.build());
  }

  private static Map<String, Tensor> feed(long seed) {
    Random r = new Random(seed);
    float[] v = new float[16];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return Map.of("x", Tensor.ofFloats(new long[] {2, 8}, v));
  }

  @Test
  void partsCutBetweenBlocksGiveTheWholeModelsOutputsExactly() throws Exception {
    Graph g = residualChain();
    Path file = dir.resolve("residual.onnx");
    new OnnxEmitter().emit(g, file);
    OrtChain chain = OrtChain.cut(file, g::type, 500);
    assertTrue(chain != null && chain.parts() >= 6, "cut into parts");
    for (OrtChain.Part p : chain.partList().subList(1, chain.parts())) {
      assertEquals(1, p.inputs().size(), "one tensor crosses each cut: " + p);
      String first = g.nodes().get(p.first()).op(); // hwc's nodes are the file's, in its order
      assertTrue(first.equals("Sigmoid") || first.equals("MatMul"), "cut between blocks or before a Sigmoid: " + p);
    }
    List<Map<String, Tensor>> feeds = List.of(feed(1), feed(2));
    List<Map<String, Tensor>> parts = chain.runAll(feeds, SessionOptions.DEFAULT);
    double maxAbs = 0;
    try (OrtSession whole = OrtSession.open(file, SessionOptions.DEFAULT)) {
      for (int i = 0; i < feeds.size(); i++) {
        Map<String, Tensor> want = whole.run(feeds.get(i));
        assertEquals(List.copyOf(want.keySet()), List.copyOf(parts.get(i).keySet()));
        for (String out : want.keySet()) {
          float[] a = want.get(out).toFloats();
          float[] p = parts.get(i).get(out).toFloats();
          assertEquals(a.length, p.length);
          for (int j = 0; j < a.length; j++) {
            maxAbs = Math.max(maxAbs, Math.abs(a[j] - p[j]));
          }
          assertArrayEquals(a, p, out);
        }
      }
    }
    System.out.println("OrtChainTest: " + g.nodes().size() + " nodes in " + chain.parts() + " parts, max abs diff "
        + maxAbs + " against the whole model on ONNX Runtime");
    assertEquals(0.0, maxAbs);
  }

  @Test
  void aModelWithinOnePartIsNotCut() throws Exception {
    Graph g = residualChain();
    Path file = dir.resolve("residual.onnx");
    new OnnxEmitter().emit(g, file);
    assertNull(OrtChain.cut(file, g::type, 5000));
  }
}

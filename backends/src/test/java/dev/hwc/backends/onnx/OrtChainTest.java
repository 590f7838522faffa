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
  void partsCreatedAheadGiveTheSameOutputsAsPartsCreatedInTurn() throws Exception {
    Graph g = residualChain();
    Path file = dir.resolve("residual.onnx");
    new OnnxEmitter().emit(g, file);
    OrtChain chain = OrtChain.cut(file, g::type, 300);
    assertTrue(chain != null && chain.parts() >= 10, "cut into parts");
    List<Map<String, Tensor>> feeds = List.of(feed(3), feed(4), feed(5));
    List<Map<String, Tensor>> inTurn = chain.runAll(feeds, SessionOptions.DEFAULT, 0);
    for (int ahead : new int[] {1, 2, 5}) {
      List<Map<String, Tensor>> got = chain.runAll(feeds, SessionOptions.DEFAULT, ahead);
      for (int i = 0; i < feeds.size(); i++) {
        assertEquals(List.copyOf(inTurn.get(i).keySet()), List.copyOf(got.get(i).keySet()));
        for (String out : inTurn.get(i).keySet()) {
          assertArrayEquals(inTurn.get(i).get(out).toFloats(), got.get(i).get(out).toFloats(), ahead + " ahead: " + out);
        }
      }
    }
    // two chains at once, as the reference and an artifact check run side by side: the shared creators serve both
    var other = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return chain.runAll(feeds, SessionOptions.DEFAULT);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    List<Map<String, Tensor>> mine = chain.runAll(feeds, SessionOptions.DEFAULT);
    for (List<Map<String, Tensor>> got : List.of(mine, other.get())) {
      for (int i = 0; i < feeds.size(); i++) {
        for (String out : inTurn.get(i).keySet()) {
          assertArrayEquals(inTurn.get(i).get(out).toFloats(), got.get(i).get(out).toFloats(), "side by side: " + out);
        }
      }
    }
  }

  @Test
  void aFailingPartEndsTheRunInOneLineAndTheChainStillRuns() throws Exception {
    Graph g = residualChain();
    Path file = dir.resolve("residual.onnx");
    new OnnxEmitter().emit(g, file);
    OrtChain chain = OrtChain.cut(file, g::type, 300);
    // a feed of the wrong shape: part 1 refuses it, while parts 2 and 3 are already being created
    Map<String, Tensor> wrong = Map.of("x", Tensor.ofFloats(new long[] {2, 4}, new float[8]));
    var e = org.junit.jupiter.api.Assertions.assertThrows(dev.hwc.common.BadInputException.class,
        () -> chain.runAll(List.of(wrong), SessionOptions.DEFAULT, 2));
    assertTrue(!e.getMessage().contains("\n") && e.getMessage().contains("x"), e.getMessage());
    // and the chain still runs: nothing of the failed run is left holding the creators
    assertEquals(2, chain.runAll(List.of(feed(1), feed(2)), SessionOptions.DEFAULT, 2).size());
  }

  @Test
  void aModelWithinOnePartIsNotCut() throws Exception {
    Graph g = residualChain();
    Path file = dir.resolve("residual.onnx");
    new OnnxEmitter().emit(g, file);
    assertNull(OrtChain.cut(file, g::type, 5000));
  }
}

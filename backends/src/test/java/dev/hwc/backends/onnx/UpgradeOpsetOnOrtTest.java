package dev.hwc.backends.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.onnx.OnnxFrontend;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.passes.UpgradeOpset;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UpgradeOpset} checked against ONNX Runtime, which implements every opset: the graph at its
 * old opset and the upgraded graph run on the same inputs and must agree. all-MiniLM-L6-v2
 * (opset 11) is raised to 13 (per-axis QDQ) and to 17.
 */
class UpgradeOpsetOnOrtTest {
  @TempDir Path dir;

  /** Token ids from the MiniLM vocabulary ([CLS] this is a test [SEP] and friends). */
  static final long[][] TOKENS = {
    {101, 2023, 2003, 1037, 3231, 102},
    {101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102},
    {101, 7592, 102},
    {101, 2054, 2515, 1037, 2307, 2944, 2298, 2066, 2043, 2009, 2003, 24888, 1029, 102},
  };

  @Test
  void miniLmRaisedTo13And17MatchesTheOriginalOnOrt() throws Exception {
    Path original = dir.resolve("minilm.onnx");
    try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2.onnx")) {
      Files.copy(in, original);
    }
    Graph g = new OnnxFrontend().read(original);
    System.out.printf("MiniLM opset %d, ops %s%n", g.opset(), histogram(g));
    try (OrtSession before = OrtSession.open(original, SessionOptions.DEFAULT)) {
      for (int target : new int[] {13, 17}) {
        long t0 = System.nanoTime();
        Graph u = UpgradeOpset.to(g, target);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(target, u.opset());
        assertEquals(List.of(), GraphValidator.validate(u));
        for (Node n : u.nodes()) {
          assertTrue(!n.attrs().has("axes") || n.op().equals("ReduceMean") && target < 18,
              n.describe() + " still has an axes attribute at " + target);
        }
        Path file = dir.resolve("minilm-" + target + ".onnx");
        new OnnxEmitter().emit(u, file);
        double worst = 0;
        try (OrtSession after = OrtSession.open(file, SessionOptions.DEFAULT)) {
          for (long[] ids : TOKENS) {
            Map<String, Tensor> feed = miniLmFeed(before, ids);
            worst = Math.max(worst, worstDiff(before.run(feed), after.run(feed)));
          }
        }
        System.out.printf("MiniLM opset 11 -> %d in %d ms: %d -> %d nodes, worst max abs diff %.3g over %d sequences%n",
            target, ms, g.nodes().size(), u.nodes().size(), worst, TOKENS.length);
        assertTrue(worst <= 1e-5, "opset " + target + ": max abs diff " + worst);
      }
    }
  }

  static Map<String, Tensor> miniLmFeed(OrtSession s, long[] ids) {
    long[] ones = new long[ids.length];
    java.util.Arrays.fill(ones, 1);
    long[] shape = {1, ids.length};
    Map<String, Tensor> all = Map.of(
        "input_ids", Tensor.ofLongs(shape, ids),
        "attention_mask", Tensor.ofLongs(shape, ones),
        "token_type_ids", Tensor.ofLongs(shape, new long[ids.length]));
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (Value in : s.inputs()) {
      feed.put(in.name(), all.get(in.name()));
    }
    return feed;
  }

  static double worstDiff(Map<String, Tensor> want, Map<String, Tensor> got) {
    assertEquals(List.copyOf(want.keySet()), List.copyOf(got.keySet()));
    double worst = 0;
    for (String out : want.keySet()) {
      worst = Math.max(worst, OnnxRoundTripTest.maxAbsDiff(want.get(out), got.get(out)));
    }
    return worst;
  }

  static Map<String, Long> histogram(Graph g) {
    Map<String, Long> h = new TreeMap<>();
    g.nodes().forEach(n -> h.merge(n.op(), 1L, Long::sum));
    return h;
  }

  // ---- one small graph per rewritten op, at opset 11 and upgraded

  /** Emits g at its opset and raised to target, runs both on the same random inputs on ORT. */
  private double oldVersusNew(Graph g, int target) throws Exception {
    Graph u = UpgradeOpset.to(g, target);
    assertEquals(List.of(), GraphValidator.validate(u));
    Path a = dir.resolve(g.name() + "-" + g.opset() + ".onnx");
    Path b = dir.resolve(g.name() + "-" + target + ".onnx");
    new OnnxEmitter().emit(g, a);
    new OnnxEmitter().emit(u, b);
    Random r = new Random(5);
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (Value in : g.inputs()) {
      long[] shape = in.shape().isStatic() ? in.shape().sizes() : new long[] {2, 3, 4};
      float[] v = new float[(int) Tensor.ofFloats(shape, new float[(int) count(shape)]).numElements()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (r.nextGaussian() * 3);
      }
      feed.put(in.name(), Tensor.ofFloats(shape, v));
    }
    double d = OnnxRoundTripTest.compare(a, b, feed);
    System.out.printf("%s: opset %d -> %d, ops %s -> %s, max abs diff %.3g%n",
        g.name(), g.opset(), target, histogram(g).keySet(), histogram(u).keySet(), d);
    return d;
  }

  private static long count(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  @Test
  void squeezeUnsqueezeSplitReduceAndDropoutAgreeOnOrt() throws Exception {
    GraphBuilder b = new GraphBuilder("mixed", 1, 11);
    String x = b.input("x", 2, 1, 6);
    String sq = b.node("Squeeze", Attributes.of("axes", new long[] {1}), x);
    List<String> parts = b.nodeN("Split", Attributes.of("axis", 1L, "split", new long[] {2, 4}), 2, sq);
    List<String> halves = b.nodeN("Split", Attributes.of("axis", 1L), 2, parts.get(1));
    String sum = b.node("ReduceSum", Attributes.of("axes", new long[] {1}, "keepdims", 1L), parts.get(0));
    String mean = b.node("ReduceMean", Attributes.of("axes", new long[] {-1}, "keepdims", 0L), halves.get(0));
    String drop = b.node("Dropout", Attributes.of("ratio", 0.3f), halves.get(1));
    b.output(b.node("Unsqueeze", Attributes.of("axes", new long[] {0, 2}), mean));
    b.output(sum).output(drop);
    Graph g = b.build();
    for (int target : new int[] {13, 18}) {
      assertEquals(0.0, oldVersusNew(g, target), "opset " + target);
    }
  }

  @Test
  void softmaxOnInnerAxesKeepsItsOpset11MeaningOnOrt() throws Exception {
    GraphBuilder b = new GraphBuilder("softmax_static", 1, 11);
    String x = b.input("x", 2, 3, 4);
    b.output(b.softmax(x, 1)).output(b.softmax(x, 0)).output(b.softmax(x, 2)).output(b.softmax(x, -2));
    b.output(b.node("Softmax", Attributes.EMPTY, x));
    assertTrue(oldVersusNew(b.build(), 13) <= 1e-7);

    GraphBuilder s = new GraphBuilder("softmax_symbolic", 1, 11);
    String y = s.input("y", DType.FLOAT, Shape.of(List.of(Dim.symbol("n"), Dim.of(3), Dim.symbol("m"))));
    s.output(s.softmax(y, 1)).output(s.softmax(y, 2));
    assertTrue(oldVersusNew(s.build(), 13) <= 1e-7);
  }
}

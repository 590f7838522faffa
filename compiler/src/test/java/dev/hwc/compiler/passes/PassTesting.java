package dev.hwc.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.GraphValidator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Shared helpers of the pass tests. */
final class PassTesting {
  private PassTesting() {}

  /** Runs one pass alone under the test context (validating instrument on) and checks the result again. */
  static Graph apply(Pass pass, Graph g) {
    return apply(pass, g, PassContext.forTests());
  }

  static Graph apply(Pass pass, Graph g, PassContext ctx) {
    Graph out = ctx.run(pass, g);
    assertEquals(List.of(), GraphValidator.validate(out), "graph after " + pass.info().name());
    return out;
  }

  static List<String> ops(Graph g) {
    List<String> ops = new ArrayList<>();
    for (Node n : g.nodes()) {
      ops.add(n.op());
    }
    return ops;
  }

  static long count(Graph g, String op) {
    return g.nodes().stream().filter(n -> n.op().equals(op)).count();
  }

  static Node only(Graph g, String op) {
    List<Node> found = g.nodes().stream().filter(n -> n.op().equals(op)).toList();
    assertEquals(1, found.size(), "nodes of " + op + " in " + ops(g));
    return found.get(0);
  }

  /** Normal(0, 1) values for every graph input, all of static shape. */
  static Map<String, Tensor> randomInputs(Graph g, long seed) {
    Random r = new Random(seed);
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    for (Value v : g.inputs()) {
      long[] shape = v.shape().sizes();
      double[] d = new double[(int) v.shape().numElements()];
      for (int i = 0; i < d.length; i++) {
        d[i] = r.nextGaussian();
      }
      feeds.put(v.name(), Tensor.fromDoubles(v.dtype() == DType.UNDEFINED ? DType.FLOAT : v.dtype(), shape, d));
    }
    return feeds;
  }

  /** Fails with the measured value when {@code diff} exceeds {@code tol}. */
  static void assertWithin(double tol, double diff, String what) {
    assertTrue(diff <= tol, what + ": max abs diff " + diff + " > " + tol);
  }

  static double maxAbsDiff(Tensor a, Tensor b) {
    assertArrayEquals(a.shape(), b.shape(), "shapes of " + a + " and " + b);
    double[] x = a.toDoubles();
    double[] y = b.toDoubles();
    double m = 0;
    for (int i = 0; i < x.length; i++) {
      m = Math.max(m, Math.abs(x[i] - y[i]));
    }
    return m;
  }

  /**
   * Runs both graphs with the reference interpreter on the same random inputs and returns the
   * largest absolute difference over all outputs (matched by name, which passes must keep).
   */
  static double maxOutputDiff(Graph before, Graph after, long seed) {
    Map<String, Tensor> feeds = randomInputs(before, seed);
    Map<String, Tensor> want = Reference.run(before, feeds);
    Map<String, Tensor> got = Reference.run(after, feeds);
    assertEquals(want.keySet(), got.keySet(), "output names");
    double m = 0;
    for (String name : want.keySet()) {
      assertTrue(got.get(name) != null, "output " + name + " computed");
      m = Math.max(m, maxAbsDiff(want.get(name), got.get(name)));
    }
    return m;
  }
}

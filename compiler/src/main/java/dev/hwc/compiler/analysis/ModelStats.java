package dev.hwc.compiler.analysis;

import dev.hwc.common.SafeFiles;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a model is made of: op histogram, parameter count and bytes, and multiply-accumulates of
 * the weighted ops (Conv, ConvTranspose, Gemm, MatMul). MACs need static shapes; with symbolic
 * dims they are reported as unknown.
 *
 * @param opHistogram op type to node count, sorted by op name
 * @param nodes total nodes
 * @param parameters total elements of the initializers
 * @param parameterBytes total bytes of the initializers
 * @param macs multiply-accumulates per inference, or -1 when some weighted op has unknown shapes
 */
public record ModelStats(
    Map<String, Integer> opHistogram, int nodes, long parameters, long parameterBytes, long macs) {

  public static ModelStats of(Graph g) {
    Map<String, Integer> hist = new TreeMap<>();
    long macs = 0;
    for (Node n : g.nodes()) {
      hist.merge(n.op(), 1, Integer::sum);
      long m = macs(g, n);
      macs = macs < 0 || m < 0 ? -1 : SafeFiles.add(macs, m, "the model's MAC count");
    }
    return new ModelStats(hist, g.nodes().size(), g.parameterCount(), g.parameterBytes(), macs);
  }

  /** MACs of one node; 0 for ops without a weighted product, -1 when shapes are not static. */
  public static long macs(Graph g, Node n) {
    switch (n.op()) {
      case "Conv": {
        Shape out = shape(g, n.output(0));
        Shape w = shape(g, n.input(1));
        return out == null || w == null ? -1 : w.dim(0).size() == 0 ? 0
            : SafeFiles.multiply(out.numElements(), w.numElements() / w.dim(0).size(), "the MAC count of " + n.describe());
      }
      case "ConvTranspose": {
        Shape in = shape(g, n.input(0));
        Shape w = shape(g, n.input(1));
        return in == null || w == null ? -1 : w.dim(0).size() == 0 ? 0
            : SafeFiles.multiply(in.numElements(), w.numElements() / w.dim(0).size(), "the MAC count of " + n.describe());
      }
      case "Gemm":
      case "MatMul": {
        Shape a = shape(g, n.input(0));
        Shape out = shape(g, n.output(0));
        if (a == null || out == null || a.rank() == 0) {
          return -1; // a declared scalar operand (shape inference could not check it): no MAC count
        }
        boolean transA = n.op().equals("Gemm") && n.attrs().getInt("transA", 0) != 0;
        long k = a.rank() == 1 ? a.dim(0).size() : transA ? a.dim(0).size() : a.dim(-1).size();
        return SafeFiles.multiply(out.numElements(), k, "the MAC count of " + n.describe());
      }
      default:
        return 0;
    }
  }

  private static Shape shape(Graph g, String value) {
    var v = g.type(value);
    return v == null || !v.shape().isStatic() ? null : v.shape();
  }

  /** Symbols among the graph inputs' dims ("batch", "sequence"), for messages about unknown MACs. */
  public static java.util.Set<String> inputSymbols(Graph g) {
    java.util.Set<String> s = new java.util.TreeSet<>();
    g.inputs().forEach(v -> {
      if (v.shape().hasRank()) {
        v.shape().dims().stream().filter(Dim::isSymbolic).forEach(d -> s.add(d.symbol()));
      }
    });
    return s;
  }
}

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

  /**
   * MACs of one node; 0 for ops without a weighted product, -1 when shapes are not static. Each op's
   * count is its registry entry's ({@link dev.hwc.compiler.ops.OpDef#macsOf}).
   */
  public static long macs(Graph g, Node n) {
    return dev.hwc.compiler.ops.OpRegistry.lookup(n.op()).map(d -> d.macsOf(g, n)).orElse(0L);
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

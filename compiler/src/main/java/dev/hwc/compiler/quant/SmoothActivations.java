package dev.hwc.compiler.quant;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ops.ShapeInference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Moves quantization difficulty from activations to weights before int8 (the SmoothQuant idea):
 * transformer activations carry a few outlier channels that stretch a per-tensor int8 range, while
 * weights quantize per output column. For each activation x read by MatMuls with constant weights,
 * channel j is divided by s_j = max|x_j|^alpha / max|W_j|^(1 - alpha) and the weights' row j is
 * multiplied by it, so {@code (x / s) (diag(s) W) == x W} exactly in float; only the quantization
 * noise moves. The division is one Mul per activation (shared by the MatMuls that read it).
 */
public final class SmoothActivations {
  /**
   * Smooth an activation only when its largest channel range is more than this many times its median
   * channel range: below it the per-tensor int8 range is not dominated by outliers and the Mul is pure
   * cost. On all-MiniLM-L6-v2 the LayerNorm outputs feeding the FFNs and the early GELU outputs have
   * ratios of 10-16, the rest 2-8 (bench/RESULTS.md).
   */
  public static final double OUTLIER_RATIO = 10;

  /** max / median of an activation's per-channel absolute maxima. */
  public static double outlierRatio(float[] channelAbsMax) {
    float[] v = channelAbsMax.clone();
    java.util.Arrays.sort(v);
    double median = v[v.length / 2];
    return median > 0 ? v[v.length - 1] / median : Double.POSITIVE_INFINITY;
  }

  /** The SmoothQuant paper's default balance between activation and weight ranges. */
  public static final double DEFAULT_ALPHA = 0.5;

  private SmoothActivations() {}

  /** The activations this rewrite would smooth: inputs of MatMuls with constant 2-D float weights. */
  public static List<String> candidates(Graph g) {
    List<String> out = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (eligible(g, n) && !out.contains(n.input(0))) {
        out.add(n.input(0));
      }
    }
    return out;
  }

  /**
   * Rewrites the graph given each activation's largest magnitude per channel (its last axis),
   * measured on calibration data. Activations without statistics are left alone.
   */
  public static Graph apply(Graph g, Map<String, float[]> channelAbsMax, double alpha, Set<String> keepFloatNodes) {
    Map<String, List<Node>> readers = new LinkedHashMap<>();
    for (Node n : g.nodes()) {
      if (eligible(g, n) && !keepFloatNodes.contains(n.name()) && channelAbsMax.containsKey(n.input(0))) {
        readers.computeIfAbsent(n.input(0), k -> new ArrayList<>()).add(n);
      }
    }
    Graph.Editor e = g.edit();
    StaticQuantizer.Names names = new StaticQuantizer.Names(g);
    for (Map.Entry<String, List<Node>> r : readers.entrySet()) {
      float[] a = channelAbsMax.get(r.getKey());
      int k = a.length;
      double[] w = new double[k];
      for (Node mm : r.getValue()) {
        Tensor t = g.initializer(mm.input(1));
        if (t.shape()[0] != k) {
          w = null;
          break;
        }
        double[] v = t.toDoubles();
        int n = (int) t.shape()[1];
        for (int j = 0; j < k; j++) {
          for (int c = 0; c < n; c++) {
            w[j] = Math.max(w[j], Math.abs(v[j * n + c]));
          }
        }
      }
      if (w == null) {
        continue;
      }
      float[] inv = new float[k];
      double[] s = new double[k];
      for (int j = 0; j < k; j++) {
        s[j] = a[j] > 0 && w[j] > 0 ? Math.pow(a[j], alpha) / Math.pow(w[j], 1 - alpha) : 1;
        s[j] = Math.max(s[j], 1e-5);
        inv[j] = (float) (1 / s[j]);
      }
      String scale = names.fresh(r.getKey() + "_smooth");
      String smoothed = names.fresh(r.getKey() + "_smoothed");
      e.putInitializer(scale, Tensor.ofFloats(new long[] {k}, inv));
      e.addNode(new Node(names.fresh(r.getKey() + "_Smooth"), "Mul", List.of(r.getKey(), scale), List.of(smoothed),
          Attributes.EMPTY));
      for (Node mm : r.getValue()) {
        Tensor t = g.initializer(mm.input(1));
        double[] v = t.toDoubles();
        int n = (int) t.shape()[1];
        for (int j = 0; j < k; j++) {
          for (int c = 0; c < n; c++) {
            v[j * n + c] *= s[j];
          }
        }
        String weights = names.fresh(mm.input(1) + "_smoothed");
        e.putInitializer(weights, Tensor.fromDoubles(DType.FLOAT, t.shape(), v));
        if (g.consumers(mm.input(1)).size() == 1) {
          e.removeInitializer(mm.input(1));
        }
        e.replaceNode(mm, List.of(mm.withInputs(List.of(smoothed, weights))));
      }
    }
    return ShapeInference.run(e.build());
  }

  private static boolean eligible(Graph g, Node n) {
    if (!n.op().equals("MatMul") || !n.domain().isEmpty() || !g.isInitializer(n.input(1))) {
      return false;
    }
    Tensor w = g.initializer(n.input(1));
    var x = g.type(n.input(0));
    return w.rank() == 2 && w.dtype() == DType.FLOAT && x != null && x.dtype() == DType.FLOAT;
  }
}

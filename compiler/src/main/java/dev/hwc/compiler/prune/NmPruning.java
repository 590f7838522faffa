package dev.hwc.compiler.prune;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.passes.Pass;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.PassInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * N:M semi-structured pruning (2:4 by default): in every run of M consecutive weights along a
 * layer's <em>reduction axis</em>, the M-N smallest in magnitude become zero. The reduction axis is
 * the one TensorRT's sparse tensor-core kernels compress: the input channels of a Conv
 * ({@code [M, C/g, kH, kW]}: groups of 4 input channels at each output channel and kernel tap), the
 * K axis of a Gemm ({@code B[N, K]} with transB, else {@code B[K, N]}) or of a MatMul's constant
 * {@code B[K, N]}, and the input channels of a ConvTranspose ({@code [C, M/g, kH, kW]}). A tail
 * shorter than M along that axis is left whole (TensorRT pads it, it is not sparse), and so is a
 * layer whose reduction axis is shorter than M. Shapes never change: the zeros pay only where a
 * kernel reads this pattern (sparse tensor cores, Ampere and later), not in a dense CPU kernel.
 */
public final class NmPruning implements Pass {
  public static final String NAME = "prune-n-m";
  private static final PassInfo INFO = new PassInfo(NAME, 0);

  private final int n;
  private final int m;
  private final Set<String> protectedLayers;

  /**
   * @param n weights kept in each group (2 for 2:4)
   * @param m group length along the reduction axis (4 for 2:4)
   */
  public NmPruning(int n, int m, Set<String> protectedLayers) {
    if (m < 2 || n < 1 || n >= m) {
      throw new IllegalArgumentException("N:M needs 1 <= N < M, M >= 2; got " + n + ":" + m);
    }
    this.n = n;
    this.m = m;
    this.protectedLayers = Set.copyOf(protectedLayers);
  }

  @Override
  public PassInfo info() {
    return INFO;
  }

  /**
   * The reduction axis of a weight as its layer reads it, or -1 for a layer this pass does not
   * touch (a MatMul weight of rank other than 2).
   */
  public static int reductionAxis(Node layer, Tensor w) {
    return switch (layer.op()) {
      case "Conv" -> 1;
      case "ConvTranspose" -> 0;
      case "Gemm" -> layer.attrs().getInt("transB", 0) != 0 ? 1 : 0;
      case "MatMul" -> w.rank() == 2 ? 0 : -1;
      default -> -1;
    };
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    Graph.Editor e = g.edit();
    int touched = 0;
    List<String> skipped = new ArrayList<>();
    for (PrunableWeights.Weight w : PrunableWeights.of(g)) {
      if (protectedLayers.contains(w.layer().name())) {
        continue;
      }
      int axis = reductionAxis(w.layer(), w.tensor());
      if (axis < 0 || w.tensor().shape()[axis] < m) {
        skipped.add(w.layer().name());
        continue;
      }
      e.putInitializer(w.name(), Tensor.fromDoubles(w.tensor().dtype(), w.tensor().shape(),
          prune(w.tensor().toDoubles(), w.tensor().shape(), axis, n, m)));
      touched++;
    }
    ctx.log().accept(NAME + ": " + n + ":" + m + " along the reduction axis of " + touched + " weights"
        + (skipped.isEmpty() ? "" : "; left whole (reduction axis shorter than " + m + " or not 2-D): " + skipped));
    return touched == 0 ? g : e.build();
  }

  /** v (row-major, shape) with the M-N smallest of each full group of M along {@code axis} set to 0. */
  static double[] prune(double[] v, long[] shape, int axis, int n, int m) {
    long inner = 1;
    for (int i = axis + 1; i < shape.length; i++) {
      inner *= shape[i];
    }
    long len = shape[axis];
    long outer = v.length / (len * inner);
    double[] out = v.clone();
    int[] idx = new int[m];
    for (long o = 0; o < outer; o++) {
      for (long in = 0; in < inner; in++) {
        for (long start = 0; start + m <= len; start += m) {
          for (int j = 0; j < m; j++) {
            idx[j] = (int) ((o * len + start + j) * inner + in);
          }
          zeroSmallest(out, idx, m - n);
        }
      }
    }
    return out;
  }

  /** Sets the {@code k} smallest-magnitude of out[idx] to 0 (earlier positions first on ties). */
  private static void zeroSmallest(double[] out, int[] idx, int k) {
    boolean[] done = new boolean[idx.length];
    for (int z = 0; z < k; z++) {
      int best = -1;
      for (int j = 0; j < idx.length; j++) {
        if (!done[j] && (best < 0 || Math.abs(out[idx[j]]) < Math.abs(out[idx[best]]))) {
          best = j;
        }
      }
      done[best] = true;
      out[idx[best]] = 0;
    }
  }
}

package dev.hwc.compiler.prune;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;

/**
 * Parameters and non-zeros of a graph's constants, and of its prunable weights alone.
 *
 * @param parameters elements of every float initializer
 * @param nonZeros of those, the ones not exactly zero
 * @param weightParameters elements of the {@linkplain PrunableWeights prunable weights}
 * @param weightNonZeros of those, the ones not exactly zero
 */
public record Sparsity(long parameters, long nonZeros, long weightParameters, long weightNonZeros) {

  public static Sparsity of(Graph g) {
    long p = 0;
    long nz = 0;
    for (Tensor t : g.initializers().values()) {
      if (t.dtype().isFloat()) {
        p += t.numElements();
        nz += nonZeros(t);
      }
    }
    long wp = 0;
    long wnz = 0;
    for (PrunableWeights.Weight w : PrunableWeights.of(g)) {
      wp += w.tensor().numElements();
      wnz += nonZeros(w.tensor());
    }
    return new Sparsity(p, nz, wp, wnz);
  }

  /** Zeros among the prunable weights, 0..1. */
  public double weightSparsity() {
    return weightParameters == 0 ? 0 : 1 - (double) weightNonZeros / weightParameters;
  }

  /**
   * MACs of a graph's weighted ops: dense (what a dense kernel executes) and effective (each op's
   * MACs scaled by the non-zero fraction of its weight: what a kernel that skips zero weights would
   * do). -1 when some shape is not static.
   */
  public record Macs(long dense, long effective) {}

  public static Macs macs(Graph g) {
    long dense = 0;
    double effective = 0;
    for (dev.hwc.compiler.ir.Node n : g.nodes()) {
      long m = dev.hwc.compiler.analysis.ModelStats.macs(g, n);
      if (m < 0) {
        return new Macs(-1, -1);
      }
      if (m == 0) {
        continue;
      }
      dense += m;
      Tensor w = n.hasInput(1) ? g.initializer(n.input(1)) : null;
      effective += w == null || !w.dtype().isFloat() || w.numElements() == 0 ? m
          : (double) m * nonZeros(w) / w.numElements();
    }
    return new Macs(dense, Math.round(effective));
  }

  static long nonZeros(Tensor t) {
    long n = 0;
    for (double d : t.toDoubles()) {
      if (d != 0) {
        n++;
      }
    }
    return n;
  }
}

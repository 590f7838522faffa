package dev.hwc.compiler.prune;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.passes.Pass;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.PassInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Unstructured magnitude pruning: in every {@linkplain PrunableWeights prunable weight} not
 * protected, the fraction {@code sparsity} of values smallest in absolute value becomes zero.
 * Per layer (each weight loses the same fraction) or global (one threshold over all unprotected
 * weights, so large redundant layers lose more). Ties at the threshold are broken by position so
 * the count is exact. Shapes, names and graph IO never change: in a dense format the artifact is
 * exactly as large and as slow as before (the zeros only compress).
 */
public final class MagnitudePruning implements Pass {
  public static final String NAME = "prune-unstructured";
  private static final PassInfo INFO = new PassInfo(NAME, 0);

  public enum Scope { PER_LAYER, GLOBAL }

  private final double sparsity;
  private final Scope scope;
  private final Set<String> protectedLayers;

  /**
   * @param sparsity fraction of each weight (per layer) or of all weights (global) set to zero, in [0, 1)
   * @param protectedLayers node names whose weights stay whole
   */
  public MagnitudePruning(double sparsity, Scope scope, Set<String> protectedLayers) {
    if (!(sparsity >= 0 && sparsity < 1)) {
      throw new IllegalArgumentException("sparsity must be in [0, 1), got " + sparsity);
    }
    this.sparsity = sparsity;
    this.scope = scope;
    this.protectedLayers = Set.copyOf(protectedLayers);
  }

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    List<PrunableWeights.Weight> targets = new ArrayList<>();
    for (PrunableWeights.Weight w : PrunableWeights.of(g)) {
      if (!protectedLayers.contains(w.layer().name())) {
        targets.add(w);
      }
    }
    if (targets.isEmpty() || sparsity == 0) {
      return g;
    }
    double globalThreshold = scope == Scope.GLOBAL ? globalThreshold(targets) : Double.NaN;
    Graph.Editor e = g.edit();
    for (PrunableWeights.Weight w : targets) {
      double[] v = w.tensor().toDoubles();
      int zeros = scope == Scope.GLOBAL ? countBelow(v, globalThreshold) : (int) Math.floor(sparsity * v.length);
      e.putInitializer(w.name(), Tensor.fromDoubles(w.tensor().dtype(), w.tensor().shape(), zeroSmallest(v, zeros)));
    }
    ctx.log().accept(NAME + ": " + Math.round(sparsity * 100) + "% of " + targets.size() + " weights ("
        + scope.name().toLowerCase().replace('_', '-') + ")");
    return e.build();
  }

  /** The magnitude under which the fraction {@code sparsity} of all target values lies. */
  private double globalThreshold(List<PrunableWeights.Weight> targets) {
    long total = targets.stream().mapToLong(w -> w.tensor().numElements()).sum();
    double[] all = new double[Math.toIntExact(total)];
    int i = 0;
    for (PrunableWeights.Weight w : targets) {
      for (double d : w.tensor().toDoubles()) {
        all[i++] = Math.abs(d);
      }
    }
    Arrays.sort(all);
    int k = (int) Math.floor(sparsity * all.length);
    return k == 0 ? -1 : all[k - 1];
  }

  private static int countBelow(double[] v, double threshold) {
    int n = 0;
    for (double d : v) {
      if (Math.abs(d) <= threshold) {
        n++;
      }
    }
    return n;
  }

  /** v with its {@code zeros} smallest-magnitude values set to 0 (stable: earlier positions first on ties). */
  static double[] zeroSmallest(double[] v, int zeros) {
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < v.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> {
      int c = Double.compare(Math.abs(v[a]), Math.abs(v[b]));
      return c != 0 ? c : Integer.compare(a, b);
    });
    double[] out = v.clone();
    for (int i = 0; i < Math.min(zeros, v.length); i++) {
      out[order[i]] = 0;
    }
    return out;
  }
}

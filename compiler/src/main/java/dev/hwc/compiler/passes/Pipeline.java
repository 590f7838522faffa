package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A plain list of passes, run in order, the whole list again until a round changes nothing (a fixed
 * point) or {@code maxRounds} rounds have run. Pipelines are written out in one place, here.
 *
 * <pre>{@code
 * Graph optimized = Pipeline.standard().run(graph, PassContext.defaults());
 * }</pre>
 */
public final class Pipeline {
  /** Rounds of the standard pipeline; real models settle in two or three. */
  public static final int STANDARD_MAX_ROUNDS = 6;

  private final List<Pass> passes;
  private final int maxRounds;

  private Pipeline(List<Pass> passes, int maxRounds) {
    if (maxRounds < 1) {
      throw new IllegalArgumentException("a pipeline runs at least one round, got " + maxRounds);
    }
    Set<String> before = new HashSet<>();
    for (Pass p : passes) {
      PassInfo info = p.info();
      for (String r : info.requires()) {
        if (!before.contains(r)) {
          throw new IllegalArgumentException("pass '" + info.name() + "' requires '" + r
              + "', which does not run before it in this pipeline");
        }
      }
      if (!before.add(info.name())) {
        throw new IllegalArgumentException("pass '" + info.name() + "' appears twice in one pipeline");
      }
    }
    this.passes = List.copyOf(passes);
    this.maxRounds = maxRounds;
  }

  /** The passes once each, in order. */
  public static Pipeline of(Pass... passes) {
    return new Pipeline(List.of(passes), 1);
  }

  /** The passes repeated until nothing changes, at most {@code maxRounds} times. */
  public static Pipeline fixedPoint(int maxRounds, Pass... passes) {
    return new Pipeline(List.of(passes), maxRounds);
  }

  /**
   * The fp32 optimization pipeline: shape inference, no-op and pass-through removal, shape-chain
   * simplification (symbolic dims), constant folding, then the exporters' idioms brought to one
   * form (clamps as Clip, division by a constant as Mul, spelled-out hard sigmoid / hard swish
   * fused), BatchNorm folding (or Mul + Add when standalone), per-channel Mul/Add folded into the
   * Conv before them, Pad folded into Conv, spatial ReduceMean as GlobalAveragePool, reshape chains
   * collapsed, MatMul+Add fusion, dead-node elimination; iterated to a fixed point.
   */
  public static Pipeline standard() {
    return fixedPoint(STANDARD_MAX_ROUNDS,
        new InferShapes(),
        new RemoveNoOps(),
        new RemovePassThrough(),
        new RecurrentSeqFirst(),
        new SimplifyShapeChains(),
        new FoldConstants(),
        new CanonicalizeClip(),
        new DivToMul(),
        new FuseHardActivations(),
        new FoldBatchNorm(),
        new DecomposeBatchNorm(),
        new FoldConvAffine(),
        new FusePadIntoConv(),
        new ReduceMeanToGlobalPool(),
        new CollapseReshapes(),
        new FuseMatMulAdd(),
        new EliminateDeadNodes());
  }

  public List<Pass> passes() {
    return passes;
  }

  public int maxRounds() {
    return maxRounds;
  }

  /**
   * Runs the pipeline. A pass runs when the context enables it (disabled wins, then required, then
   * opt level), where "required" also covers what enabled passes list in {@link PassInfo#requires}.
   */
  public Graph run(Graph g, PassContext ctx) {
    PassContext c = ctx.require(requiredBy(ctx));
    for (int round = 1; round <= maxRounds; round++) {
      Graph start = g;
      for (Pass p : passes) {
        g = c.run(p, g);
      }
      if (g == start) {
        return g;
      }
      if (round == maxRounds && maxRounds > 1) {
        c.note("pipeline did not reach a fixed point in " + maxRounds + " rounds; stopped there");
      }
    }
    return g;
  }

  public Graph run(Graph g) {
    return run(g, PassContext.defaults());
  }

  /** Names required by the passes that the context enables on their own, transitively. */
  private Set<String> requiredBy(PassContext ctx) {
    Set<String> required = new HashSet<>();
    for (int i = passes.size() - 1; i >= 0; i--) {
      PassInfo info = passes.get(i).info();
      if (!ctx.disabled().contains(info.name()) && (required.contains(info.name()) || ctx.enabled(info))) {
        required.addAll(info.requires());
      }
    }
    return required;
  }

  @Override
  public String toString() {
    List<String> names = new ArrayList<>();
    passes.forEach(p -> names.add(p.info().name()));
    return "Pipeline" + names + (maxRounds > 1 ? " x" + maxRounds : "");
  }
}

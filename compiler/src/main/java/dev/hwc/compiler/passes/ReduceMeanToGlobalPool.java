package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A ReduceMean over the spatial axes of a rank-4 NCHW tensor (axes {2, 3}, or {-2, -1}) is a
 * GlobalAveragePool, which is how TensorFlow-origin exports and squeeze-excite blocks write it; with
 * keepdims 0 the pool is followed by a Reshape to [N, C]. Axes come from the attribute (opset < 18)
 * or a constant second input.
 */
public final class ReduceMeanToGlobalPool implements Pass {
  public static final String NAME = "reduce-mean-to-global-pool";
  private static final PassInfo INFO = new PassInfo(NAME, 1, List.of(InferShapes.NAME));

  private static final RuleSet RULES = RuleSet.on("ReduceMean",
      // ReduceMean(x) {axes=[2,3], keepdims=1} -> GlobalAveragePool(x); keepdims=0 adds Reshape(.., [0, C])
      ReduceMeanToGlobalPool::pool);

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return RULES.rewrite(g);
  }

  private static Optional<Rule.Rewrite> pool(Graph g, Node n) {
    if (Match.rank(g, n.input(0)) != 4 || !g.type(n.input(0)).dtype().isFloat()) {
      return Optional.empty();
    }
    long[] axes = n.attrs().getInts("axes", null);
    if (n.hasInput(1)) {
      Tensor t = Match.constant(g, n.input(1));
      if (t == null) {
        return Optional.empty();
      }
      axes = t.toLongs();
    }
    if (axes == null || axes.length != 2) {
      return Optional.empty();
    }
    long[] a = Arrays.stream(axes).map(x -> x < 0 ? x + 4 : x).sorted().toArray();
    if (a[0] != 2 || a[1] != 3) {
      return Optional.empty();
    }
    boolean keep = n.attrs().getInt("keepdims", 1) != 0;
    if (keep) {
      Node gap = new Node(n.name(), "GlobalAveragePool", List.of(n.input(0)), n.outputs(), Attributes.EMPTY);
      return Optional.of(e -> e.replaceNode(n, List.of(gap)));
    }
    var c = g.type(n.input(0)).shape().dim(1);
    if (!c.isStatic()) {
      return Optional.empty();
    }
    String pooled = Match.freshName(g, n.output(0) + "_pooled");
    String shape = Match.freshName(g, n.output(0) + "_shape");
    Node gap = new Node(pooled, "GlobalAveragePool", List.of(n.input(0)), List.of(pooled), Attributes.EMPTY);
    Node reshape = new Node(n.name(), "Reshape", List.of(pooled, shape), n.outputs(), Attributes.EMPTY);
    return Optional.of(e -> {
      e.putInitializer(shape, Tensor.vector(0, c.size()));
      e.replaceNode(n, List.of(gap, reshape));
    });
  }
}

package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Collapses a chain of shape-only ops (Reshape, Squeeze, Unsqueeze, Flatten) into one Reshape to the
 * chain's static output shape: {@code Reshape(Unsqueeze(Squeeze(x)))} -> {@code Reshape(x, s)}. An
 * inner node must be read by the next one alone; the element order never changes along such a
 * chain, so one Reshape computes the same tensor.
 */
public final class CollapseReshapes implements Pass {
  public static final String NAME = "collapse-reshapes";
  private static final PassInfo INFO = new PassInfo(NAME, 1, List.of(InferShapes.NAME));
  static final Set<String> RESHAPES = Set.of("Reshape", "Squeeze", "Unsqueeze", "Flatten");

  private static final RuleSet RULES = RuleSet.onAnyOp(
      // R2(R1(x)) -> Reshape(x, static shape of R2's output), R1 and R2 shape-only ops
      CollapseReshapes::collapse);

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return RULES.rewrite(g);
  }

  private static boolean reshapeLike(Node n) {
    return n != null && n.domain().isEmpty() && RESHAPES.contains(n.op()) && n.outputs().size() == 1;
  }

  private static Optional<Rule.Rewrite> collapse(Graph g, Node outer) {
    if (!reshapeLike(outer)) {
      return Optional.empty();
    }
    Node inner = g.producer(outer.input(0));
    long[] shape = Match.staticShape(g, outer.output(0));
    if (!reshapeLike(inner) || shape == null || java.util.Arrays.stream(shape).anyMatch(d -> d == 0) || !Match.onlyReader(g, outer.input(0), outer)
        || Match.staticShape(g, inner.input(0)) == null) {
      return Optional.empty();
    }
    String target = Match.freshName(g, outer.output(0) + "_shape");
    Node reshape = new Node(outer.name(), "Reshape", List.of(inner.input(0), target), outer.outputs(), Attributes.EMPTY);
    return Optional.of(e -> {
      e.putInitializer(target, Tensor.vector(shape));
      e.removeNode(inner);
      e.valueTypes().remove(inner.output(0));
      e.replaceNode(outer, List.of(reshape));
    });
  }
}

package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Value;
import java.util.List;
import java.util.Optional;

/**
 * Turns nodes that compute nothing into Identity, which {@link RemovePassThrough} then removes: a
 * Cast to the type its input already has; a Sum, Mean, Max, Min or Concat of one input; a Reshape,
 * Squeeze, Unsqueeze or Flatten whose output has its input's static shape.
 */
public final class RemoveNoOps implements Pass {
  public static final String NAME = "remove-no-ops";
  private static final PassInfo INFO = new PassInfo(NAME, 1, List.of(InferShapes.NAME));

  private static final RuleSet RULES = RuleSet.on("Cast",
          // Cast(x) {to = type of x} -> Identity(x)
          (g, n) -> sameType(g, n) ? identity(n) : Optional.empty())
      .plus(RuleSet.on("Sum", RemoveNoOps::oneInput))   // Sum(x) -> Identity(x)
      .plus(RuleSet.on("Mean", RemoveNoOps::oneInput))  // Mean(x) -> Identity(x)
      .plus(RuleSet.on("Max", RemoveNoOps::oneInput))   // Max(x) -> Identity(x)
      .plus(RuleSet.on("Min", RemoveNoOps::oneInput))   // Min(x) -> Identity(x)
      .plus(RuleSet.on("Concat", RemoveNoOps::oneInput)) // Concat(x) -> Identity(x)
      // Reshape/Squeeze/Unsqueeze/Flatten(x) to x's own static shape -> Identity(x)
      .plus(RuleSet.on("Reshape", RemoveNoOps::sameShape))
      .plus(RuleSet.on("Squeeze", RemoveNoOps::sameShape))
      .plus(RuleSet.on("Unsqueeze", RemoveNoOps::sameShape))
      .plus(RuleSet.on("Flatten", RemoveNoOps::sameShape));

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return RULES.rewrite(g);
  }

  private static boolean sameType(Graph g, Node cast) {
    Value in = g.type(cast.input(0));
    Value out = g.type(cast.output(0));
    return in != null && out != null && in.dtype() == out.dtype()
        && in.dtype() != dev.hwc.compiler.ir.DType.UNDEFINED;
  }

  private static Optional<Rule.Rewrite> oneInput(Graph g, Node n) {
    return n.inputs().size() == 1 && n.outputs().size() == 1 ? identity(n) : Optional.empty();
  }

  private static Optional<Rule.Rewrite> sameShape(Graph g, Node n) {
    long[] in = Match.staticShape(g, n.input(0));
    long[] out = Match.staticShape(g, n.output(0));
    return in != null && out != null && java.util.Arrays.equals(in, out) && n.outputs().size() == 1
        ? identity(n) : Optional.empty();
  }

  private static Optional<Rule.Rewrite> identity(Node n) {
    Node id = new Node(n.name(), "Identity", List.of(n.input(0)), n.outputs(), Attributes.EMPTY);
    return Optional.of(e -> e.replaceNode(n, List.of(id)));
  }
}

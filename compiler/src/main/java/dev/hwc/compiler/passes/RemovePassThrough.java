package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import java.util.Optional;

/**
 * Removes nodes that pass their input through at inference (Identity, Dropout) and makes their
 * readers read the input. A graph output keeps its name: the producer's output is renamed instead.
 * An Identity stays where removing it would merge two graph interface names (input -> output,
 * initializer -> output, output -> output).
 */
public final class RemovePassThrough implements Pass {
  public static final String NAME = "remove-pass-through";
  private static final PassInfo INFO = new PassInfo(NAME, 1);

  private static final RuleSet RULES =
      // Identity(x) -> x
      RuleSet.on("Identity", (g, n) -> bypass(g, n))
          // Dropout(x) -> x at inference: its mask is unread and training_mode is absent or false
          .plus(RuleSet.on("Dropout", (g, n) -> inferenceDropout(g, n) ? bypass(g, n) : Optional.empty()));

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return RULES.rewrite(g);
  }

  private static boolean inferenceDropout(Graph g, Node n) {
    for (int i = 1; i < n.outputs().size(); i++) {
      String mask = n.output(i);
      if (!mask.isEmpty() && (g.isGraphOutput(mask) || !g.consumers(mask).isEmpty())) {
        return false;
      }
    }
    if (!n.hasInput(2)) {
      return true;
    }
    Tensor training = Match.constant(g, n.input(2));
    return training != null && training.numElements() == 1 && training.getDouble(0) == 0;
  }

  /** Removes n (one input read, output 0 passed through); empty when a graph interface name would be lost. */
  private static Optional<Rule.Rewrite> bypass(Graph g, Node n) {
    String in = n.input(0);
    String out = n.output(0);
    if (in.isEmpty()) {
      return Optional.empty();
    }
    if (!g.isGraphOutput(out)) {
      return Optional.of(e -> {
        e.removeNode(n);
        e.replaceUses(out, in);
        n.outputs().forEach(e.valueTypes()::remove);
      });
    }
    if (g.producer(in) == null || g.isGraphOutput(in)) {
      return Optional.empty();
    }
    return Optional.of(e -> {
      e.removeNode(n);
      n.outputs().stream().filter(o -> !o.equals(out)).forEach(e.valueTypes()::remove);
      e.renameValue(in, out);
    });
  }
}

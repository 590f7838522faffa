package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * Rewrites a float division by a constant as a multiplication by its reciprocal: {@code x / c ->
 * x * (1 / c)}, computed in double and rounded once. Exporters write HardSwish as {@code x *
 * relu6(x + 3) / 6} and normalizations as {@code x / std}; MUL has an int8 kernel on every target
 * (DIV has none on TFLite and is not on the Edge TPU's list), and the product can fold into a
 * neighbouring Conv. A divisor with a zero or a non-finite reciprocal is left alone.
 */
public final class DivToMul implements Pass {
  public static final String NAME = "div-to-mul";
  private static final PassInfo INFO = new PassInfo(NAME, 1);

  private static final RuleSet RULES = RuleSet.on("Div",
      // Div(x, c) -> Mul(x, 1/c)   (c a float constant without zeros)
      DivToMul::reciprocal);

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return RULES.rewrite(g);
  }

  private static Optional<Rule.Rewrite> reciprocal(Graph g, Node div) {
    Tensor c = Match.constant(g, div.input(1));
    if (c == null || !c.dtype().isFloat() || Match.isConstant(g, div.input(0))) {
      return Optional.empty();
    }
    double[] v = c.toDoubles();
    for (int i = 0; i < v.length; i++) {
      double r = 1 / v[i];
      if (v[i] == 0 || !Double.isFinite(r)) {
        return Optional.empty();
      }
      v[i] = r;
    }
    Tensor inv = Tensor.fromDoubles(c.dtype(), c.shape(), v);
    String name = Match.freshName(g, div.input(1) + "_reciprocal");
    Node mul = new Node(div.name(), "Mul", List.of(div.input(0), name), div.outputs(), null);
    return Optional.of(e -> {
      e.putInitializer(name, inv);
      e.replaceNode(div, List.of(mul));
    });
  }
}

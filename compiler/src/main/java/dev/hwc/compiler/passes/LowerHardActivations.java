package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Spells HardSigmoid and HardSwish out in Add, Clip(0, 6) and Mul for a target that lacks them but
 * has those (the Edge TPU has neither HARD_SWISH nor a hard sigmoid; TFLite has no hard sigmoid):
 *
 * <ul>
 *   <li>{@code HardSigmoid(x) = clip(alpha x + beta, 0, 1) = Clip(6 alpha x + 6 beta, 0, 6) * (1/6)}
 *       (the Mul by 6 alpha is left out when it is 1, as for PyTorch's alpha = 1/6);
 *   <li>{@code HardSwish(x) = x * (Clip(x + 3, 0, 6) * (1/6))}: the hard sigmoid in [0, 1] keeps an
 *       int8 scale of its own before the product.
 * </ul>
 *
 * Which ops to lower is the caller's (the target's) choice: {@link #forTarget} lowers an op the
 * target does not support when it supports Add, Clip and Mul.
 */
public final class LowerHardActivations implements Pass {
  public static final String NAME = "lower-hard-activations";
  private static final PassInfo INFO = new PassInfo(NAME, 0, List.of(InferShapes.NAME));

  private final boolean sigmoid;
  private final boolean swish;

  public LowerHardActivations(boolean sigmoid, boolean swish) {
    this.sigmoid = sigmoid;
    this.swish = swish;
  }

  /** The lowering a target needs, given which IR ops it supports. */
  public static LowerHardActivations forTarget(Predicate<String> supports) {
    boolean parts = supports.test("Add") && supports.test("Clip") && supports.test("Mul");
    return new LowerHardActivations(parts && !supports.test("HardSigmoid"), parts && !supports.test("HardSwish"));
  }

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    RuleSet rules = RuleSet.on("HardSigmoid", (gr, n) -> sigmoid ? lower(gr, n, false) : Optional.empty())
        .plus(RuleSet.on("HardSwish", (gr, n) -> swish ? lower(gr, n, true) : Optional.empty()));
    return g.opset() < 11 ? g : rules.rewrite(g);
  }

  private static Optional<Rule.Rewrite> lower(Graph g, Node n, boolean swish) {
    Value t = g.type(n.input(0));
    if (t == null || !t.dtype().isFloat()) {
      return Optional.empty();
    }
    double alpha = swish ? 1.0 / 6 : n.attrs().getFloat("alpha", 0.2f);
    double beta = swish ? 0.5 : n.attrs().getFloat("beta", 0.5f);
    List<Node> out = new ArrayList<>();
    List<Object[]> consts = new ArrayList<>();
    String base = n.name();
    java.util.function.BiFunction<String, Double, String> scalar = (hint, v) -> {
      String name = Match.freshName(g, base + "_" + hint);
      for (Object[] c : consts) {
        if (c[0].equals(name)) {
          name = name + "_" + consts.size();
        }
      }
      consts.add(new Object[] {name, Tensor.fromDoubles(t.dtype(), new long[0], new double[] {v})});
      return name;
    };
    String x = n.input(0);
    String v = x;
    double scale = 6 * alpha;
    if (Math.abs(scale - 1) > 1e-7) {
      String o = Match.freshName(g, base + "_scaled");
      out.add(new Node(o, "Mul", List.of(v, scalar.apply("six_alpha", scale)), List.of(o), Attributes.EMPTY));
      v = o;
    }
    String shifted = Match.freshName(g, base + "_shifted");
    out.add(new Node(shifted, "Add", List.of(v, scalar.apply("six_beta", 6 * beta)), List.of(shifted), Attributes.EMPTY));
    String clipped = Match.freshName(g, base + "_relu6");
    out.add(new Node(clipped, "Clip", List.of(shifted, scalar.apply("zero", 0.0), scalar.apply("six", 6.0)),
        List.of(clipped), Attributes.EMPTY));
    String sixth = scalar.apply("sixth", 1.0 / 6);
    if (swish) {
      String hs = Match.freshName(g, base + "_hard_sigmoid");
      out.add(new Node(hs, "Mul", List.of(clipped, sixth), List.of(hs), Attributes.EMPTY));
      out.add(new Node(base, "Mul", List.of(x, hs), n.outputs(), Attributes.EMPTY));
    } else {
      out.add(new Node(base, "Mul", List.of(clipped, sixth), n.outputs(), Attributes.EMPTY));
    }
    return Optional.of(e -> {
      for (Object[] c : consts) {
        e.putInitializer((String) c[0], (Tensor) c[1]);
      }
      e.replaceNode(n, out);
    });
  }
}

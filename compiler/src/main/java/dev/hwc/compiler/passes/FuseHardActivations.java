package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Fuses the spelled-out hard activations of MobileNetV3-style exports into their ONNX ops:
 *
 * <ul>
 *   <li>{@code relu6(x + 3) * (1/6)} (relu6 as {@code Clip(0, 6)}) -> {@code HardSigmoid(x)} with
 *       alpha 1/6, beta 0.5 (PyTorch's hardsigmoid);
 *   <li>{@code x * HardSigmoid(x)} with alpha 1/6, beta 0.5 -> {@code HardSwish(x)} (opset 14);
 *   <li>{@code (x * relu6(x + 3)) * (1/6)} -> {@code HardSwish(x)}.
 * </ul>
 *
 * Division by 6 is matched after {@link DivToMul} made it a multiplication by 1/6, and Min/Max
 * relu6 after {@link CanonicalizeClip}. Intermediate values must be read only inside the pattern.
 * Targets without these ops get them back as Add/Clip/Mul from {@link LowerHardActivations}.
 */
public final class FuseHardActivations implements Pass {
  public static final String NAME = "fuse-hard-activations";
  private static final PassInfo INFO = new PassInfo(NAME, 2, List.of(InferShapes.NAME));
  private static final double SIXTH = 1.0 / 6;

  private static final RuleSet RULES = RuleSet.on("Mul",
      // Mul(Mul(x, Clip(Add(x, 3), 0, 6)), 1/6) -> HardSwish(x)
      FuseHardActivations::swishOverSix,
      // Mul(Clip(Add(x, 3), 0, 6), 1/6) -> HardSigmoid(x) {alpha=1/6, beta=0.5}
      FuseHardActivations::sigmoid,
      // Mul(x, HardSigmoid(x) {alpha=1/6, beta=0.5}) -> HardSwish(x)
      FuseHardActivations::swish);

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return g.opset() < 11 ? g : RULES.rewrite(g);
  }

  /** [Add, Clip] when value = Clip(Add(x, 3), 0, 6) with Add's output read only by the Clip; null otherwise. Sets x in out[0]. */
  private static List<Node> relu6OfXPlus3(Graph g, String value, String[] x) {
    Node clip = Match.soleOutputProducer(g, value, "Clip");
    double[] b = clip == null ? null : CanonicalizeClip.bounds(g, clip);
    if (b == null || b[0] != 0 || b[1] != 6) {
      return null;
    }
    Node add = Match.soleOutputProducer(g, clip.input(0), "Add");
    if (add == null || !Match.onlyReader(g, clip.input(0), clip)) {
      return null;
    }
    String in = Match.otherThan(g, add, 3.0);
    if (in == null || !broadcastFree(g, in, value)) {
      return null;
    }
    x[0] = in;
    return List.of(add, clip);
  }

  private static Optional<Rule.Rewrite> sigmoid(Graph g, Node mul) {
    String r = Match.otherThan(g, mul, SIXTH);
    if (r == null || !Match.onlyReader(g, r, mul)) {
      return Optional.empty();
    }
    String[] x = new String[1];
    List<Node> chain = relu6OfXPlus3(g, r, x);
    if (chain == null) {
      return Optional.empty();
    }
    Node hs = new Node(mul.name(), "HardSigmoid", List.of(x[0]), mul.outputs(),
        Attributes.of("alpha", (float) SIXTH, "beta", 0.5f));
    return Optional.of(fuse(chain, mul, hs));
  }

  private static Optional<Rule.Rewrite> swish(Graph g, Node mul) {
    if (g.opset() < 14 || mul.inputs().size() != 2) {
      return Optional.empty();
    }
    for (int i = 0; i < 2; i++) {
      Node hs = Match.soleOutputProducer(g, mul.input(i), "HardSigmoid");
      if (hs == null || !hs.input(0).equals(mul.input(1 - i)) || !Match.onlyReader(g, mul.input(i), mul)
          || Math.abs(hs.attrs().getFloat("alpha", 0.2f) - SIXTH) > 1e-6 || hs.attrs().getFloat("beta", 0.5f) != 0.5f) {
        continue;
      }
      Node swish = new Node(mul.name(), "HardSwish", List.of(hs.input(0)), mul.outputs(), Attributes.EMPTY);
      return Optional.of(fuse(List.of(hs), mul, swish));
    }
    return Optional.empty();
  }

  private static Optional<Rule.Rewrite> swishOverSix(Graph g, Node mul) {
    String p = Match.otherThan(g, mul, SIXTH);
    Node product = p == null ? null : Match.soleOutputProducer(g, p, "Mul");
    if (g.opset() < 14 || product == null || product.inputs().size() != 2 || !Match.onlyReader(g, p, mul)) {
      return Optional.empty();
    }
    for (int i = 0; i < 2; i++) {
      String[] x = new String[1];
      String r = product.input(1 - i);
      List<Node> chain = Match.onlyReader(g, r, product) ? relu6OfXPlus3(g, r, x) : null;
      if (chain != null && x[0].equals(product.input(i))) {
        List<Node> all = new ArrayList<>(chain);
        all.add(product);
        Node swish = new Node(mul.name(), "HardSwish", List.of(x[0]), mul.outputs(), Attributes.EMPTY);
        return Optional.of(fuse(all, mul, swish));
      }
    }
    return Optional.empty();
  }

  /** True when x has the same known shape as the pattern's output (no broadcasting hides in the pattern). */
  private static boolean broadcastFree(Graph g, String x, String out) {
    var a = g.type(x);
    var b = g.type(out);
    return a != null && b != null && a.shape().hasRank() && a.shape().equals(b.shape()) && a.dtype().isFloat();
  }

  private static Rule.Rewrite fuse(List<Node> inner, Node root, Node replacement) {
    return e -> {
      for (Node n : inner) {
        e.removeNode(n);
        e.valueTypes().remove(n.output(0));
      }
      e.replaceNode(root, List.of(replacement));
    };
  }
}

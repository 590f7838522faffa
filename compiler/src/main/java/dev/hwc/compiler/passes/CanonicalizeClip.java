package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * Brings the ways exporters spell a clamp to one {@code Clip(x, lo, hi)} (the opset-11 form, bounds
 * as scalar inputs), which TFLite lowers to RELU6 for [0, 6] (and RELU_N1_TO_1, RELU): {@code
 * Min(Max(x, lo), hi)} and {@code Max(Min(x, hi), lo)} (TensorFlow's and Keras' relu6), and a Relu
 * directly before or after a Clip with a non-negative upper bound ({@code Clip(Relu(x), 0, 6)}).
 * The inner node must be read by the outer one alone.
 */
public final class CanonicalizeClip implements Pass {
  public static final String NAME = "canonicalize-clip";
  private static final PassInfo INFO = new PassInfo(NAME, 1, List.of(InferShapes.NAME));

  private static final RuleSet RULES = RuleSet.on("Min",
          // Min(Max(x, lo), hi) -> Clip(x, lo, hi), lo <= hi
          (g, n) -> minMax(g, n, "Max", false))
      .plus(RuleSet.on("Max",
          // Max(Min(x, hi), lo) -> Clip(x, lo, hi), lo <= hi
          (g, n) -> minMax(g, n, "Min", true)))
      .plus(RuleSet.on("Clip",
          // Clip(Relu(x), lo, hi) -> Clip(x, max(lo, 0), hi)
          CanonicalizeClip::clipOfRelu))
      .plus(RuleSet.on("Relu",
          // Relu(Clip(x, lo, hi)) -> Clip(x, max(lo, 0), hi)
          CanonicalizeClip::reluOfClip));

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return g.opset() < 11 ? g : RULES.rewrite(g);
  }

  private static Optional<Rule.Rewrite> minMax(Graph g, Node outer, String innerOp, boolean outerIsMax) {
    if (outer.inputs().size() != 2) {
      return Optional.empty();
    }
    for (int i = 0; i < 2; i++) {
      Double outerBound = Match.scalar(g, outer.input(1 - i));
      Node inner = Match.soleOutputProducer(g, outer.input(i), innerOp);
      if (outerBound == null || inner == null || inner.inputs().size() != 2 || !Match.onlyReader(g, outer.input(i), outer)) {
        continue;
      }
      for (int j = 0; j < 2; j++) {
        Double innerBound = Match.scalar(g, inner.input(1 - j));
        if (innerBound == null || Match.isConstant(g, inner.input(j))) {
          continue;
        }
        double lo = outerIsMax ? outerBound : innerBound;
        double hi = outerIsMax ? innerBound : outerBound;
        if (lo > hi || !sameTypeScalar(g, inner.input(j), outer.input(1 - i), inner.input(1 - j))) {
          continue;
        }
        return Optional.of(clip(g, List.of(inner), outer, inner.input(j), lo, hi));
      }
    }
    return Optional.empty();
  }

  private static Optional<Rule.Rewrite> clipOfRelu(Graph g, Node clip) {
    Node relu = Match.soleOutputProducer(g, clip.input(0), "Relu");
    double[] b = bounds(g, clip);
    if (relu == null || b == null || b[1] < 0 || !Match.onlyReader(g, clip.input(0), clip)) {
      return Optional.empty();
    }
    return Optional.of(clip(g, List.of(relu), clip, relu.input(0), Math.max(b[0], 0), b[1]));
  }

  private static Optional<Rule.Rewrite> reluOfClip(Graph g, Node relu) {
    Node clip = Match.soleOutputProducer(g, relu.input(0), "Clip");
    double[] b = clip == null ? null : bounds(g, clip);
    if (b == null || b[1] < 0 || !Match.onlyReader(g, relu.input(0), relu)) {
      return Optional.empty();
    }
    return Optional.of(clip(g, List.of(clip), relu, clip.input(0), Math.max(b[0], 0), b[1]));
  }

  /** A Clip's [lo, hi] (infinite when absent); null when a bound is not a scalar constant. */
  static double[] bounds(Graph g, Node clip) {
    double[] b = {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY};
    for (int k = 1; k <= 2; k++) {
      if (clip.hasInput(k)) {
        Double v = Match.scalar(g, clip.input(k));
        if (v == null) {
          return null;
        }
        b[k - 1] = v;
      }
    }
    return b;
  }

  private static boolean sameTypeScalar(Graph g, String x, String... scalars) {
    var t = g.type(x);
    if (t == null || !t.dtype().isFloat()) {
      return false;
    }
    for (String s : scalars) {
      if (Match.constant(g, s).dtype() != t.dtype()) {
        return false;
      }
    }
    return true;
  }

  /** Replaces root (and the inner nodes) by Clip(x, lo, hi) writing root's output; infinite bounds are left out. */
  private static Rule.Rewrite clip(Graph g, List<Node> inner, Node root, String x, double lo, double hi) {
    var dtype = g.type(x).dtype();
    String loName = Double.isInfinite(lo) ? "" : Match.freshName(g, root.name() + "_min");
    String hiName = Double.isInfinite(hi) ? "" : Match.freshName(g, root.name() + "_max");
    String hiFinal = hiName.equals(loName) && !hiName.isEmpty() ? hiName + "_b" : hiName;
    List<String> ins = hiFinal.isEmpty() ? (loName.isEmpty() ? List.of(x) : List.of(x, loName)) : List.of(x, loName, hiFinal);
    Node clip = new Node(root.name(), "Clip", ins, root.outputs(), null);
    return e -> {
      if (!loName.isEmpty()) {
        e.putInitializer(loName, Tensor.fromDoubles(dtype, new long[0], new double[] {lo}));
      }
      if (!hiFinal.isEmpty()) {
        e.putInitializer(hiFinal, Tensor.fromDoubles(dtype, new long[0], new double[] {hi}));
      }
      for (Node n : inner) {
        e.removeNode(n);
        e.valueTypes().remove(n.output(0));
      }
      e.replaceNode(root, List.of(clip));
    };
  }
}

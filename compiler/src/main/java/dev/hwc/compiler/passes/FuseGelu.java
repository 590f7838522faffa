package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * Fuses the exact GELU that exporters spell out, {@code 0.5 · x · (1 + erf(x / √2))} (the division
 * also as {@code x · (1/√2)}, as {@link DivToMul} leaves it), into one
 * {@code Gelu} node (ONNX opset 20). Targets without an Erf kernel but with a GELU one (TFLite's
 * GELU, int8 included) need it; the pass does nothing on graphs below opset 20.
 *
 * <p>{@link #tanhContrib()} is a third form, for plans that are judged by an accuracy gate rather than held
 * to the exact function (ONNX Runtime's int8 plans): the fused exact GELU ({@code com.microsoft:BiasGelu},
 * {@code com.microsoft:Gelu}) becomes {@code com.microsoft:FastGelu(x, bias?)}, the tanh approximation
 * {@code 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))}, whose error (under 1e-3 absolute) is below int8's
 * own; ONNX Runtime's CPU kernel for it costs about 60% of BiasGelu's (bench/RESULTS.md, issue 15).
 */
public final class FuseGelu implements Pass {
  public static final String NAME = "fuse-gelu";
  /** The ONNX Runtime form ({@link #contrib()}), a pass of its own name. */
  public static final String CONTRIB_NAME = "fuse-gelu-contrib";
  private static final PassInfo INFO = new PassInfo(NAME, 2, List.of(InferShapes.NAME));
  private static final PassInfo CONTRIB_INFO = new PassInfo(CONTRIB_NAME, 0, List.of(InferShapes.NAME));
  /** The tanh approximation ({@link #tanhContrib()}), a pass of its own name. */
  public static final String TANH_NAME = "gelu-tanh-contrib";
  private static final PassInfo TANH_INFO = new PassInfo(TANH_NAME, 0, List.of());
  private static final double SQRT2 = Math.sqrt(2);

  private final boolean contrib;
  private final boolean tanh;

  public FuseGelu() {
    this(false, false);
  }

  private FuseGelu(boolean contrib, boolean tanh) {
    this.contrib = contrib;
    this.tanh = tanh;
  }

  /**
   * ONNX Runtime's fused exact GELU rewritten as its tanh approximation: {@code BiasGelu(a, b)} ->
   * {@code FastGelu(a, b)}, {@code Gelu(x)} -> {@code FastGelu(x)} (both com.microsoft). Not an exact
   * rewrite: for plans an accuracy gate judges.
   */
  public static FuseGelu tanhContrib() {
    return new FuseGelu(true, true);
  }

  /**
   * The same match written as ONNX Runtime's contrib ops at any opset: {@code com.microsoft:BiasGelu(a, b)}
   * when x is {@code Add(a, b)} with b a constant vector of x's last dimension read by the GELU alone (the
   * dense layer's bias), else {@code com.microsoft:Gelu(x)}.
   */
  public static FuseGelu contrib() {
    return new FuseGelu(true, false);
  }

  @Override
  public PassInfo info() {
    return tanh ? TANH_INFO : contrib ? CONTRIB_INFO : INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    if (tanh) {
      return RuleSet.onAnyOp(FuseGelu::toFastGelu).rewrite(g); // by-op rules see default-domain nodes only
    }
    if (!contrib && g.opset() < 20) {
      return g;
    }
    return RuleSet.on("Mul",
        // Mul(Mul(x, Add(Erf(Div(x, √2)), 1)), 0.5) -> Gelu(x)   (either operand order at each step)
        this::halfOfProduct,
        // Mul(Mul(x, 0.5), Add(Erf(Div(x, √2)), 1)) -> Gelu(x)
        this::productWithHalf).rewrite(g);
  }

  private Optional<Rule.Rewrite> halfOfProduct(Graph g, Node root) {
    String p = otherThanConstant(g, root, 0.5);
    Node product = p == null ? null : Match.soleOutputProducer(g, p, "Mul");
    if (product == null || !Match.onlyReader(g, p, root)) {
      return Optional.empty();
    }
    for (int i = 0; i < 2; i++) {
      String x = product.input(i);
      List<Node> chain = erfChain(g, product.input(1 - i), x, product);
      if (chain != null) {
        return Optional.of(fuse(g, chain, List.of(product, root), x, root));
      }
    }
    return Optional.empty();
  }

  private Optional<Rule.Rewrite> productWithHalf(Graph g, Node root) {
    for (int i = 0; i < 2; i++) {
      Node half = Match.soleOutputProducer(g, root.input(i), "Mul");
      if (half == null || !Match.onlyReader(g, root.input(i), root)) {
        continue;
      }
      String x = otherThanConstant(g, half, 0.5);
      List<Node> chain = x == null ? null : erfChain(g, root.input(1 - i), x, root);
      if (chain != null) {
        return Optional.of(fuse(g, chain, List.of(half, root), x, root));
      }
    }
    return Optional.empty();
  }

  private static Optional<Rule.Rewrite> toFastGelu(Graph g, Node n) {
    if (!n.domain().equals(dev.hwc.compiler.ops.ContribOps.DOMAIN) || !(n.op().equals("BiasGelu") || n.op().equals("Gelu"))) {
      return Optional.empty();
    }
    Node fast = new Node(n.name(), "FastGelu", dev.hwc.compiler.ops.ContribOps.DOMAIN, n.inputs(), n.outputs(),
        Attributes.EMPTY);
    return Optional.of(e -> e.replaceNode(n, List.of(fast)));
  }

  /** [Div, Erf, Add] when {@code value} = Add(Erf(Div(x, √2)), 1) read only by {@code reader}, else null. */
  private static List<Node> erfChain(Graph g, String value, String x, Node reader) {
    Node add = Match.soleOutputProducer(g, value, "Add");
    if (add == null || !Match.onlyReader(g, value, reader)) {
      return null;
    }
    String erfOut = otherThanConstant(g, add, 1.0);
    Node erf = erfOut == null ? null : Match.soleOutputProducer(g, erfOut, "Erf");
    if (erf == null || !Match.onlyReader(g, erfOut, add)) {
      return null;
    }
    Node div = Match.soleOutputProducer(g, erf.input(0), "Div");
    if (div == null) { // after div-to-mul: Mul(x, 1/√2)
      div = Match.soleOutputProducer(g, erf.input(0), "Mul");
      if (div == null || !x.equals(otherThanConstant(g, div, 1 / SQRT2))) {
        return null;
      }
    } else if (!div.input(0).equals(x) || !isScalar(g, div.input(1), SQRT2)) {
      return null;
    }
    if (!Match.onlyReader(g, erf.input(0), erf)) {
      return null;
    }
    return List.of(div, erf, add);
  }

  /** The input of a binary node that is not the scalar constant {@code c}, or null. */
  private static String otherThanConstant(Graph g, Node n, double c) {
    if (n.inputs().size() != 2) {
      return null;
    }
    if (isScalar(g, n.input(1), c)) {
      return n.input(0);
    }
    return isScalar(g, n.input(0), c) ? n.input(1) : null;
  }

  private static boolean isScalar(Graph g, String value, double c) {
    Tensor t = Match.constant(g, value);
    return t != null && t.numElements() == 1 && Math.abs(t.getDouble(0) - c) <= 1e-4 * Math.abs(c);
  }

  private Rule.Rewrite fuse(Graph g, List<Node> chain, List<Node> muls, String x, Node root) {
    Node gelu = new Node(root.name(), "Gelu", List.of(x), root.outputs(), Attributes.EMPTY);
    Node biasAdd = contrib ? biasAdd(g, x, chain, muls) : null;
    if (contrib) {
      gelu = biasAdd == null
          ? new Node(root.name(), "Gelu", dev.hwc.compiler.ops.ContribOps.DOMAIN, List.of(x), root.outputs(), Attributes.EMPTY)
          : new Node(root.name(), "BiasGelu", dev.hwc.compiler.ops.ContribOps.DOMAIN, biasAddInputs(g, biasAdd),
              root.outputs(), Attributes.EMPTY);
    }
    Node fused = gelu;
    return e -> {
      if (biasAdd != null) {
        e.removeNode(biasAdd);
        e.valueTypes().remove(biasAdd.output(0));
      }
      for (Node n : chain) {
        e.removeNode(n);
        e.valueTypes().remove(n.output(0));
      }
      for (Node n : muls) {
        if (n != root) {
          e.removeNode(n);
          e.valueTypes().remove(n.output(0));
        }
      }
      e.replaceNode(root, List.of(fused));
    };
  }

  /** The Add(a, bias) producing x, when x is read by the GELU's own nodes alone; else null. */
  private static Node biasAdd(Graph g, String x, List<Node> chain, List<Node> muls) {
    Node add = Match.soleOutputProducer(g, x, "Add");
    if (add == null || g.isGraphOutput(x) || biasAddInputs(g, add) == null) {
      return null;
    }
    for (Node r : g.consumers(x)) {
      if (!chain.contains(r) && !muls.contains(r)) {
        return null;
      }
    }
    return add;
  }

  /** [a, bias] of Add(a, bias) with bias a constant vector of a's last dimension, or null. */
  private static List<String> biasAddInputs(Graph g, Node add) {
    for (int i = 0; i < 2; i++) {
      Tensor b = Match.constant(g, add.input(1 - i));
      dev.hwc.compiler.ir.Value a = g.type(add.input(i));
      if (b != null && b.rank() == 1 && a != null && a.shape().hasRank() && a.shape().rank() >= 1
          && a.shape().dim(a.shape().rank() - 1).size() == b.shape()[0] && b.dtype() == a.dtype()
          && !Match.isConstant(g, add.input(i))) {
        return List.of(add.input(i), add.input(1 - i));
      }
    }
    return null;
  }
}

package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.ContribOps;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Fuses a residual Add and the LayerNormalization after it into ONNX Runtime's
 * {@code com.microsoft:SkipLayerNormalization(input, skip, gamma, beta, bias)}. The normalization is
 * either a {@code LayerNormalization} node over the last axis or the form exporters spell out at
 * opsets below 17:
 * {@code (x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) * gamma + beta}, means over the last axis.
 * When one side of the residual Add is a dense layer's {@code Add(MatMul(..), bias)}, the bias moves
 * into the fused op too. The residual sum must be read by the normalization alone (post-LN blocks, as
 * BERT), both Add inputs of the same known rank-3 shape, gamma and beta constant vectors of the hidden
 * size. ONNX Runtime computes it in one pass over each row (onnxruntime contrib_ops/cpu/skip_layer_norm.cc).
 */
public final class FuseSkipLayerNorm implements Pass {
  public static final String NAME = "fuse-skip-layer-norm";
  private static final PassInfo INFO = new PassInfo(NAME, 0, List.of(InferShapes.NAME));

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return RuleSet.on("Add", FuseSkipLayerNorm::spelledOut)
        .plus(RuleSet.on("LayerNormalization", FuseSkipLayerNorm::layerNormNode)).rewrite(g);
  }

  /** One matched normalization: its input, gamma, beta, epsilon, the nodes it replaces and its output node. */
  private record Norm(String x, String gamma, String beta, double eps, List<Node> nodes, Node last) {}

  /** Root: the final {@code Add(Mul(Div(d, Sqrt(...)), gamma), beta)} of a spelled-out LayerNorm. */
  private static Optional<Rule.Rewrite> spelledOut(Graph g, Node addBeta) {
    for (int i = 0; i < 2; i++) {
      Norm n = matchSpelled(g, addBeta, addBeta.input(i), addBeta.input(1 - i));
      if (n != null) {
        return residual(g, n);
      }
    }
    return Optional.empty();
  }

  private static Norm matchSpelled(Graph g, Node addBeta, String scaled, String beta) {
    Node mulGamma = Match.soleOutputProducer(g, scaled, "Mul");
    if (mulGamma == null || !Match.onlyReader(g, scaled, addBeta) || !Match.isConstant(g, beta)) {
      return null;
    }
    for (int j = 0; j < 2; j++) {
      String normed = mulGamma.input(j);
      String gamma = mulGamma.input(1 - j);
      Node div = Match.soleOutputProducer(g, normed, "Div");
      if (div == null || !Match.isConstant(g, gamma) || !Match.onlyReader(g, normed, mulGamma)) {
        continue;
      }
      Node sub = Match.soleOutputProducer(g, div.input(0), "Sub");
      Node sqrt = Match.soleOutputProducer(g, div.input(1), "Sqrt");
      if (sub == null || sqrt == null || !Match.onlyReader(g, div.input(1), div)) {
        continue;
      }
      String x = sub.input(0);
      Node mean = Match.soleOutputProducer(g, sub.input(1), "ReduceMean");
      Node addEps = Match.soleOutputProducer(g, sqrt.input(0), "Add");
      if (mean == null || addEps == null || !mean.input(0).equals(x) || !lastAxisMean(g, mean)
          || !Match.onlyReader(g, sub.input(1), sub) || !Match.onlyReader(g, sqrt.input(0), sqrt)) {
        continue;
      }
      Double eps = null;
      String variance = null;
      for (int k = 0; k < 2 && eps == null; k++) {
        eps = Match.scalar(g, addEps.input(k));
        variance = addEps.input(1 - k);
      }
      Node varMean = eps == null ? null : Match.soleOutputProducer(g, variance, "ReduceMean");
      if (varMean == null || !lastAxisMean(g, varMean) || !Match.onlyReader(g, variance, addEps)) {
        continue;
      }
      Node pow = Match.soleOutputProducer(g, varMean.input(0), "Pow");
      Node square = pow != null && Match.isScalar(g, pow.input(1), 2.0) && pow.input(0).equals(sub.output(0)) ? pow : null;
      if (square == null) {
        Node mul = Match.soleOutputProducer(g, varMean.input(0), "Mul");
        square = mul != null && mul.input(0).equals(sub.output(0)) && mul.input(1).equals(sub.output(0)) ? mul : null;
      }
      if (square == null || !Match.onlyReader(g, varMean.input(0), varMean)) {
        continue;
      }
      // d = x - mean is read by the square and the Div only
      List<Node> dReaders = g.consumers(sub.output(0));
      if (g.isGraphOutput(sub.output(0)) || dReaders.size() != 2 || !dReaders.contains(square) || !dReaders.contains(div)) {
        continue;
      }
      return new Norm(x, gamma, beta, eps, List.of(mean, sub, square, varMean, addEps, sqrt, div, mulGamma), addBeta);
    }
    return null;
  }

  /** Root: a LayerNormalization node over the last axis with a bias. */
  private static Optional<Rule.Rewrite> layerNormNode(Graph g, Node ln) {
    int rank = Match.rank(g, ln.input(0));
    long axis = ln.attrs().getInt("axis", -1);
    if (ln.outputs().size() != 1 || !ln.hasInput(2) || rank < 1 || (axis != -1 && axis != rank - 1)
        || !Match.isConstant(g, ln.input(1)) || !Match.isConstant(g, ln.input(2))) {
      return Optional.empty();
    }
    return residual(g, new Norm(ln.input(0), ln.input(1), ln.input(2), ln.attrs().getFloat("epsilon", 1e-5f),
        List.of(), ln));
  }

  private static boolean lastAxisMean(Graph g, Node mean) {
    int rank = Match.rank(g, mean.input(0));
    long[] axes = mean.attrs().getInts("axes", null);
    if (axes == null && mean.hasInput(1)) {
      Tensor t = Match.constant(g, mean.input(1));
      axes = t == null ? null : t.toLongs();
    }
    return axes != null && axes.length == 1 && (axes[0] == -1 || axes[0] == rank - 1)
        && mean.attrs().getInt("keepdims", 1) == 1;
  }

  /** The residual {@code x = Add(a, b)} before the normalization, fused with it. */
  private static Optional<Rule.Rewrite> residual(Graph g, Norm n) {
    Node add = Match.soleOutputProducer(g, n.x(), "Add");
    if (add == null || g.isGraphOutput(n.x())) {
      return Optional.empty();
    }
    // the sum is read by the normalization's nodes alone
    for (Node r : g.consumers(n.x())) {
      if (!n.nodes().contains(r) && r != n.last()) {
        return Optional.empty();
      }
    }
    Value a = g.type(add.input(0));
    Value b = g.type(add.input(1));
    if (a == null || b == null || !a.dtype().isFloat() || !a.shape().hasRank() || a.shape().rank() != 3
        || !a.shape().equals(b.shape()) || Match.isConstant(g, add.input(0)) || Match.isConstant(g, add.input(1))) {
      return Optional.empty();
    }
    long hidden = a.shape().dim(2).size();
    Tensor gamma = Match.constant(g, n.gamma());
    Tensor beta = Match.constant(g, n.beta());
    if (hidden <= 0 || gamma.rank() != 1 || gamma.shape()[0] != hidden || beta.rank() != 1 || beta.shape()[0] != hidden
        || gamma.dtype() != a.dtype() || beta.dtype() != a.dtype()) {
      return Optional.empty();
    }
    // a dense layer's bias on either side moves into the fused op
    String input = add.input(0);
    String skip = add.input(1);
    Node biasAdd = null;
    String bias = "";
    for (int side = 0; side < 2 && biasAdd == null; side++) {
      String v = add.input(side);
      Node p = Match.soleOutputProducer(g, v, "Add");
      if (p == null || !Match.onlyReader(g, v, add)) {
        continue;
      }
      for (int k = 0; k < 2; k++) {
        Tensor c = Match.constant(g, p.input(k));
        Value other = g.type(p.input(1 - k));
        if (c != null && c.rank() == 1 && c.shape()[0] == hidden && c.dtype() == a.dtype()
            && other != null && other.shape().equals(a.shape()) && !Match.isConstant(g, p.input(1 - k))) {
          biasAdd = p;
          bias = p.input(k);
          input = p.input(1 - k);
          skip = add.input(1 - side);
          break;
        }
      }
    }
    List<String> ins = new ArrayList<>(List.of(input, skip, n.gamma(), n.beta()));
    if (!bias.isEmpty()) {
      ins.add(bias);
    }
    Node fused = new Node(n.last().name(), "SkipLayerNormalization", ContribOps.DOMAIN, ins, n.last().outputs(),
        Attributes.of("epsilon", (float) n.eps()));
    Node removedBias = biasAdd;
    return Optional.of(e -> {
      for (Node m : n.nodes()) {
        e.removeNode(m);
        e.valueTypes().remove(m.output(0));
      }
      e.removeNode(add);
      e.valueTypes().remove(add.output(0));
      if (removedBias != null) {
        e.removeNode(removedBias);
        e.valueTypes().remove(removedBias.output(0));
      }
      e.replaceNode(n.last(), List.of(fused));
    });
  }
}

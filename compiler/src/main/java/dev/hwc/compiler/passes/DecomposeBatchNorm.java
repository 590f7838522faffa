package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * A standalone inference BatchNormalization (one {@link FoldBatchNorm} cannot fold: after an Add, a
 * pool, at the input, or after a Conv whose output has other readers) becomes {@code x * s + (beta
 * - mean * s)} with {@code s = gamma / sqrt(var + eps)}, constants of shape [C, 1, ..] computed in
 * double: every target runs MUL and ADD (BatchNormalization is on no TFLite target's list), and
 * {@link FoldConvAffine} folds them into a Conv where one precedes them alone.
 */
public final class DecomposeBatchNorm implements Pass {
  public static final String NAME = "decompose-batch-norm";
  private static final PassInfo INFO = new PassInfo(NAME, 1, List.of(InferShapes.NAME));

  private static final RuleSet RULES = RuleSet.on("BatchNormalization",
      // BN(x) -> Add(Mul(x, s), shift), s and shift of shape [C, 1, ..]
      (g, bn) -> FoldBatchNorm.folds(g, bn) ? Optional.empty() : affine(g, bn));

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return RULES.rewrite(g);
  }

  static Optional<Rule.Rewrite> affine(Graph g, Node bn) {
    if (bn.attrs().getInt("training_mode", 0) != 0 || bn.attrs().getInt("spatial", 1) != 1
        || bn.outputs().size() != 1) {
      return Optional.empty();
    }
    int rank = Match.rank(g, bn.input(0));
    var xt = g.type(bn.input(0));
    Tensor gamma = Match.constant(g, bn.input(1));
    Tensor beta = Match.constant(g, bn.input(2));
    Tensor mean = Match.constant(g, bn.input(3));
    Tensor var = Match.constant(g, bn.input(4));
    if (rank < 2 || !xt.dtype().isFloat() || gamma == null || beta == null || mean == null || var == null) {
      return Optional.empty();
    }
    int c = (int) gamma.numElements();
    var cdim = xt.shape().dim(1);
    if (c == 0 || cdim.isStatic() && cdim.size() != c) {
      return Optional.empty();
    }
    for (Tensor t : List.of(gamma, beta, mean, var)) {
      if (t.rank() != 1 || t.numElements() != c) {
        return Optional.empty();
      }
    }
    double eps = bn.attrs().getFloat("epsilon", 1e-5f);
    double[] s = new double[c];
    double[] shift = new double[c];
    for (int k = 0; k < c; k++) {
      s[k] = gamma.getDouble(k) / Math.sqrt(var.getDouble(k) + eps);
      shift[k] = beta.getDouble(k) - mean.getDouble(k) * s[k];
    }
    long[] shape = new long[rank - 1];
    java.util.Arrays.fill(shape, 1);
    shape[0] = c;
    String sName = Match.freshName(g, bn.name() + "_scale");
    String bName = Match.freshName(g, bn.name() + "_shift");
    String scaled = Match.freshName(g, bn.name() + "_scaled");
    String bFinal = bName.equals(sName) ? bName + "_b" : bName;
    Node mul = new Node(scaled, "Mul", List.of(bn.input(0), sName), List.of(scaled), null);
    Node add = new Node(bn.name(), "Add", List.of(scaled, bFinal), bn.outputs(), null);
    return Optional.of(e -> {
      e.putInitializer(sName, Tensor.fromDoubles(xt.dtype(), shape, s));
      e.putInitializer(bFinal, Tensor.fromDoubles(xt.dtype(), shape, shift));
      e.replaceNode(bn, List.of(mul, add));
    });
  }

}

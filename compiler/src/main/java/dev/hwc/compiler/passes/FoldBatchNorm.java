package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * Folds an inference BatchNormalization into the Conv, ConvTranspose or Gemm before it, when that
 * node's output is read by the BatchNormalization alone and its weights and bias are constants.
 * With {@code s = gamma / sqrt(var + eps)} per channel: {@code w' = w * s} along the output-channel
 * axis and {@code b' = (b - mean) * s + beta}, computed in double and rounded once to the weights'
 * type. The new weights get new names (the old ones may be shared); a missing bias is created.
 * A BatchNormalization with no such producer is {@link DecomposeBatchNorm}'s.
 */
public final class FoldBatchNorm implements Pass {
  public static final String NAME = "fold-batch-norm";
  private static final PassInfo INFO = new PassInfo(NAME, 1);

  private static final RuleSet RULES = RuleSet.on("BatchNormalization",
      // BN(Conv(x, w, b)) -> Conv(x, w', b'); w is [Cout, Cin/group, k..]: channel = index on axis 0
      (g, bn) -> fold(g, bn, "Conv", FoldBatchNorm::convChannels),
      // BN(ConvTranspose(x, w, b)) -> ConvTranspose(x, w', b'); w is [Cin, Cout/group, k..]: channel = group * Cout/group + index on axis 1
      (g, bn) -> fold(g, bn, "ConvTranspose", FoldBatchNorm::convTransposeChannels),
      // BN(Gemm(a, w, c)) -> Gemm(a, w', c'); channel = column of w, or row when transB; c' absorbs Gemm's beta
      (g, bn) -> fold(g, bn, "Gemm", FoldBatchNorm::gemmChannels));

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return RULES.rewrite(g);
  }

  /** For each flat index of the weights, the output channel it feeds; null when the shapes do not fit. */
  @FunctionalInterface
  private interface Channels {
    int[] of(Node producer, long[] weightShape, int channels);
  }

  private static Optional<Rule.Rewrite> fold(Graph g, Node bn, String op, Channels channelsOf) {
    if (bn.attrs().getInt("training_mode", 0) != 0 || bn.attrs().getInt("spatial", 1) != 1
        || bn.outputs().size() != 1) {
      return Optional.empty();
    }
    Node p = Match.soleOutputProducer(g, bn.input(0), op);
    if (p == null || !Match.onlyReader(g, bn.input(0), bn)) {
      return Optional.empty();
    }
    Tensor w = Match.constant(g, p.input(1));
    Tensor gamma = Match.constant(g, bn.input(1));
    Tensor beta = Match.constant(g, bn.input(2));
    Tensor mean = Match.constant(g, bn.input(3));
    Tensor var = Match.constant(g, bn.input(4));
    if (w == null || !w.dtype().isFloat() || gamma == null || beta == null || mean == null || var == null) {
      return Optional.empty();
    }
    int c = (int) gamma.numElements();
    if (c == 0) {
      return Optional.empty();
    }
    for (Tensor t : List.of(gamma, beta, mean, var)) {
      if (t.rank() != 1 || t.numElements() != c) {
        return Optional.empty();
      }
    }
    int[] channel = channelsOf.of(p, w.shape(), c);
    double[] bias = producerBias(g, p, c);
    if (channel == null || bias == null) {
      return Optional.empty();
    }
    double eps = bn.attrs().getFloat("epsilon", 1e-5f);
    double[] s = new double[c];
    double[] folded = new double[c];
    for (int k = 0; k < c; k++) {
      s[k] = gamma.getDouble(k) / Math.sqrt(var.getDouble(k) + eps);
      folded[k] = (bias[k] - mean.getDouble(k)) * s[k] + beta.getDouble(k);
    }
    double[] wv = w.toDoubles();
    for (int i = 0; i < wv.length; i++) {
      wv[i] *= s[channel[i]];
    }
    Tensor newW = Tensor.fromDoubles(w.dtype(), w.shape(), wv);
    Tensor newB = Tensor.fromDoubles(w.dtype(), new long[] {c}, folded);
    String wName = Match.freshName(g, p.input(1) + "_bnfold");
    String bBase = Match.freshName(g, (p.hasInput(2) ? p.input(2) : p.name() + "_bias") + "_bnfold");
    String bName = bBase.equals(wName) ? bBase + "_b" : bBase;
    Node replacement = p.withInputs(List.of(p.input(0), wName, bName)).withOutputs(bn.outputs())
        .withAttrs(op.equals("Gemm") ? p.attrs().without("beta") : p.attrs());
    return Optional.of(e -> {
      e.putInitializer(wName, newW);
      e.putInitializer(bName, newB);
      e.replaceNode(p, List.of(replacement));
      e.removeNode(bn);
      e.valueTypes().remove(p.output(0));
    });
  }

  /** True when this pass folds {@code bn} into the node before it. */
  static boolean folds(Graph g, Node bn) {
    return bn.op().equals("BatchNormalization") && RULES.firstMatch(g, bn).isPresent();
  }

  /**
   * The producer's bias per output channel (a Gemm's multiplied by its beta), zeros when absent;
   * null when it is not a constant of a per-channel (or, for Gemm, a single-value) shape.
   */
  private static double[] producerBias(Graph g, Node p, int c) {
    double[] b = new double[c];
    if (!p.hasInput(2)) {
      return b;
    }
    Tensor t = Match.constant(g, p.input(2));
    if (t == null) {
      return null;
    }
    boolean gemm = p.op().equals("Gemm");
    long[] shape = t.shape();
    boolean perChannel = t.numElements() == c
        && (shape.length == 1 || gemm && shape.length == 2 && shape[0] == 1);
    boolean single = gemm && t.numElements() == 1 && shape.length <= 2;
    if (!perChannel && !single) {
      return null;
    }
    double scale = gemm ? p.attrs().getFloat("beta", 1f) : 1;
    for (int k = 0; k < c; k++) {
      b[k] = scale * t.getDouble(perChannel ? k : 0);
    }
    return b;
  }

  private static int[] convChannels(Node conv, long[] w, int c) {
    if (w.length < 3 || w[0] != c) {
      return null;
    }
    int n = (int) count(w);
    int perChannel = n / c;
    int[] ch = new int[n];
    for (int i = 0; i < n; i++) {
      ch[i] = i / perChannel;
    }
    return ch;
  }

  private static int[] convTransposeChannels(Node convT, long[] w, int c) {
    long group = convT.attrs().getInt("group", 1);
    if (w.length < 3 || group < 1 || w[0] % group != 0 || w[1] * group != c) {
      return null;
    }
    long cinPerGroup = w[0] / group;
    long coutPerGroup = w[1];
    long inner = count(w) / (w[0] * w[1]);
    int n = (int) count(w);
    int[] ch = new int[n];
    for (int i = 0; i < n; i++) {
      long cin = i / (coutPerGroup * inner);
      long j = (i / inner) % coutPerGroup;
      ch[i] = (int) ((cin / cinPerGroup) * coutPerGroup + j);
    }
    return ch;
  }

  private static int[] gemmChannels(Node gemm, long[] w, int c) {
    boolean transB = gemm.attrs().getInt("transB", 0) != 0;
    if (w.length != 2 || w[transB ? 0 : 1] != c) {
      return null;
    }
    int n = (int) count(w);
    int[] ch = new int[n];
    for (int i = 0; i < n; i++) {
      ch[i] = (int) (transB ? i / w[1] : i % w[1]);
    }
    return ch;
  }

  private static long count(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }
}

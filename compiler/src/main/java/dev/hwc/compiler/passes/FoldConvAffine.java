package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * Folds a per-channel scale or shift that follows a Conv into its weights and bias: {@code Conv(x,
 * w, b) * c -> Conv(x, w * c, b * c)} and {@code Conv(x, w, b) + c -> Conv(x, w, b + c)}, for a
 * constant c that is one value or one per output channel ([C, 1, 1], [1, C, 1, 1]...), when the
 * Conv's output is read by that node alone and its weights (and bias) are constants. This is where
 * a standalone BatchNormalization (made Mul + Add by {@link FoldBatchNorm}) and a division by a
 * constant (made a Mul by {@link DivToMul}) end when a Conv precedes them. Values are computed in
 * double and rounded once; the new weights get new names (the old ones may be shared).
 */
public final class FoldConvAffine implements Pass {
  public static final String NAME = "fold-conv-affine";
  private static final PassInfo INFO = new PassInfo(NAME, 1, List.of(InferShapes.NAME));

  private static final RuleSet RULES = RuleSet.on("Mul",
          // Mul(Conv(x, w, b), c) -> Conv(x, w * c, b * c)
          (g, n) -> fold(g, n, true))
      .plus(RuleSet.on("Add",
          // Add(Conv(x, w, b), c) -> Conv(x, w, b + c)
          (g, n) -> fold(g, n, false)));

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return RULES.rewrite(g);
  }

  private static Optional<Rule.Rewrite> fold(Graph g, Node root, boolean scale) {
    if (root.inputs().size() != 2) {
      return Optional.empty();
    }
    for (int i = 0; i < 2; i++) {
      Node conv = Match.soleOutputProducer(g, root.input(i), "Conv");
      Tensor c = Match.constant(g, root.input(1 - i));
      if (conv == null || c == null || !Match.onlyReader(g, root.input(i), root)) {
        continue;
      }
      Tensor w = Match.constant(g, conv.input(1));
      int outRank = Match.rank(g, conv.output(0));
      if (w == null || !w.dtype().isFloat() || c.dtype() != w.dtype() || outRank < 3 || w.rank() != outRank) {
        continue;
      }
      int channels = (int) w.shape()[0];
      double[] perChannel = perChannel(c, channels, outRank);
      double[] bias = bias(g, conv, channels);
      if (perChannel == null || bias == null) {
        continue;
      }
      double[] wv = w.toDoubles();
      int inner = wv.length / channels;
      Tensor newW = w;
      if (scale) {
        for (int k = 0; k < wv.length; k++) {
          wv[k] *= perChannel[k / inner];
        }
        newW = Tensor.fromDoubles(w.dtype(), w.shape(), wv);
      }
      for (int k = 0; k < channels; k++) {
        bias[k] = scale ? bias[k] * perChannel[k] : bias[k] + perChannel[k];
      }
      Tensor newB = Tensor.fromDoubles(w.dtype(), new long[] {channels}, bias);
      String wName = scale ? Match.freshName(g, conv.input(1) + "_folded") : conv.input(1);
      String bBase = Match.freshName(g, (conv.hasInput(2) ? conv.input(2) : conv.name() + "_bias") + "_folded");
      String bName = bBase.equals(wName) ? bBase + "_b" : bBase;
      Tensor fw = newW;
      Node replacement = conv.withInputs(List.of(conv.input(0), wName, bName)).withOutputs(root.outputs());
      return Optional.of(e -> {
        if (scale) {
          e.putInitializer(wName, fw);
        }
        e.putInitializer(bName, newB);
        e.replaceNode(conv, List.of(replacement));
        e.removeNode(root);
        e.valueTypes().remove(conv.output(0));
      });
    }
    return Optional.empty();
  }

  /** c as one value per output channel: one element, or a shape whose only non-1 dim is the channel axis. */
  private static double[] perChannel(Tensor c, int channels, int outRank) {
    long[] s = c.shape();
    if (s.length > outRank) {
      return null;
    }
    double[] out = new double[channels];
    if (c.numElements() == 1) {
      java.util.Arrays.fill(out, c.getDouble(0));
      return out;
    }
    int channelAxis = s.length - (outRank - 1); // axis 1 of the output, aligned from the right
    for (int k = 0; k < s.length; k++) {
      if (k == channelAxis ? s[k] != channels : s[k] != 1) {
        return null;
      }
    }
    for (int k = 0; k < channels; k++) {
      out[k] = c.getDouble(k);
    }
    return out;
  }

  private static double[] bias(Graph g, Node conv, int channels) {
    if (!conv.hasInput(2)) {
      return new double[channels];
    }
    Tensor b = Match.constant(g, conv.input(2));
    return b == null || b.numElements() != channels ? null : b.toDoubles();
  }
}

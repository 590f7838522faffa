package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * {@code HardSigmoid(Conv(x, w, b); alpha, beta) -> Clip(Conv(x, alpha w, alpha b + beta), 0, 1)},
 * when the Conv's output is read by the HardSigmoid alone and its weights are constants: the
 * affine part goes into the weights and bias (through {@link FoldConvAffine}), the clamp is a
 * Clip(0, 1) that an asymmetric int8 QuantizeLinear stands for. A squeeze-excite gate then is one
 * integer conv on ONNX Runtime instead of a conv and a rescaling add. Run by the int8 quantizer for
 * QDQ targets (a float runtime fuses Conv + HardSigmoid and Conv + Clip alike).
 */
public final class FoldHardSigmoidIntoConv implements Pass {
  public static final String NAME = "fold-hard-sigmoid-into-conv";
  private static final PassInfo INFO = new PassInfo(NAME, 1, List.of(InferShapes.NAME));

  private static final RuleSet RULES = RuleSet.on("HardSigmoid", FoldHardSigmoidIntoConv::spell);

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    Graph spelled = RULES.rewrite(g);
    return spelled == g ? g
        : dev.hwc.compiler.ops.ShapeInference.run(new FoldConvAffine().run(dev.hwc.compiler.ops.ShapeInference.run(spelled), ctx));
  }

  /** HardSigmoid after a sole-reader Conv -> Mul(alpha), Add(beta), Clip(0, 1), for FoldConvAffine to fold. */
  private static Optional<Rule.Rewrite> spell(Graph g, Node hs) {
    Node conv = Match.soleOutputProducer(g, hs.input(0), "Conv");
    if (conv == null || !Match.onlyReader(g, hs.input(0), hs) || !Match.isConstant(g, conv.input(1))
        || conv.hasInput(2) && !Match.isConstant(g, conv.input(2))) {
      return Optional.empty();
    }
    float alpha = hs.attrs().getFloat("alpha", 0.2f);
    float beta = hs.attrs().getFloat("beta", 0.5f);
    String a = Match.freshName(g, hs.name() + "_alpha");
    String b = Match.freshName(g, hs.name() + "_beta");
    String lo = Match.freshName(g, hs.name() + "_zero");
    String hi = Match.freshName(g, hs.name() + "_one");
    String scaled = Match.freshName(g, hs.name() + "_scaled");
    String shifted = Match.freshName(g, hs.name() + "_shifted");
    return Optional.of(e -> {
      e.putInitializer(a, Tensor.scalar(alpha));
      e.putInitializer(b, Tensor.scalar(beta));
      e.putInitializer(lo, Tensor.scalar(0f));
      e.putInitializer(hi, Tensor.scalar(1f));
      e.replaceNode(hs, List.of(
          new Node(hs.name() + "_mul", "Mul", List.of(hs.input(0), a), List.of(scaled), Attributes.EMPTY),
          new Node(hs.name() + "_add", "Add", List.of(scaled, b), List.of(shifted), Attributes.EMPTY),
          new Node(hs.name(), "Clip", List.of(shifted, lo, hi), hs.outputs(), Attributes.EMPTY)));
    });
  }
}

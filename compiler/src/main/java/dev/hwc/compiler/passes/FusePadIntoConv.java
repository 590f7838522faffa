package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * Folds a zero Pad on the spatial axes into the Conv that reads it: {@code Conv(Pad(x, p)) ->
 * Conv(x) {pads += p}}, the way TensorFlow-origin exports write asymmetric "same" padding. The Pad
 * must be constant mode with value 0 (or none), pad neither batch nor channels, pad by non-negative
 * amounts, and be read by that Conv alone; the Conv must have explicit pads (auto_pad NOTSET).
 */
public final class FusePadIntoConv implements Pass {
  public static final String NAME = "fuse-pad-into-conv";
  private static final PassInfo INFO = new PassInfo(NAME, 1, List.of(InferShapes.NAME));

  private static final RuleSet RULES = RuleSet.on("Conv",
      // Conv(Pad(x, [0,0,t,l,0,0,b,r]), w, b) {pads=p} -> Conv(x, w, b) {pads=p + [t,l,b,r]}
      FusePadIntoConv::fuse);

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return g.opset() < 11 ? g : RULES.rewrite(g);
  }

  private static Optional<Rule.Rewrite> fuse(Graph g, Node conv) {
    Node pad = Match.soleOutputProducer(g, conv.input(0), "Pad");
    if (pad == null || !Match.onlyReader(g, conv.input(0), conv)
        || !conv.attrs().getString("auto_pad", "NOTSET").equals("NOTSET")
        || !pad.attrs().getString("mode", "constant").equals("constant") || pad.inputs().size() > 3) {
      return Optional.empty();
    }
    Tensor p = Match.constant(g, pad.input(1));
    if (p == null || pad.hasInput(2) && !Double.valueOf(0).equals(Match.scalar(g, pad.input(2)))) {
      return Optional.empty();
    }
    int rank = Match.rank(g, pad.input(0));
    long[] pads = p.toLongs();
    if (rank < 3 || pads.length != 2 * rank) {
      return Optional.empty();
    }
    int spatial = rank - 2;
    if (pads[0] != 0 || pads[1] != 0 || pads[rank] != 0 || pads[rank + 1] != 0) {
      return Optional.empty();
    }
    long[] old = conv.attrs().getInts("pads", new long[2 * spatial]);
    if (old.length != 2 * spatial) {
      return Optional.empty();
    }
    long[] merged = new long[2 * spatial];
    for (int k = 0; k < spatial; k++) {
      long begin = pads[2 + k];
      long end = pads[rank + 2 + k];
      if (begin < 0 || end < 0) {
        return Optional.empty();
      }
      merged[k] = old[k] + begin;
      merged[spatial + k] = old[spatial + k] + end;
    }
    List<String> ins = new java.util.ArrayList<>(conv.inputs());
    ins.set(0, pad.input(0));
    Node fused = conv.withInputs(ins).withAttrs(conv.attrs().with("pads", merged));
    return Optional.of(e -> {
      e.removeNode(pad);
      e.valueTypes().remove(pad.output(0));
      e.replaceNode(conv, List.of(fused));
    });
  }
}

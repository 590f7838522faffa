package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Rewrites a batch-first recurrent node ({@code LSTM}/{@code GRU}/{@code RNN} with {@code layout = 1},
 * opset 14) into the sequence-first form with Transposes around it: X and the initial states are
 * transposed in ([batch, seq, in] -> [seq, batch, in], [batch, dirs, hidden] -> [dirs, batch, hidden]),
 * Y and the final states back out ([seq, dirs, batch, hidden] -> [batch, seq, dirs, hidden]). ONNX
 * Runtime's CPU kernels refuse layout 1 ("Batchwise recurrent operations (layout == 1) are not
 * supported", onnxruntime/core/providers/cpu/rnn/deep_cpu_lstm.h), so a model ONNX accepts would
 * otherwise not load. The graph's value names stay as they were: the Transposes write the node's old
 * outputs.
 */
public final class RecurrentSeqFirst implements Pass {
  public static final String NAME = "recurrent-seq-first";
  private static final PassInfo INFO = new PassInfo(NAME, 1);

  private static final RuleSet RULES = RuleSet.onAnyOp(RecurrentSeqFirst::seqFirst);

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return RULES.rewrite(g);
  }

  private static Optional<Rule.Rewrite> seqFirst(Graph g, Node n) {
    if (!List.of("LSTM", "GRU", "RNN").contains(n.op()) || !n.domain().isEmpty() || n.attrs().getInt("layout", 0) != 1) {
      return Optional.empty();
    }
    List<Node> out = new ArrayList<>();
    List<String> inputs = new ArrayList<>(n.inputs());
    // X (0), initial_h (5), initial_c (6): [batch, a, b] -> [a, batch, b]
    for (int i : new int[] {0, 5, 6}) {
      if (i < inputs.size() && !inputs.get(i).isEmpty()) {
        String t = Match.freshName(g, inputs.get(i) + "_seq_first");
        out.add(new Node(Match.freshName(g, n.name() + "_in" + i + "_transpose"), "Transpose",
            List.of(inputs.get(i)), List.of(t), Attributes.of("perm", new long[] {1, 0, 2})));
        inputs.set(i, t);
      }
    }
    List<String> outputs = new ArrayList<>(n.outputs());
    List<Node> after = new ArrayList<>();
    for (int i = 0; i < outputs.size(); i++) {
      if (outputs.get(i).isEmpty()) {
        continue;
      }
      String t = Match.freshName(g, outputs.get(i) + "_seq_first");
      long[] perm = i == 0 ? new long[] {2, 0, 1, 3} : new long[] {1, 0, 2};
      after.add(new Node(Match.freshName(g, n.name() + "_out" + i + "_transpose"), "Transpose",
          List.of(t), List.of(outputs.get(i)), Attributes.of("perm", perm)));
      outputs.set(i, t);
    }
    out.add(new Node(n.name(), n.op(), n.domain(), inputs, outputs, n.attrs().without("layout")));
    out.addAll(after);
    return Optional.of(e -> e.replaceNode(n, out));
  }
}

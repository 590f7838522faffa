package dev.hwc.compiler.ops;

import dev.hwc.compiler.ir.Attribute;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX's recurrent ops LSTM, GRU and RNN (https://onnx.ai/onnx/operators/onnx__LSTM.html, onnx__GRU.html,
 * onnx__RNN.html). Inputs: X, W [dirs, gates*hidden, input], R [dirs, gates*hidden, hidden], then the
 * optional B, sequence_lens (int32), initial_h, and for LSTM initial_c and P. Outputs (all from X's
 * dtype): Y [seq, dirs, batch, hidden], Y_h [dirs, batch, hidden] and, for LSTM, Y_c like Y_h; with
 * {@code layout = 1} (opset 14) X is [batch, seq, input], Y [batch, seq, dirs, hidden] and the states
 * [batch, dirs, hidden]. Gates: LSTM 4 (i, o, f, c), GRU 3 (z, r, h), RNN 1.
 *
 * <p>They stay float in every integer plan ({@link QuantRule#FLOAT}): the static QDQ quantizer has no
 * integer kernel to fuse them into on ONNX Runtime (its DynamicQuantizeLSTM is a contrib op hwc does not
 * emit), so a Q/DQ pair around them would only add rounding; the dynamic quantizer rewrites MatMul and
 * Gather only.
 */
final class RecurrentOps {
  private RecurrentOps() {}

  private static final String[] COMMON_ATTRS = {
    "activation_alpha:FLOATS", "activation_beta:FLOATS", "activations:STRINGS", "clip:FLOAT",
    "direction:STRING", "hidden_size:INT", "layout:INT"
  };

  static List<OpDef> all() {
    return List.of(
        OpDef.named("LSTM").inputs(3, 8).outputs(3).attrs(COMMON_ATTRS).attrs("input_forget:INT")
            .shape(c -> shape(c, 4, 3, 3)).withMacs((g, n) -> macs(g, n, 4)).withTypeFixedInputs(i -> i == 4),
        OpDef.named("GRU").inputs(3, 6).outputs(2).attrs(COMMON_ATTRS).attrs("linear_before_reset:INT")
            .shape(c -> shape(c, 3, 2, 2)).withMacs((g, n) -> macs(g, n, 3)).withTypeFixedInputs(i -> i == 4),
        OpDef.named("RNN").inputs(3, 6).outputs(2).attrs(COMMON_ATTRS)
            .shape(c -> shape(c, 1, 1, 2)).withMacs((g, n) -> macs(g, n, 1)).withTypeFixedInputs(i -> i == 4));
  }

  /** The ops of this family: nodes a pass or a backend treats as recurrent. */
  static boolean isRecurrent(String op) {
    return op.equals("LSTM") || op.equals("GRU") || op.equals("RNN");
  }

  /** 1 for forward and reverse, 2 for bidirectional; anything else fails naming the node. */
  static int directions(OpContext c) {
    String d = c.attrs().getString("direction", "forward");
    return switch (d) {
      case "forward", "reverse" -> 1;
      case "bidirectional" -> 2;
      default -> throw c.fail("direction '" + d + "' is not forward, reverse or bidirectional");
    };
  }

  private static List<Value> shape(OpContext c, int gates, int activationsPerDir, int outputs) {
    int dirs = directions(c);
    long layout = c.attrs().getInt("layout", 0);
    if (layout != 0 && layout != 1) {
      throw c.fail("layout " + layout + " is not 0 or 1");
    }
    if (layout == 1 && c.opset() < 14) {
      throw c.fail("layout is an attribute from opset 14; this graph is opset " + c.opset());
    }
    Attribute acts = c.attrs().get("activations");
    if (acts instanceof Attribute.Strs s && s.values().size() != activationsPerDir * dirs) {
      throw c.fail("activations lists " + s.values().size() + " functions; " + c.node().op() + " with "
          + dirs + " direction(s) takes " + activationsPerDir * dirs);
    }
    DType t = c.dtype(0);
    if (t != DType.FLOAT && t != DType.FLOAT16 && t != DType.DOUBLE && t != DType.UNDEFINED) {
      throw c.fail("X is " + t + "; " + c.node().op() + " takes float, float16 or double");
    }
    Shape x = c.shape(0);
    Shape w = c.shape(1);
    Shape r = c.shape(2);
    long attrHidden = c.attrs().getInt("hidden_size", -1);
    Dim hidden = attrHidden > 0 ? Dim.of(attrHidden)
        : r.hasRank() && r.rank() == 3 ? r.dim(2) : Dim.UNKNOWN;
    if (x.hasRank() && x.rank() != 3) {
      throw c.fail("X must be rank 3, is " + x);
    }
    if (w.hasRank() && w.rank() != 3 || r.hasRank() && r.rank() != 3) {
      throw c.fail("W " + w + " and R " + r + " must be rank 3");
    }
    if (w.hasRank()) {
      expect(c, "W", w.dim(0), dirs, "the number of directions");
      if (hidden.isStatic()) {
        expect(c, "W", w.dim(1), gates * hidden.size(), gates + " x hidden_size");
      }
      if (x.hasRank() && x.dim(2).isStatic()) {
        expect(c, "W", w.dim(2), x.dim(2).size(), "X's input size");
      }
    }
    if (r.hasRank()) {
      expect(c, "R", r.dim(0), dirs, "the number of directions");
      if (hidden.isStatic()) {
        expect(c, "R", r.dim(1), gates * hidden.size(), gates + " x hidden_size");
        expect(c, "R", r.dim(2), hidden.size(), "hidden_size");
      }
    }
    if (c.inputCount() > 3 && c.hasInput(3)) {
      Shape b = c.shape(3);
      if (b.hasRank() && b.rank() == 2 && hidden.isStatic()) {
        expect(c, "B", b.dim(1), 2L * gates * hidden.size(), "2 x " + gates + " x hidden_size");
      }
    }
    if (c.inputCount() > 4 && c.hasInput(4) && c.dtype(4) != DType.INT32 && c.dtype(4) != DType.UNDEFINED) {
      throw c.fail("sequence_lens is " + c.dtype(4) + ", must be int32");
    }
    Dim seq = x.hasRank() ? x.dim(layout == 0 ? 0 : 1) : Dim.UNKNOWN;
    Dim batch = x.hasRank() ? x.dim(layout == 0 ? 1 : 0) : Dim.UNKNOWN;
    Dim nd = Dim.of(dirs);
    List<Value> out = new ArrayList<>();
    List<Dim> y = layout == 0 ? List.of(seq, nd, batch, hidden) : List.of(batch, seq, nd, hidden);
    List<Dim> state = layout == 0 ? List.of(nd, batch, hidden) : List.of(batch, nd, hidden);
    Node n = c.node();
    for (int i = 0; i < n.outputs().size() && i < outputs; i++) {
      if (!n.output(i).isEmpty()) {
        out.add(new Value(n.output(i), t, Shape.of(i == 0 ? y : state)));
      }
    }
    return out;
  }

  private static void expect(OpContext c, String what, Dim d, long want, String meaning) {
    if (d.isStatic() && d.size() != want) {
      throw c.fail(what + " has " + d.size() + " where " + meaning + " (" + want + ") is expected");
    }
  }

  /** seq x batch x dirs x gates x hidden x (input + hidden): the input and recurrent products. */
  private static long macs(Graph g, Node n, int gates) {
    Value x = g.type(n.input(0));
    Value w = g.type(n.input(1));
    Value r = g.type(n.input(2));
    if (x == null || w == null || r == null || !x.shape().isStatic() || !w.shape().isStatic()
        || !r.shape().isStatic() || x.shape().rank() != 3 || w.shape().rank() != 3 || r.shape().rank() != 3) {
      return -1;
    }
    long seqBatch = x.shape().dim(0).size() * x.shape().dim(1).size();
    long perStep = w.shape().dim(0).size() * w.shape().dim(1).size() * (w.shape().dim(2).size() + r.shape().dim(2).size());
    return dev.hwc.common.SafeFiles.multiply(seqBatch, perStep, "the MAC count of " + n.describe());
  }
}

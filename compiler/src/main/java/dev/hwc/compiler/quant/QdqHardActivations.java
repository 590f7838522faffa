package dev.hwc.compiler.quant;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites the QDQ groups of HardSigmoid and HardSwish, which ONNX Runtime has no integer kernel
 * for, into groups its QDQ selectors fuse (QLinearAdd, QLinearMul), so a MobileNetV3-style network
 * stays integer from one conv to the next instead of dropping to float at every activation.
 *
 * <p>The identity used: a DequantizeLinear may read the same integers with another scale, and
 * {@code DQ(q; s·a, z) = a·DQ(q; s, z)}; the clamp to [0, 1] is the saturation of a QuantizeLinear
 * whose representable range lies within [0, 1].
 *
 * <ul>
 *   <li>{@code DQ(q; s, z) -> HardSigmoid(a, b) -> Q(o)} becomes {@code DQ(q; s·a, z) -> Add(b) -> Q(o)}
 *       (a > 0, b != 0, and o's representable range within [0, 1]): one QLinearAdd.
 *   <li>{@code DQ(q; s, z) -> HardSwish -> Q(o)} becomes {@code DQ(q; s, z) -> Mul <- DQ(Q(DQ(q; s/6, z) + 0.5))},
 *       the gate quantized on [0, 1] with scale 1/255 (uint8) or 1/127 (int8): a QLinearAdd and a QLinearMul.
 * </ul>
 *
 * A group whose output is not read through QuantizeLinear alone (a graph output, a float reader)
 * is left as it was: without the Q there is no clamp, and ONNX Runtime runs it in float anyway.
 */
public final class QdqHardActivations {
  private QdqHardActivations() {}

  /** The HardSigmoid and HardSwish nodes a rewrite made integer, by name. */
  public record Result(Graph graph, List<String> rewritten) {}

  public static Result rewrite(Graph g) {
    Graph.Editor e = g.edit();
    StaticQuantizer.Names names = new StaticQuantizer.Names(g);
    List<String> done = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (!n.domain().isEmpty() || !(n.op().equals("HardSigmoid") || n.op().equals("HardSwish"))) {
        continue;
      }
      Node dq = g.producer(n.input(0));
      if (dq == null || !dq.op().equals("DequantizeLinear") || g.consumers(dq.output(0)).size() != 1
          || !scalarParams(g, dq) || g.isGraphOutput(n.output(0))) {
        continue;
      }
      List<Node> readers = g.consumers(n.output(0));
      if (readers.isEmpty() || !readers.stream().allMatch(r -> r.op().equals("QuantizeLinear") && scalarParams(g, r))) {
        continue;
      }
      float scale = (float) g.initializer(dq.input(1)).getDouble(0);
      Tensor zp = g.initializer(dq.input(2));
      DType qtype = zp.dtype();
      if (n.op().equals("HardSigmoid")) {
        float alpha = n.attrs().getFloat("alpha", 0.2f);
        float beta = n.attrs().getFloat("beta", 0.5f);
        if (!(alpha > 0) || beta == 0 || !readers.stream().allMatch(r -> withinUnit(g, r))) {
          continue;
        }
        String scaled = dequantizeScaled(e, names, dq, scale * alpha, n.name());
        String b = constant(e, names, n.name() + "_beta", beta, qtype);
        e.replaceNode(current(e, dq), List.of()); // its one reader is rewritten to read the rescaled DQ
        e.replaceNode(current(e, n), List.of(new Node(n.name(), "Add", List.of(scaled, b), n.outputs(), Attributes.EMPTY)));
      } else {
        // x * clip(x / 6 + 0.5, 0, 1): the gate gets a Q of its own on [0, 1]
        String x = dq.output(0);
        String shifted = dequantizeScaled(e, names, dq, scale / 6f, n.name());
        String half = constant(e, names, n.name() + "_half", 0.5f, qtype);
        String gateF = names.fresh(n.name() + "_gate");
        String gateS = names.fresh(n.name() + "_gate_scale");
        String gateZ = names.fresh(n.name() + "_gate_zero_point");
        boolean unsigned = qtype == DType.UINT8;
        e.putInitializer(gateS, Tensor.ofFloats(new long[0], unsigned ? 1f / 255 : 1f / 127));
        e.putInitializer(gateZ, Tensor.fromDoubles(qtype, new long[0], new double[] {0}));
        String gateQ = names.fresh(n.name() + "_gate_quantized");
        String gateDq = names.fresh(n.name() + "_gate_dequantized");
        e.replaceNode(current(e, n), List.of(
            new Node(names.fresh(n.name() + "_gate_add"), "Add", List.of(shifted, half), List.of(gateF), Attributes.EMPTY),
            new Node(names.fresh(n.name() + "_gate_QuantizeLinear"), "QuantizeLinear", List.of(gateF, gateS, gateZ),
                List.of(gateQ), Attributes.EMPTY),
            new Node(names.fresh(n.name() + "_gate_DequantizeLinear"), "DequantizeLinear", List.of(gateQ, gateS, gateZ),
                List.of(gateDq), Attributes.EMPTY),
            new Node(n.name(), "Mul", List.of(x, gateDq), n.outputs(), Attributes.EMPTY)));
      }
      done.add(n.name());
    }
    return new Result(done.isEmpty() ? g : dev.hwc.compiler.ops.ShapeInference.run(e.build()), done);
  }

  /** A new DequantizeLinear of dq's integers with another scale (same zero point); returns its output. */
  private static String dequantizeScaled(Graph.Editor e, StaticQuantizer.Names names, Node dq, float scale, String base) {
    String s = names.fresh(base + "_input_scale");
    e.putInitializer(s, Tensor.ofFloats(new long[0], scale));
    String out = names.fresh(base + "_input_rescaled");
    e.addNode(new Node(names.fresh(base + "_input_DequantizeLinear"), "DequantizeLinear",
        List.of(dq.input(0), s, dq.input(2)), List.of(out), Attributes.EMPTY));
    return out;
  }

  /** A scalar constant behind a DequantizeLinear of the activations' integer type, exact up to float rounding. */
  private static String constant(Graph.Editor e, StaticQuantizer.Names names, String base, float v, DType qtype) {
    boolean unsigned = qtype == DType.UINT8;
    int top = unsigned ? 255 : 127;
    double q;
    double zp;
    if (v > 0) {
      q = top;
      zp = 0;
    } else {
      q = unsigned ? 0 : -top;
      zp = unsigned ? 255 : 0;
    }
    float scale = Math.abs(v) / top;
    String values = names.fresh(base + "_quantized");
    String s = names.fresh(base + "_scale");
    String z = names.fresh(base + "_zero_point");
    e.putInitializer(values, Tensor.fromDoubles(qtype, new long[0], new double[] {q}));
    e.putInitializer(s, Tensor.ofFloats(new long[0], scale));
    e.putInitializer(z, Tensor.fromDoubles(qtype, new long[0], new double[] {zp}));
    String out = names.fresh(base + "_dequantized");
    e.addNode(new Node(names.fresh(base + "_DequantizeLinear"), "DequantizeLinear", List.of(values, s, z),
        List.of(out), Attributes.EMPTY));
    return out;
  }

  /** A Q or DQ node with constant scalar scale and explicit constant scalar zero point. */
  private static boolean scalarParams(Graph g, Node qdq) {
    return qdq.inputs().size() == 3 && g.isInitializer(qdq.input(1)) && g.isInitializer(qdq.input(2))
        && g.initializer(qdq.input(1)).numElements() == 1 && g.initializer(qdq.input(2)).numElements() == 1
        && !qdq.attrs().has("axis");
  }

  /** Whether a QuantizeLinear's representable range lies within [0, 1] (so it clamps like HardSigmoid). */
  private static boolean withinUnit(Graph g, Node q) {
    return rangeWithin(g, q, 0, 1);
  }

  /**
   * Whether the values a per-tensor QuantizeLinear / DequantizeLinear can represent, {@code s * (q - zp)}
   * for every q of its integer type, lie within [lo, hi] (to rounding).
   */
  static boolean rangeWithin(Graph g, Node qdq, double lo, double hi) {
    double s = g.initializer(qdq.input(1)).getDouble(0);
    Tensor zpT = g.initializer(qdq.input(2));
    double zp = zpT.getDouble(0);
    double qmin = zpT.dtype() == DType.UINT8 ? 0 : -128;
    double qmax = zpT.dtype() == DType.UINT8 ? 255 : 127;
    double eps = 1e-6;
    return s * (qmin - zp) >= lo - eps && s * (qmax - zp) <= hi + eps;
  }

  private static Node current(Graph.Editor e, Node n) {
    for (Node m : e.nodes()) {
      if (m.name().equals(n.name())) {
        return m;
      }
    }
    throw new IllegalStateException("node " + n.describe() + " vanished");
  }
}

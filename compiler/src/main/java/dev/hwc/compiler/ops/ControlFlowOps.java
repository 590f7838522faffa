package dev.hwc.compiler.ops;

import dev.hwc.compiler.ir.Attribute;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX's control flow with subgraphs (https://onnx.ai/onnx/operators/onnx__If.html, onnx__Loop.html,
 * onnx__Scan.html), held as {@link Attribute.GraphValue} attributes whose nodes may read values of the
 * enclosing graph by name. The node's output types come from the subgraphs' declared output types:
 * If merges its two branches (a dim both agree on is kept, others become unknown); Loop gives the final
 * loop-carried values and, for each scan output, the body's per-iteration type with a leading dim (the
 * trip count M when it is a constant, else unknown); Scan gives the final states and each scan output with
 * the sequence dim (the first scan input's, along its scan_input_axes) inserted at its scan_output_axes.
 * They are never folded or quantized ({@link QuantRule#FLOAT}).
 */
final class ControlFlowOps {
  private ControlFlowOps() {}

  private static final int MANY = 1 << 16;

  static List<OpDef> all() {
    return List.of(
        OpDef.named("If").inputs(1, 1).outputs(MANY).attrs("then_branch:GRAPH", "else_branch:GRAPH")
            .shape(ControlFlowOps::ifShape),
        OpDef.named("Loop").inputs(2, MANY).outputs(MANY).attrs("body:GRAPH").shape(ControlFlowOps::loopShape),
        OpDef.named("Scan").inputs(1, MANY).outputs(MANY)
            .attrs("body:GRAPH", "num_scan_inputs:INT", "scan_input_axes:INTS", "scan_input_directions:INTS",
                "scan_output_axes:INTS", "scan_output_directions:INTS")
            .shape(ControlFlowOps::scanShape));
  }

  private static Graph graph(OpContext c, String attr) {
    Attribute a = c.attrs().get(attr);
    if (!(a instanceof Attribute.GraphValue g)) {
      throw c.fail("attribute '" + attr + "' (a subgraph) is missing");
    }
    return g.value();
  }

  /** The declared type of a subgraph's output i. */
  private static Value outputType(Graph g, int i) {
    Value v = g.outputs().get(i);
    Value known = g.type(v.name());
    return known != null && (known.dtype() != DType.UNDEFINED || known.shape().hasRank()) ? known : v;
  }

  private static List<Value> ifShape(OpContext c) {
    Graph then = graph(c, "then_branch");
    Graph other = graph(c, "else_branch");
    int n = c.node().outputs().size();
    if (then.outputs().size() != n || other.outputs().size() != n) {
      throw c.fail("then_branch has " + then.outputs().size() + " outputs and else_branch " + other.outputs().size()
          + "; the node has " + n);
    }
    List<Value> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Value a = outputType(then, i);
      Value b = outputType(other, i);
      DType t = a.dtype() != DType.UNDEFINED ? a.dtype() : b.dtype();
      if (a.dtype() != DType.UNDEFINED && b.dtype() != DType.UNDEFINED && a.dtype() != b.dtype()) {
        throw c.fail("output " + i + " is " + a.dtype() + " in then_branch but " + b.dtype() + " in else_branch");
      }
      add(c, out, i, t, merge(a.shape(), b.shape()));
    }
    return out;
  }

  private static Shape merge(Shape a, Shape b) {
    if (!a.hasRank() || !b.hasRank() || a.rank() != b.rank()) {
      return Shape.UNKNOWN;
    }
    List<Dim> d = new ArrayList<>();
    for (int i = 0; i < a.rank(); i++) {
      d.add(a.dim(i).equals(b.dim(i)) ? a.dim(i) : Dim.UNKNOWN);
    }
    return Shape.of(d);
  }

  private static List<Value> loopShape(OpContext c) {
    Graph body = graph(c, "body");
    int carried = c.inputCount() - 2;
    int k = body.outputs().size() - 1 - carried;
    if (body.inputs().size() != carried + 2 || k < 0) {
      throw c.fail("body takes " + body.inputs().size() + " inputs and gives " + body.outputs().size()
          + " outputs; with " + carried + " loop-carried values it must take " + (carried + 2)
          + " (iteration, condition, values) and give at least " + (carried + 1));
    }
    if (c.node().outputs().size() != carried + k) {
      throw c.fail("the node has " + c.node().outputs().size() + " outputs; its body gives " + carried
          + " loop-carried values and " + k + " scan outputs");
    }
    long[] m = c.constantLongs(0);
    Dim trips = m != null && m.length == 1 ? Dim.of(Math.max(0, m[0])) : Dim.UNKNOWN;
    List<Value> out = new ArrayList<>();
    for (int i = 0; i < carried; i++) {
      Value init = c.in(2 + i);
      Value b = outputType(body, 1 + i);
      add(c, out, i, init.dtype() != DType.UNDEFINED ? init.dtype() : b.dtype(),
          init.shape().equals(b.shape()) ? init.shape() : merge(init.shape(), b.shape()));
    }
    for (int j = 0; j < k; j++) {
      Value b = outputType(body, 1 + carried + j);
      add(c, out, carried + j, b.dtype(), insert(b.shape(), 0, trips));
    }
    return out;
  }

  private static List<Value> scanShape(OpContext c) {
    Graph body = graph(c, "body");
    int m = (int) c.attrs().getInt("num_scan_inputs", -1);
    int states = c.inputCount() - m;
    if (m < 1 || states < 0) {
      throw c.fail("num_scan_inputs " + m + " does not fit " + c.inputCount() + " inputs");
    }
    int k = body.outputs().size() - states;
    if (body.inputs().size() != c.inputCount() || k < 0 || c.node().outputs().size() != states + k) {
      throw c.fail("body takes " + body.inputs().size() + " inputs and gives " + body.outputs().size()
          + " outputs, which do not fit " + states + " states, " + m + " scan inputs and " + c.node().outputs().size()
          + " outputs");
    }
    long[] inAxes = c.attrs().getInts("scan_input_axes", new long[m]);
    long[] outAxes = c.attrs().getInts("scan_output_axes", new long[k]);
    Shape first = c.shape(states);
    Dim seq = first.hasRank() ? first.dim(c.axis(inAxes.length > 0 ? inAxes[0] : 0, first.rank())) : Dim.UNKNOWN;
    List<Value> out = new ArrayList<>();
    for (int i = 0; i < states; i++) {
      add(c, out, i, c.dtype(i), c.shape(i));
    }
    for (int j = 0; j < k; j++) {
      Value b = outputType(body, states + j);
      Shape s = b.shape();
      int axis = j < outAxes.length ? (int) outAxes[j] : 0;
      if (s.hasRank() && axis < 0) {
        axis += s.rank() + 1;
      }
      add(c, out, states + j, b.dtype(), s.hasRank() && axis >= 0 && axis <= s.rank() ? insert(s, axis, seq) : Shape.UNKNOWN);
    }
    return out;
  }

  private static Shape insert(Shape s, int axis, Dim d) {
    if (!s.hasRank()) {
      return Shape.UNKNOWN;
    }
    List<Dim> dims = new ArrayList<>(s.dims());
    dims.add(axis, d);
    return Shape.of(dims);
  }

  private static void add(OpContext c, List<Value> out, int i, DType t, Shape s) {
    String name = c.node().output(i);
    if (!name.isEmpty()) {
      out.add(new Value(name, t, s));
    }
  }
}

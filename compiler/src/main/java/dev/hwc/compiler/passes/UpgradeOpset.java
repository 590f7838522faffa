package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.OpRegistry;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.common.BadInputException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Raises a graph's default-domain opset to {@code target}, rewriting the nodes whose signature or
 * meaning changed on the way (for the ops hwc has; see ONNX's Changelog.md):
 *
 * <ul>
 *   <li>From opsets 7 to 10 (read by the ONNX frontend, raised to 11 before anything else looks at
 *       the graph; these rewrites need no types): Slice (10) takes {@code starts}, {@code ends},
 *       {@code axes} as inputs; Pad and Clip (11) take {@code pads}/{@code value} and {@code
 *       min}/{@code max} as inputs; BatchNormalization loses {@code spatial} (9; {@code spatial=0}
 *       with per-position statistics is refused) and its training-only outputs, which must be
 *       unread; Upsample's {@code scales} attribute (7, 8) becomes the input of opset 9, and an
 *       opset-10 Resize (X, scales) gets the asymmetric coordinates it computed.
 *   <li>Dropout (12): the {@code ratio} attribute becomes the second input.
 *   <li>Squeeze, Unsqueeze, ReduceSum (13): {@code axes} becomes the second input.
 *   <li>Split (13): {@code split} becomes the second input; from 18, a Split without sizes states
 *       {@code num_outputs}.
 *   <li>Softmax (13): below 13 it flattens the input to 2-D at {@code axis} (default 1) and
 *       normalizes each row; from 13 it normalizes along {@code axis} alone (default -1). Where the
 *       axis is the last one the two agree and only the axis is written out; elsewhere the old
 *       meaning is spelled out as {@code Flatten(axis) -> Softmax(-1) -> Reshape(shape of x)}.
 *   <li>Resize (13): {@code tf_half_pixel_for_nn} was removed; such a Resize is refused.
 *   <li>Upsample (deprecated since 10, gone from runtimes): becomes {@code Resize} with the same
 *       scales, {@code asymmetric} coordinates and, for nearest, {@code floor} rounding, which is
 *       what Upsample computes.
 *   <li>ReduceMean (18): {@code axes} becomes the second input.
 * </ul>
 *
 * Every other op hwc has kept its signature and meaning from 11 to 21 (newer versions add types or
 * optional attributes with defaults equal to the old behaviour: Reshape's allowzero, Pad's axes,
 * Resize's antialias, Cast's saturate, AveragePool's dilations). A graph already at or above the
 * target is returned unchanged; the pass never lowers an opset.
 */
public final class UpgradeOpset implements Pass {
  public static final String NAME = "upgrade-opset";
  /** The opset per-axis QuantizeLinear/DequantizeLinear need. */
  public static final int QDQ_PER_AXIS_OPSET = 13;

  private static final PassInfo INFO = new PassInfo(NAME, 0);

  private final int target;

  public UpgradeOpset(int target) {
    if (target < OpRegistry.MIN_OPSET || target > OpRegistry.MAX_OPSET) {
      throw new IllegalArgumentException("opset " + target + " is outside hwc's range "
          + OpRegistry.MIN_OPSET + ".." + OpRegistry.MAX_OPSET);
    }
    this.target = target;
  }

  /** Convenience: {@code new UpgradeOpset(target).run(g, PassContext.defaults())}. */
  public static Graph to(Graph g, int target) {
    return new UpgradeOpset(target).run(g, PassContext.defaults());
  }

  public int target() {
    return target;
  }

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    int from = g.opset();
    if (from >= target) {
      return g;
    }
    if (from < OpRegistry.MIN_OPSET) {
      g = legacy(g);
      ctx.note(NAME + ": opset " + from + " -> " + OpRegistry.MIN_OPSET + " (attributes that became inputs)");
      if (target == OpRegistry.MIN_OPSET) {
        return ShapeInference.run(g);
      }
    }
    Graph typed = ShapeInference.run(g);
    Rewriter r = new Rewriter(typed, from, target);
    Graph.Editor e = typed.edit().opset(target);
    e.nodes().clear();
    int changed = 0;
    for (Node n : typed.nodes()) {
      List<Node> out = r.upgrade(n);
      changed += out.size() == 1 && out.get(0).equals(n) ? 0 : 1;
      e.nodes().addAll(out);
    }
    r.constants.forEach(e::putInitializer);
    ctx.note(NAME + ": opset " + from + " -> " + target + ", " + changed + " nodes rewritten");
    return ShapeInference.run(e.build());
  }

  /**
   * Raises a graph of opset 7 to 10 to opset 11, node by node, without shape inference (the IR's op
   * rules start at 11): the signatures that changed on the way (see the class comment).
   */
  static Graph legacy(Graph g) {
    int from = g.opset();
    if (from < OpRegistry.MIN_LEGACY_OPSET) {
      throw new BadInputException("opset " + from + " is older than hwc reads (" + OpRegistry.MIN_LEGACY_OPSET + ")");
    }
    Rewriter r = new Rewriter(g, from, OpRegistry.MIN_OPSET);
    Graph.Editor e = g.edit().opset(OpRegistry.MIN_OPSET);
    e.nodes().clear();
    for (Node n : g.nodes()) {
      e.nodes().addAll(r.legacy(n));
    }
    r.constants.forEach(e::putInitializer);
    return e.build();
  }

  /** The per-node rewrites of one run; collects the constants they add. */
  private static final class Rewriter {
    final Graph g;
    final int from;
    final int to;
    final java.util.LinkedHashMap<String, Tensor> constants = new java.util.LinkedHashMap<>();
    final Set<String> used = new HashSet<>();

    Rewriter(Graph g, int from, int to) {
      this.g = g;
      this.from = from;
      this.to = to;
      used.addAll(g.initializers().keySet());
      used.addAll(g.valueTypes().keySet());
      g.inputs().forEach(v -> used.add(v.name()));
      g.outputs().forEach(v -> used.add(v.name()));
      for (Node n : g.nodes()) {
        used.addAll(n.inputs());
        used.addAll(n.outputs());
        used.add(n.name());
      }
    }

    /** True when the change made at opset {@code at} lies on the way from the graph's opset to the target. */
    boolean crosses(int at) {
      return from < at && to >= at;
    }

    List<Node> upgrade(Node n) {
      if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
        return List.of(n);
      }
      return switch (n.op()) {
        case "Dropout" -> List.of(crosses(12) ? floatAttrToInput(n, "ratio", 1) : n);
        case "Squeeze", "Unsqueeze", "ReduceSum" -> List.of(crosses(13) ? intsAttrToInput(n, "axes", 1) : n);
        case "ReduceMean" -> List.of(crosses(18) ? intsAttrToInput(n, "axes", 1) : n);
        case "Split" -> List.of(split(n));
        case "Softmax" -> crosses(13) ? softmax(n) : List.of(n);
        case "Resize" -> List.of(resize(n));
        case "Upsample" -> List.of(upsample(n));
        default -> List.of(n);
      };
    }

    /** One node from opset 7..10 to 11. */
    List<Node> legacy(Node n) {
      if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
        return List.of(n);
      }
      return switch (n.op()) {
        case "Slice" -> List.of(from < 10 ? slice(n) : n);
        case "Pad" -> List.of(pad(n));
        case "Clip" -> List.of(clip(n));
        case "BatchNormalization" -> List.of(batchNorm(n));
        case "Upsample" -> List.of(upsampleScales(n));
        case "Resize" -> List.of(resize10(n));
        default -> List.of(n);
      };
    }

    // Slice(x) {starts, ends, axes} -> Slice(x, starts, ends, axes)   (opset 10)
    Node slice(Node n) {
      long[] starts = n.attrs().getInts("starts", null);
      long[] ends = n.attrs().getInts("ends", null);
      if (starts == null || ends == null || starts.length != ends.length) {
        throw new BadInputException(n.describe() + ": an opset-" + from + " Slice needs starts and ends of one length");
      }
      List<String> ins = new ArrayList<>(List.of(n.input(0), constant(n.name() + "_starts", Tensor.vector(starts)),
          constant(n.name() + "_ends", Tensor.vector(ends))));
      long[] axes = n.attrs().getInts("axes", null);
      if (axes != null) {
        ins.add(constant(n.name() + "_axes", Tensor.vector(axes)));
      }
      return new Node(n.name(), "Slice", "", ins, n.outputs(), Attributes.EMPTY);
    }

    // Pad(x) {pads, mode, value} -> Pad(x, pads, value) {mode}   (opset 11)
    Node pad(Node n) {
      long[] pads = n.attrs().getInts("pads", null);
      if (pads == null) {
        throw new BadInputException(n.describe() + ": an opset-" + from + " Pad needs its pads attribute");
      }
      float value = n.attrs().getFloat("value", 0f);
      List<String> ins = new ArrayList<>(List.of(n.input(0), constant(n.name() + "_pads", Tensor.vector(pads))));
      if (value != 0f) {
        ins.add(constant(n.name() + "_value", scalarLike(n.input(0), value)));
      }
      Attributes a = n.attrs().without("pads").without("value");
      return new Node(n.name(), "Pad", "", ins, n.outputs(), a);
    }

    // Clip(x) {min, max} -> Clip(x, min, max)   (opset 11); an absent bound stays absent
    Node clip(Node n) {
      if (!n.attrs().has("min") && !n.attrs().has("max")) {
        return n;
      }
      List<String> ins = new ArrayList<>(List.of(n.input(0)));
      ins.add(n.attrs().has("min") ? constant(n.name() + "_min", scalarLike(n.input(0), n.attrs().getFloat("min", 0f))) : "");
      if (n.attrs().has("max")) {
        ins.add(constant(n.name() + "_max", scalarLike(n.input(0), n.attrs().getFloat("max", 0f))));
      }
      return new Node(n.name(), "Clip", "", ins, n.outputs(), n.attrs().without("min").without("max"));
    }

    // BatchNormalization {spatial=1} -> BatchNormalization; training outputs (unread) dropped   (opset 9)
    Node batchNorm(Node n) {
      if (n.attrs().getInt("spatial", 1) != 1) {
        for (int i = 1; i < n.inputs().size(); i++) {
          Tensor t = g.initializer(n.input(i));
          if (t == null || t.rank() != 1) {
            throw new BadInputException(n.describe() + ": BatchNormalization with spatial=0 (statistics per position)"
                + " has no form from opset 9 on");
          }
        }
      }
      for (int i = 1; i < n.outputs().size(); i++) {
        String o = n.output(i);
        if (!o.isEmpty() && (g.isGraphOutput(o) || !g.consumers(o).isEmpty())) {
          throw new BadInputException(n.describe() + ": its training output '" + o + "' is read; hwc runs"
              + " BatchNormalization for inference only");
        }
      }
      return new Node(n.name(), n.op(), "", n.inputs(), List.of(n.output(0)),
          n.attrs().without("spatial").without("consumed_inputs"));
    }

    // Upsample(x) {scales} -> Upsample(x, scales)   (opset 9); then Upsample -> Resize
    Node upsampleScales(Node n) {
      Node m = n;
      float[] scales = n.attrs().getFloats("scales", null);
      if (scales != null && n.inputs().size() == 1) {
        m = new Node(n.name(), "Upsample", "", List.of(n.input(0),
            constant(n.name() + "_scales", Tensor.ofFloats(new long[] {scales.length}, scales))), n.outputs(),
            n.attrs().without("scales"));
      }
      String mode = m.attrs().getString("mode", "nearest");
      if (mode.equals("bilinear")) {
        m = m.withAttrs(m.attrs().with("mode", "linear"));
      }
      return upsample(m);
    }

    // Resize(x, scales) {mode}  (opset 10: asymmetric coordinates, like Upsample) -> Resize(x, roi, scales)
    Node resize10(Node n) {
      if (from != 10 || n.inputs().size() != 2) {
        return n;
      }
      return upsample(n);
    }

    /** A scalar constant of x's float type (float when unknown: Clip and Pad values of old models). */
    Tensor scalarLike(String x, float v) {
      Value t = g.type(x);
      DType d = t != null && t.dtype().isFloat() ? t.dtype() : DType.FLOAT;
      return Tensor.fromDoubles(d, new long[0], new double[] {v});
    }

    // Squeeze(x) {axes=[a]} -> Squeeze(x, [a]); likewise Unsqueeze, ReduceSum, ReduceMean
    Node intsAttrToInput(Node n, String attr, int index) {
      long[] values = n.attrs().getInts(attr, null);
      if (values == null) {
        return n;
      }
      String c = constant(n.name() + "_" + attr, Tensor.vector(values));
      return n.withInputs(withInput(n.inputs(), index, c)).withAttrs(n.attrs().without(attr));
    }

    // Dropout(x) {ratio=r} -> Dropout(x, r)
    Node floatAttrToInput(Node n, String attr, int index) {
      if (!n.attrs().has(attr)) {
        return n;
      }
      String c = constant(n.name() + "_" + attr, Tensor.scalar(n.attrs().getFloat(attr, 0.5f)));
      return n.withInputs(withInput(n.inputs(), index, c)).withAttrs(n.attrs().without(attr));
    }

    // Split(x) {split=[s...]} -> Split(x, [s...]); from 18 a Split without sizes names num_outputs
    Node split(Node n) {
      Node m = crosses(13) ? intsAttrToInput(n, "split", 1) : n;
      if (crosses(18) && !m.hasInput(1) && !m.attrs().has("num_outputs")) {
        m = m.withAttrs(m.attrs().with("num_outputs", (long) m.outputs().size()));
      }
      return m;
    }

    /**
     * Softmax below 13 normalizes the rows of x flattened to 2-D at axis. On the last axis that is
     * the per-axis Softmax of 13; elsewhere: Flatten(x, axis) -> Softmax(-1) -> Reshape(x's shape).
     */
    List<Node> softmax(Node n) {
      long axis = n.attrs().getInt("axis", 1);
      Value x = g.type(n.input(0));
      Shape s = x == null ? Shape.UNKNOWN : x.shape();
      boolean last = axis == -1;
      if (s.hasRank() && s.rank() > 0) {
        long a = axis < 0 ? axis + s.rank() : axis;
        if (a < 0 || a >= s.rank()) {
          throw new BadInputException(n.describe() + ": Softmax axis " + axis + " is out of range for rank "
              + s.rank());
        }
        last = a == s.rank() - 1;
      }
      if (last) {
        return List.of(n.withAttrs(n.attrs().with("axis", axis)));
      }
      String flat = fresh(n.output(0) + "_2d");
      String soft = fresh(n.output(0) + "_2d_softmax");
      String shape;
      List<Node> out = new ArrayList<>();
      out.add(new Node(fresh(n.name() + "_flatten"), "Flatten", List.of(n.input(0)), List.of(flat),
          Attributes.of("axis", axis)));
      out.add(new Node(n.name(), "Softmax", "", List.of(flat), List.of(soft), n.attrs().with("axis", -1L)));
      if (s.isStatic()) {
        shape = constant(n.name() + "_shape", Tensor.vector(s.sizes()));
      } else {
        shape = fresh(n.input(0) + "_shape");
        out.add(new Node(fresh(n.name() + "_shape"), "Shape", List.of(n.input(0)), List.of(shape),
            Attributes.EMPTY));
      }
      out.add(new Node(fresh(n.name() + "_reshape"), "Reshape", List.of(soft, shape), n.outputs(),
          Attributes.EMPTY));
      return out;
    }

    // Resize {coordinate_transformation_mode=tf_half_pixel_for_nn} has no form from 13 on
    Node resize(Node n) {
      if (crosses(13) && "tf_half_pixel_for_nn".equals(
          n.attrs().getString("coordinate_transformation_mode", "half_pixel"))) {
        throw new BadInputException(n.describe() + ": coordinate_transformation_mode"
            + " 'tf_half_pixel_for_nn' was removed from Resize in opset 13, so this graph cannot be"
            + " raised from opset " + from + " to " + to);
      }
      return n;
    }

    // Upsample(x, scales) {mode=m} -> Resize(x, roi, scales) {mode=m, asymmetric, floor}
    Node upsample(Node n) {
      String mode = n.attrs().getString("mode", "nearest");
      Attributes a = mode.equals("nearest")
          ? Attributes.of("mode", "nearest", "coordinate_transformation_mode", "asymmetric", "nearest_mode", "floor")
          : Attributes.of("mode", mode, "coordinate_transformation_mode", "asymmetric");
      String roi = to >= 13 ? "" : constant(n.name() + "_roi", Tensor.ofFloats(new long[] {0}));
      return new Node(n.name(), "Resize", "", List.of(n.input(0), roi, n.input(1)), n.outputs(), a);
    }

    String constant(String hint, Tensor t) {
      String name = fresh(hint);
      constants.put(name, t);
      return name;
    }

    String fresh(String base) {
      String name = base;
      for (int i = 2; used.contains(name); i++) {
        name = base + "_" + i;
      }
      used.add(name);
      return name;
    }

    static List<String> withInput(List<String> inputs, int index, String value) {
      List<String> out = new ArrayList<>(inputs);
      while (out.size() <= index) {
        out.add("");
      }
      out.set(index, value);
      return out;
    }
  }
}

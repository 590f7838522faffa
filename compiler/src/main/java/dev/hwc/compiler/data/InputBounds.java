package dev.hwc.compiler.data;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What values a graph input may hold for a seeded random sample to be legal, found by following the
 * input through the graph:
 *
 * <ul>
 *   <li>An integer input that reaches the indices of a {@code Gather} (or {@code GatherElements})
 *       through ops that keep its values (Cast, Unsqueeze, Squeeze, Reshape, Flatten, Identity,
 *       Expand, Transpose, Slice, Concat, Tile, or a Gather that picks from it) indexes that table:
 *       it is bounded by the table's size along the gathered axis, the smallest of all tables it
 *       reaches (a token-type id reaching a 2-row embedding gets {0, 1}).
 *   <li>A mask: an input named like {@code *mask*}, or an integer input cast to float and subtracted
 *       from a constant ({@code (1 - mask) * -10000}, the attention-mask arithmetic of BERT-style
 *       exports), takes {0, 1}.
 *   <li>An integer input that reaches an index slot whose table size is not known (a table computed
 *       at run time, a symbolic dim, GatherND, ScatterND, OneHot's depth) is {@link Bound#unknown}:
 *       hwc cannot draw legal values and says so, naming the node, rather than let the runtime fail.
 * </ul>
 *
 * Other inputs are not bounded here ({@link RandomInputs} draws them as it always has).
 */
public final class InputBounds {
  private InputBounds() {}

  /**
   * Values an input may take: integers in [{@code lo}, {@code hi}), or {@code unknown} (with
   * {@code why} naming what hwc cannot size).
   *
   * @param lo smallest value (inclusive)
   * @param hi end (exclusive); ignored when unknown
   * @param unknown true when the input indexes something hwc cannot size
   * @param why what bounds it, for messages: "rows of 'embeddings' (Gather 'gather_3')", "a mask"
   */
  public record Bound(long lo, long hi, boolean unknown, String why) {
    public static Bound range(long lo, long hi, String why) {
      return new Bound(lo, hi, false, why);
    }

    public static Bound unknown(String why) {
      return new Bound(0, 0, true, why);
    }

    public boolean isMask() {
      return !unknown && lo == 0 && hi == 2 && why.equals(MASK);
    }
  }

  static final String MASK = "a mask";

  /** Ops whose output holds (some of) their first input's values unchanged. */
  private static final Set<String> KEEPS_VALUES = Set.of("Cast", "Unsqueeze", "Squeeze", "Reshape", "Flatten",
      "Identity", "Expand", "Transpose", "Slice", "Concat", "Tile", "Gather", "GatherElements");

  /** The bound of every input that has one, keyed by input name, in input order. */
  public static Map<String, Bound> of(Graph g) {
    Map<String, Bound> out = new LinkedHashMap<>();
    for (Value in : g.inputs()) {
      if (g.isInitializer(in.name())) {
        continue;
      }
      if (in.name().toLowerCase(Locale.ROOT).contains("mask")) {
        out.put(in.name(), Bound.range(0, 2, MASK));
        continue;
      }
      if (!in.dtype().isInteger()) {
        continue;
      }
      Bound b = follow(g, in.name());
      if (b != null) {
        out.put(in.name(), b);
      }
    }
    return out;
  }

  /** The tightest bound of the index slots an integer input reaches; null when it reaches none. */
  private static Bound follow(Graph g, String input) {
    Deque<String> todo = new ArrayDeque<>();
    Set<String> seen = new HashSet<>();
    todo.add(input);
    seen.add(input);
    Bound best = null;
    while (!todo.isEmpty()) {
      String v = todo.poll();
      for (Node n : g.consumers(v)) {
        for (int i = 0; i < n.inputs().size(); i++) {
          if (!n.input(i).equals(v)) {
            continue;
          }
          Bound b = slot(g, n, i);
          if (b != null && (best == null || tighter(b, best))) {
            best = b;
          }
          if (passesValues(n, i)) {
            for (String o : n.outputs()) {
              if (!o.isEmpty() && seen.add(o)) {
                todo.add(o);
              }
            }
          }
        }
      }
    }
    return best;
  }

  /** Whether b is the bound to keep over a: a known bound beats unknown; the smaller table wins. */
  private static boolean tighter(Bound b, Bound a) {
    if (a.isMask()) {
      return false;
    }
    if (b.isMask()) {
      return true;
    }
    if (a.unknown() != b.unknown()) {
      return a.unknown();
    }
    return !b.unknown() && b.hi() < a.hi();
  }

  /** Whether input i of n flows, values unchanged, into n's output. */
  private static boolean passesValues(Node n, int i) {
    if (!KEEPS_VALUES.contains(n.op()) || !n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
      return false;
    }
    if (n.op().equals("Cast")) {
      return i == 0;
    }
    if (n.op().equals("Concat")) {
      return true;
    }
    return i == 0; // the data input; shapes, axes, starts and indices are not the values
  }

  /** The bound an index slot puts on what reaches it; null when input i of n indexes nothing. */
  private static Bound slot(Graph g, Node n, int i) {
    if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
      return null;
    }
    String where = n.op() + " '" + n.name() + "'";
    switch (n.op()) {
      case "Gather", "GatherElements" -> {
        if (i != 1) {
          return null;
        }
        Value data = g.type(n.input(0));
        Shape s = data == null ? Shape.UNKNOWN : data.shape();
        if (!s.hasRank() || s.rank() == 0) {
          return Bound.unknown("the indices of " + where + ", whose data has unknown shape");
        }
        long axis = n.attrs().getInt("axis", 0);
        int a = (int) (axis < 0 ? axis + s.rank() : axis);
        if (a < 0 || a >= s.rank() || !s.dim(a).isStatic()) {
          return Bound.unknown("the indices of " + where + ", whose data's dim " + axis + " is not static");
        }
        long rows = s.dim(a).size();
        String table = g.isInitializer(n.input(0)) ? "'" + n.input(0) + "'" : "the data";
        return Bound.range(0, rows, rows + " rows of " + table + " (" + where + ")");
      }
      case "GatherND", "ScatterND", "ScatterElements", "Scatter" -> {
        return i == 1 ? Bound.unknown("the indices of " + where) : null;
      }
      case "OneHot" -> {
        return i == 0 ? Bound.unknown("the indices of " + where) : null;
      }
      case "Sub" -> {
        // (1 - mask): the mask, cast to float, subtracted from a constant one
        if (i == 1 && castFromInteger(g, n.input(1)) && isOne(g.initializer(n.input(0)))) {
          return Bound.range(0, 2, MASK);
        }
        return null;
      }
      default -> {
        return null;
      }
    }
  }

  private static boolean castFromInteger(Graph g, String v) {
    Node p = g.producer(v);
    if (p == null || !p.op().equals("Cast")) {
      return false;
    }
    Value to = g.type(v);
    return to != null && to.dtype().isFloat();
  }

  private static boolean isOne(Tensor t) {
    if (t == null || t.numElements() != 1 || t.dtype() == DType.BOOL) {
      return false;
    }
    return t.getDouble(0) == 1.0;
  }

  /** For messages: the inputs' names and what bounds them. */
  static String describe(Map<String, Bound> bounds) {
    StringBuilder b = new StringBuilder();
    bounds.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(": ")
        .append(v.unknown() ? "unknown (" + v.why() + ")" : "[" + v.lo() + ", " + v.hi() + ") " + v.why()));
    return b.toString();
  }
}

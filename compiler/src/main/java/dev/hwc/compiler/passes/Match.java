package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.HashSet;
import java.util.Set;

/** Small questions rules ask of a graph. */
final class Match {
  private Match() {}

  /**
   * The constant value of {@code value}, or null. An initializer that is also a graph input is a
   * default the caller may override, so it is not constant.
   */
  static Tensor constant(Graph g, String value) {
    return value.isEmpty() || g.isGraphInput(value) ? null : g.initializer(value);
  }

  static boolean isConstant(Graph g, String value) {
    return constant(g, value) != null;
  }

  /** True when {@code reader} is the only thing that reads {@code value} (no other node, no graph output). */
  static boolean onlyReader(Graph g, String value, Node reader) {
    return !g.isGraphOutput(value) && g.consumers(value).size() == 1 && g.consumers(value).get(0) == reader;
  }

  /** The node of the given op producing {@code value} as its only output, or null. */
  static Node soleOutputProducer(Graph g, String value, String op) {
    Node p = g.producer(value);
    return p != null && p.op().equals(op) && p.domain().isEmpty() && p.outputs().size() == 1 ? p : null;
  }

  /** The value of a one-element constant, or null. */
  static Double scalar(Graph g, String value) {
    Tensor t = constant(g, value);
    return t != null && t.numElements() == 1 ? t.getDouble(0) : null;
  }

  /** True when {@code value} is a one-element constant within a relative 1e-4 of {@code c}. */
  static boolean isScalar(Graph g, String value, double c) {
    Double v = scalar(g, value);
    return v != null && Math.abs(v - c) <= 1e-4 * Math.max(Math.abs(c), 1e-30);
  }

  /** For a binary node, the input other than the scalar constant {@code c}, or null. */
  static String otherThan(Graph g, Node n, double c) {
    if (n.inputs().size() != 2) {
      return null;
    }
    if (isScalar(g, n.input(1), c)) {
      return n.input(0);
    }
    return isScalar(g, n.input(0), c) ? n.input(1) : null;
  }

  /** The known static shape of a value, or null. */
  static long[] staticShape(Graph g, String value) {
    Value v = g.type(value);
    return v == null || !v.shape().isStatic() ? null : v.shape().sizes();
  }

  /** Rank of a value's known shape, or -1. */
  static int rank(Graph g, String value) {
    Value v = g.type(value);
    return v == null || !v.shape().hasRank() ? -1 : v.shape().rank();
  }

  /** {@code base}, or {@code base_2}, {@code base_3}... whichever no value of {@code g} uses yet. */
  static String freshName(Graph g, String base) {
    Set<String> used = new HashSet<>(g.initializers().keySet());
    used.addAll(g.valueTypes().keySet());
    g.inputs().forEach(v -> used.add(v.name()));
    g.outputs().forEach(v -> used.add(v.name()));
    for (Node n : g.nodes()) {
      used.addAll(n.inputs());
      used.addAll(n.outputs());
    }
    String name = base;
    for (int i = 2; used.contains(name); i++) {
      name = base + "_" + i;
    }
    return name;
  }
}

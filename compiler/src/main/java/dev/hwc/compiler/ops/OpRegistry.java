package dev.hwc.compiler.ops;

import dev.hwc.compiler.ir.Node;
import dev.hwc.common.BadInputException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The one list of ops hwc understands. Each family file (elementwise, shape, neural-network,
 * reduction) contributes its entries; adding an op means adding one entry there and its tests.
 */
public final class OpRegistry {
  /** Default-domain opsets the frontends accept. */
  public static final int MIN_OPSET = 11;

  public static final int MAX_OPSET = 21;

  /**
   * Oldest default-domain opset the ONNX frontend reads: graphs from 7 to 10 are raised to {@link
   * #MIN_OPSET} as they are read ({@link dev.hwc.compiler.passes.UpgradeOpset}).
   */
  public static final int MIN_LEGACY_OPSET = 7;

  private static final Map<String, OpDef> OPS = build();

  /** ONNX Runtime's contrib ops hwc's passes emit, keyed {@code com.microsoft:OP} ({@link ContribOps}). */
  private static final Map<String, OpDef> CONTRIB = buildContrib();

  private OpRegistry() {}

  private static Map<String, OpDef> build() {
    TreeMap<String, OpDef> m = new TreeMap<>();
    for (List<OpDef> family :
        List.of(ElementwiseOps.all(), ShapeOps.all(), NnOps.all(), ReduceOps.all(), QuantOps.all(),
            RecurrentOps.all(), ControlFlowOps.all())) {
      for (OpDef d : family) {
        if (m.put(d.op(), d) != null) {
          throw new IllegalStateException("op " + d.op() + " is registered twice");
        }
      }
    }
    return Collections.unmodifiableMap(m);
  }

  private static Map<String, OpDef> buildContrib() {
    TreeMap<String, OpDef> m = new TreeMap<>();
    for (OpDef d : ContribOps.all()) {
      m.put(ContribOps.DOMAIN + ":" + d.op(), d);
    }
    return Collections.unmodifiableMap(m);
  }

  /** A default-domain op by name, or a contrib op by {@code domain:OP} ({@link #key}). */
  public static Optional<OpDef> lookup(String op) {
    OpDef d = OPS.get(op);
    return Optional.ofNullable(d != null ? d : CONTRIB.get(op));
  }

  /** The node's op entry (default domain or a known contrib op), or empty. */
  public static Optional<OpDef> lookup(Node n) {
    return Optional.ofNullable(find(n));
  }

  /** The registry key of a node's op: the op type in the default domain, else {@code domain:OP}. */
  public static String key(Node n) {
    return n.domain().isEmpty() || n.domain().equals("ai.onnx") ? n.op() : n.domain() + ":" + n.op();
  }

  private static OpDef find(Node n) {
    return n.domain().isEmpty() || n.domain().equals("ai.onnx") ? OPS.get(n.op()) : CONTRIB.get(key(n));
  }

  /** The contrib ops hwc knows, as {@code domain:OP}, sorted. */
  public static List<String> contribNames() {
    return List.copyOf(CONTRIB.keySet());
  }

  /** The op's entry; a node of an unknown op or domain gives one clear error naming both. */
  public static OpDef require(Node n, int opset) {
    OpDef d = find(n);
    if (d == null) {
      String domain = n.domain().isEmpty() ? "" : " in domain '" + n.domain() + "'";
      throw new BadInputException(
          "unsupported op '" + n.op() + "'" + domain + " (node '" + n.name() + "', opset " + opset
              + "); hwc supports: " + String.join(", ", OPS.keySet()));
    }
    return d;
  }

  /**
   * Checks every node at once: one error naming every op type (and domain) hwc does not have, with
   * its node count and first node, so a user learns all that is missing from one try. A single
   * unknown node gives {@link #require}'s message.
   */
  public static void requireAll(List<Node> nodes, int opset) {
    Map<String, List<Node>> missing = new java.util.LinkedHashMap<>();
    for (Node n : nodes) {
      boolean known = find(n) != null;
      if (!known) {
        String key = "'" + n.op() + "'" + (n.domain().isEmpty() ? "" : " in domain '" + n.domain() + "'");
        missing.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(n);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    if (missing.size() == 1 && missing.values().iterator().next().size() == 1) {
      require(missing.values().iterator().next().get(0), opset);
    }
    StringBuilder s = new StringBuilder();
    missing.forEach((op, ns) -> s.append(s.length() == 0 ? "" : ", ").append(op).append(" (")
        .append(ns.size() == 1 ? "node '" + ns.get(0).name() + "'" : ns.size() + " nodes, first '" + ns.get(0).name() + "'")
        .append(")"));
    throw new BadInputException((missing.size() == 1 ? "unsupported op " : missing.size() + " unsupported op types: ")
        + s + " (opset " + opset + "); hwc supports: " + String.join(", ", OPS.keySet()));
  }

  /** All op names, sorted. */
  public static List<String> names() {
    return List.copyOf(OPS.keySet());
  }
}

package dev.hwc.compiler.ops;

import dev.hwc.compiler.ir.Attribute;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Value;
import dev.hwc.common.BadInputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that a graph is well formed: every value defined once and before use (no dangling values,
 * no duplicates, no cycles), ops known with the right arity and attribute kinds, and types that
 * agree with shape inference. Tests run it after every pass.
 */
public final class GraphValidator {
  private GraphValidator() {}

  /** All problems found, each one line; empty when the graph is valid. */
  public static List<String> validate(Graph g) {
    List<String> problems = new ArrayList<>();
    int size = Math.max(16, 2 * (g.nodes().size() + g.initializers().size() + g.inputs().size()));
    Set<String> defined = new HashSet<>(size);
    Map<String, Object> definedBy = new HashMap<>(size); // a description, or the node (described only in a problem)
    for (Value v : g.inputs()) {
      define(v.name(), "graph input", defined, definedBy, problems);
    }
    for (String name : g.initializers().keySet()) {
      if (!g.isGraphInput(name)) {
        define(name, "initializer", defined, definedBy, problems);
      }
    }
    Map<String, Integer> producedAt = new HashMap<>(size);
    for (int i = 0; i < g.nodes().size(); i++) {
      for (String o : g.nodes().get(i).outputs()) {
        if (!o.isEmpty()) {
          producedAt.putIfAbsent(o, i);
        }
      }
    }
    for (int i = 0; i < g.nodes().size(); i++) {
      Node n = g.nodes().get(i);
      checkOp(g, n, problems);
      for (String in : n.inputs()) {
        if (in.isEmpty() || defined.contains(in)) {
          continue;
        }
        Integer p = producedAt.get(in);
        problems.add(p == null
            ? n.describe() + " reads undefined value '" + in + "'"
            : n.describe() + " reads '" + in + "' before it is produced (cycle or bad order)");
      }
      for (String o : n.outputs()) {
        if (!o.isEmpty()) {
          define(o, n, defined, definedBy, problems);
        }
      }
    }
    for (Value o : g.outputs()) {
      if (!defined.contains(o.name())) {
        problems.add("graph output '" + o.name() + "' is never produced");
      }
    }
    if (problems.isEmpty()) {
      try {
        ShapeInference.run(g);
      } catch (BadInputException | IllegalArgumentException | IllegalStateException e) {
        problems.add(e.getMessage());
      }
    }
    return problems;
  }

  /** Throws a one-line {@link BadInputException} naming the first problem, if any. */
  public static Graph check(Graph g) {
    List<String> p = validate(g);
    if (!p.isEmpty()) {
      throw new BadInputException("invalid graph '" + g.name() + "': " + p.get(0)
          + (p.size() > 1 ? " (and " + (p.size() - 1) + " more problems)" : ""));
    }
    return g;
  }

  private static void define(
      String name, Object by, Set<String> defined, Map<String, Object> definedBy, List<String> problems) {
    if (!defined.add(name)) {
      problems.add("value '" + name + "' is defined twice (" + described(definedBy.get(name)) + " and " + described(by) + ")");
    } else {
      definedBy.put(name, by);
    }
  }

  private static String described(Object by) {
    return by instanceof Node n ? n.describe() : String.valueOf(by);
  }

  private static void checkOp(Graph g, Node n, List<String> problems) {
    OpDef def;
    try {
      def = OpRegistry.require(n, g.opset());
    } catch (BadInputException e) {
      problems.add(n.describe() + ": unsupported op");
      return;
    }
    int in = n.inputs().size();
    if (in < def.minInputs() || in > def.maxInputs()) {
      problems.add(n.describe() + " has " + in + " inputs, expected " + def.minInputs()
          + (def.maxInputs() == def.minInputs() ? "" : ".." + (def.maxInputs() == Integer.MAX_VALUE ? "n" : def.maxInputs())));
    }
    if (n.outputs().isEmpty() || n.outputs().size() > def.maxOutputs()) {
      problems.add(n.describe() + " has " + n.outputs().size() + " outputs, expected 1.." + def.maxOutputs());
    }
    for (Map.Entry<String, Attribute> a : n.attrs().asMap().entrySet()) {
      String kind = def.attrs().get(a.getKey());
      if (kind != null && !kind.equals(a.getValue().kind())) {
        problems.add(n.describe() + " attribute '" + a.getKey() + "' is " + a.getValue().kind() + ", expected " + kind);
      }
    }
  }
}

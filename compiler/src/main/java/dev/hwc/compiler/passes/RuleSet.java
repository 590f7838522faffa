package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Rules filed by the op of their root node, joined with {@link #plus}. {@link #rewrite} offers each
 * node, in graph order, to the rules for its op (then to the rules for any op) and applies the first
 * that matches; a node is offered once per call, and again whenever a rewrite replaced it.
 */
public final class RuleSet {
  private final Map<String, List<Rule>> byOp;
  private final List<Rule> anyOp;

  private RuleSet(Map<String, List<Rule>> byOp, List<Rule> anyOp) {
    this.byOp = byOp;
    this.anyOp = anyOp;
  }

  /** Rules rooted at nodes of one op (default ONNX domain), tried in order. */
  public static RuleSet on(String op, Rule... rules) {
    Map<String, List<Rule>> m = new LinkedHashMap<>();
    m.put(op, List.of(rules));
    return new RuleSet(m, List.of());
  }

  /** Rules tried on every node, after the op's own. */
  public static RuleSet onAnyOp(Rule... rules) {
    return new RuleSet(Map.of(), List.of(rules));
  }

  public RuleSet plus(RuleSet other) {
    Map<String, List<Rule>> m = new LinkedHashMap<>(byOp);
    other.byOp.forEach((op, rules) -> m.merge(op, rules, RuleSet::concat));
    return new RuleSet(m, concat(anyOp, other.anyOp));
  }

  /** Applies matching rules until none matches; returns {@code g} itself when none did. */
  public Graph rewrite(Graph g) {
    // the first sweep offers every node in order and needs no record of what it offered until a rule
    // matches (on a large graph where nothing matches, no per-node set is built at all)
    List<Node> nodes = g.nodes();
    int i = 0;
    Optional<Rule.Rewrite> first = Optional.empty();
    for (; i < nodes.size() && first.isEmpty(); i++) {
      first = firstMatch(g, nodes.get(i));
    }
    if (first.isEmpty()) {
      return g;
    }
    Set<Node> offered = Collections.newSetFromMap(new IdentityHashMap<>(2 * i));
    offered.addAll(nodes.subList(0, i));
    Graph.Editor e0 = g.edit();
    first.get().apply(e0);
    Graph cur = e0.build();
    boolean changed = true;
    while (changed) {
      changed = false;
      for (Node n : cur.nodes()) {
        if (!offered.add(n)) {
          continue;
        }
        Optional<Rule.Rewrite> rw = firstMatch(cur, n);
        if (rw.isPresent()) {
          Graph.Editor e = cur.edit();
          rw.get().apply(e);
          cur = e.build();
          changed = true;
          break;
        }
      }
    }
    return cur;
  }

  /** The rewrite of the first rule that matches n, or empty. */
  Optional<Rule.Rewrite> firstMatch(Graph g, Node n) {
    if (n.domain().isEmpty() || n.domain().equals("ai.onnx")) {
      for (Rule r : byOp.getOrDefault(n.op(), List.of())) {
        Optional<Rule.Rewrite> rw = r.match(g, n);
        if (rw.isPresent()) {
          return rw;
        }
      }
    }
    for (Rule r : anyOp) {
      Optional<Rule.Rewrite> rw = r.match(g, n);
      if (rw.isPresent()) {
        return rw;
      }
    }
    return Optional.empty();
  }

  private static List<Rule> concat(List<Rule> a, List<Rule> b) {
    List<Rule> out = new ArrayList<>(a);
    out.addAll(b);
    return List.copyOf(out);
  }
}

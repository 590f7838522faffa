package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes nodes none of whose outputs reaches a graph output, then initializers nothing reads
 * (graph inputs stay, with any initializer that gives them a default), and types of values that no
 * longer exist.
 */
public final class EliminateDeadNodes implements Pass {
  public static final String NAME = "eliminate-dead-nodes";
  private static final PassInfo INFO = new PassInfo(NAME, 1);

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    Set<String> live = new HashSet<>();
    g.outputs().forEach(v -> live.add(v.name()));
    List<Node> kept = new ArrayList<>();
    for (int i = g.nodes().size() - 1; i >= 0; i--) {
      Node n = g.nodes().get(i);
      if (readsAny(live, n.outputs())) {
        kept.add(n);
        live.addAll(n.allInputs());
      }
    }
    Collections.reverse(kept);
    // what the kept nodes produce: when all are kept, the graph's own producer index (built once per graph)
    java.util.function.Predicate<String> produced;
    if (kept.size() == g.nodes().size()) {
      produced = name -> g.producer(name) != null;
    } else {
      Set<String> p = new HashSet<>();
      kept.forEach(n -> p.addAll(n.outputs()));
      produced = p::contains;
    }
    List<String> deadInitializers = new ArrayList<>();
    for (String name : g.initializers().keySet()) {
      if (!live.contains(name) && !g.isGraphInput(name)) {
        deadInitializers.add(name);
      }
    }
    List<String> staleTypes = new ArrayList<>();
    for (String name : g.valueTypes().keySet()) {
      if (!produced.test(name) && !g.isGraphInput(name) && !g.isGraphOutput(name)) {
        staleTypes.add(name);
      }
    }
    if (kept.size() == g.nodes().size() && deadInitializers.isEmpty() && staleTypes.isEmpty()) {
      return g;
    }
    Graph.Editor e = g.edit();
    e.nodes().clear();
    e.nodes().addAll(kept);
    deadInitializers.forEach(e::removeInitializer);
    staleTypes.forEach(e.valueTypes()::remove);
    return e.build();
  }

  private static boolean readsAny(Set<String> live, List<String> outputs) {
    for (String o : outputs) {
      if (live.contains(o)) {
        return true;
      }
    }
    return false;
  }
}

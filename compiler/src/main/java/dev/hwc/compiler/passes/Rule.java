package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import java.util.Optional;

/**
 * A local rewrite rooted at one node: looks at the node and its neighbours in {@code g} and returns
 * the edit to make, or {@link Optional#empty()} when it does not apply. Matching never changes
 * anything; the returned {@link Rewrite} does, on an editor of {@code g}.
 */
@FunctionalInterface
public interface Rule {
  Optional<Rewrite> match(Graph g, Node root);

  /** The change a matched rule makes. */
  @FunctionalInterface
  interface Rewrite {
    void apply(Graph.Editor e);
  }
}

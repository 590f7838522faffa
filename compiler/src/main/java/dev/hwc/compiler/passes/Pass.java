package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;

/**
 * One graph transformation: {@code Graph -> Graph}, pure. A pass never mutates its input (graphs
 * are immutable; it builds the next one with {@link Graph#edit()}) and returns the input instance
 * itself when it changes nothing: {@link Pipeline} relies on that to detect a fixed point.
 *
 * <p>Timing, logging of node counts and validation are {@link PassInstrument}s around passes, never
 * code inside them.
 */
public interface Pass {
  PassInfo info();

  Graph run(Graph g, PassContext ctx);
}

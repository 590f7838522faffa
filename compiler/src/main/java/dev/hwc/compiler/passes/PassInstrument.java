package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;

/**
 * Runs around every pass that a {@link PassContext} runs: timing, records for the build report, IR
 * checks, dumps. Instruments observe; they never change the graph. Both hooks default to nothing.
 */
public interface PassInstrument {
  default void beforePass(PassInfo info, Graph before) {}

  /** Called after the pass returned; {@code nanos} is its wall time. */
  default void afterPass(PassInfo info, Graph before, Graph after, long nanos) {}
}

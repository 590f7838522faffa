package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.common.BadInputException;

/**
 * Runs {@link GraphValidator#check} on the graph each pass returns; on in tests ({@link
 * PassContext#forTests()}). A pass that breaks the IR is a compiler bug, so the failure is an
 * {@link IllegalStateException} naming the pass, not a bad-input error.
 */
public final class ValidateAfterPass implements PassInstrument {
  @Override
  public void afterPass(PassInfo info, Graph before, Graph after, long nanos) {
    if (after == before) {
      return;
    }
    try {
      GraphValidator.check(after);
    } catch (BadInputException e) {
      throw new IllegalStateException("pass '" + info.name() + "' produced an invalid graph: " + e.getMessage(), e);
    }
  }
}

package dev.hwc.training;

import dev.hwc.compiler.ir.Node;

/** An IR node the TensorFlow lowering cannot express; the message names the node and why. */
public final class LoweringException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LoweringException(Node n, String why) {
    super(n.describe() + ": " + why);
  }

  public LoweringException(String message) {
    super(message);
  }
}

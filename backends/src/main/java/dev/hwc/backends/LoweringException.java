package dev.hwc.backends;

import dev.hwc.common.BadInputException;

/** A node a backend cannot lower as it is (an attribute, shape or operand its format has no form for). */
public final class LoweringException extends BadInputException {
  private final String node;
  private final String op;
  private final String reason;

  public LoweringException(String message, String node, String op, String reason) {
    super(message);
    this.node = node;
    this.op = op;
    this.reason = reason;
  }

  public String node() {
    return node;
  }

  public String op() {
    return op;
  }

  public String reason() {
    return reason;
  }
}

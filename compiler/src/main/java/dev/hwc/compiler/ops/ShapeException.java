package dev.hwc.compiler.ops;

import dev.hwc.common.BadInputException;

/** Shapes or types that do not fit an op's rules; the message names the node. */
public class ShapeException extends BadInputException {
  public ShapeException(String message) {
    super(message);
  }
}

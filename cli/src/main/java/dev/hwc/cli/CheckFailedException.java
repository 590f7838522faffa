package dev.hwc.cli;

/** A check on the artifact failed (accuracy gate, required speed-up): exit code 1. */
public class CheckFailedException extends RuntimeException {
  public CheckFailedException(String message) {
    super(message);
  }
}

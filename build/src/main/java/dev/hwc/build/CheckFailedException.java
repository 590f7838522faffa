package dev.hwc.build;

/**
 * A check on the artifact failed (the accuracy gate, a required speed-up): nothing was written. It
 * carries the whole result, so a caller can still show what was tried; the command line maps it to
 * exit code 1.
 */
public class CheckFailedException extends RuntimeException {
  private final transient BuildResult result;

  public CheckFailedException(String message, BuildResult result) {
    super(message);
    this.result = result;
  }

  /** The build as far as it went: every plan judged, the report (null only when thrown outside a build). */
  public BuildResult result() {
    return result;
  }
}

package dev.hwc.common;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for work done on another thread as if it had been done on this one. */
public final class Futures {
  private Futures() {}

  /**
   * The future's value, waited for; what the task threw is rethrown as it was (an exception or an
   * error), not wrapped in an {@link ExecutionException}, so a one-line bad-input message stays one.
   */
  public static <T> T await(Future<T> f) throws Exception {
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof Exception x) {
        throw x;
      }
      if (c instanceof Error x) {
        throw x;
      }
      throw e;
    }
  }
}

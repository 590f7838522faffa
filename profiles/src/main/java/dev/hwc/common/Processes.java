package dev.hwc.common;

import java.util.concurrent.TimeUnit;

/** Ending the child processes hwc starts (timing JVMs, sweep builders, the test browser). */
public final class Processes {
  private Processes() {}

  /**
   * Waits up to {@code seconds} for {@code p} to exit, then kills it and waits as long again; an
   * interrupt kills it at once and keeps the thread's interrupt flag.
   */
  public static void awaitOrKill(Process p, long seconds) {
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(seconds, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}

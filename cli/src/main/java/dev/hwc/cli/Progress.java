package dev.hwc.cli;

import java.io.PrintWriter;
import java.util.function.BiConsumer;

/** A one-line progress bar on the terminal: {@code calibrate [#######.....] 120/200}. */
final class Progress implements BiConsumer<Integer, Integer> {
  private static final int WIDTH = 30;
  private final PrintWriter out;
  private final String label;
  private int lastShown = -1;

  Progress(PrintWriter out, String label) {
    this.out = out;
    this.label = label;
  }

  @Override
  public void accept(Integer done, Integer total) {
    int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
    if (filled == lastShown && !done.equals(total)) {
      return;
    }
    lastShown = filled;
    out.printf("\r%s [%s%s] %d/%d", label, "#".repeat(filled), ".".repeat(WIDTH - filled), done, total);
    if (done.equals(total)) {
      out.println();
    }
    out.flush();
  }
}

package dev.hwc.cli;

import java.io.PrintWriter;
import java.util.function.BiConsumer;

/**
 * Progress of a long step. On a terminal ({@link System#console()} is there): a one-line bar redrawn in
 * place on stderr, {@code calibrate [#######.....] 120/200}. Otherwise (output to a file or a pipe): no
 * carriage returns, one plain line on the output when the step is done, {@code calibrate: 200/200 done}.
 */
final class Progress implements BiConsumer<Integer, Integer> {
  private static final int WIDTH = 30;
  private final PrintWriter out;
  private final PrintWriter bar;
  private final String label;
  private int lastShown = -1;

  Progress(PrintWriter out, String label) {
    this(out, label, System.console() != null ? new PrintWriter(System.err, true) : null);
  }

  /** {@code bar}: where the redrawn bar goes (a terminal), or null for the plain line on {@code out}. */
  Progress(PrintWriter out, String label, PrintWriter bar) {
    this.out = out;
    this.label = label;
    this.bar = bar;
  }

  @Override
  public void accept(Integer done, Integer total) {
    if (bar == null) {
      if (done.equals(total)) {
        out.printf("%s: %d/%d done%n", label, done, total);
        out.flush();
      }
      return;
    }
    int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
    if (filled == lastShown && !done.equals(total)) {
      return;
    }
    lastShown = filled;
    bar.printf("\r%s [%s%s] %d/%d", label, "#".repeat(filled), ".".repeat(WIDTH - filled), done, total);
    if (done.equals(total)) {
      bar.println();
    }
    bar.flush();
  }
}

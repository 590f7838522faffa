package dev.hwc.hwtests.lab;

import dev.hwc.hwtests.bench.BenchResult;
import dev.hwc.hwtests.cost.Cost;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A lab run as a Markdown table and as a plain HTML page (the same columns). */
public final class LabReport {
  static final List<String> COLUMNS = List.of("model", "target", "runtime", "threads", "status", "p50 ms", "p90 ms",
      "p99 ms", "mean ± sd ms", "load ms", "first ms", "peak RSS MiB", "over JVM MiB", "cheapest / month", "machine",
      "note");

  private LabReport() {}

  static List<List<String>> cells(LabRun run) {
    List<List<String>> rows = new ArrayList<>();
    for (LabRun.Row r : run.rows()) {
      BenchResult.Measurement m = r.measurement();
      BenchResult.Latency l = m == null ? null : m.latencyMs();
      String cheapest = "";
      if (r.cost() != null) {
        cheapest = Cost.cheapest(r.cost()).map(c -> String.format(Locale.ROOT, "%.2f %s (%s)", c.perMonth(), c.currency(),
            c.deployment())).orElse("");
      }
      String note = r.reason() != null ? r.reason() : m != null ? m.execution() : "";
      if (r.backgroundCpuCores() != null && r.backgroundCpuCores() > BenchResult.Settings.BUSY_CORES) {
        note = "busy machine: other processes used " + r.backgroundCpuCores() + " cores; " + note;
      }
      rows.add(List.of(r.model(), r.target() + " (" + r.hardware() + ")",
          r.runtime() + (r.runtimeVersion() == null ? "" : " " + r.runtimeVersion()),
          r.status().equals("skipped") ? "-" : r.threads() == 0 ? "default" : Integer.toString(r.threads()), r.status(),
          l == null ? "" : f(l.p50()), l == null ? "" : f(l.p90()), l == null ? "" : f(l.p99()),
          l == null ? "" : f(l.mean()) + " ± " + f(l.stdev()), m == null ? "" : f(m.loadMs()),
          m == null ? "" : f(m.firstInferenceMs()), m == null ? "" : mib(m.peakRssBytes()),
          m == null || m.rssGrowthBytes() == null ? "" : mib(m.rssGrowthBytes()), cheapest,
          r.hostname() + ": " + r.cpuModel() + " (" + String.join(" ", r.cpuFlags()) + ")", note));
    }
    return rows;
  }

  public static String markdown(LabRun run) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Lab run: ").append(run.name()).append("\n\n");
    sb.append("Plan `").append(run.plan()).append("`, hwc ").append(run.hwcVersion()).append(", ")
        .append(run.startedAt()).append(" to ").append(run.finishedAt()).append(".\n");
    sb.append("Machine: ").append(run.host().summary()).append(", ").append(run.host().logicalCpus())
        .append(" logical CPUs, ").append(mib(run.host().memoryBytes())).append(" MiB, ").append(run.host().os())
        .append(", ").append(run.host().java()).append(".\n\n");
    sb.append("| ").append(String.join(" | ", COLUMNS)).append(" |\n");
    sb.append("|").append("---|".repeat(COLUMNS.size())).append("\n");
    for (List<String> row : cells(run)) {
      sb.append("| ").append(String.join(" | ", row.stream().map(c -> c.replace("|", "\\|")).toList())).append(" |\n");
    }
    return sb.toString();
  }

  public static String html(LabRun run) {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>hwc lab run: ").append(esc(run.name()))
        .append("</title>\n<style>body{font-family:sans-serif}table{border-collapse:collapse}"
            + "td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px}td.n{text-align:right}"
            + "tr.skipped{color:#777}tr.failed{color:#a00}</style></head><body>\n");
    sb.append("<h1>Lab run: ").append(esc(run.name())).append("</h1>\n<p>Plan <code>").append(esc(run.plan()))
        .append("</code>, hwc ").append(esc(run.hwcVersion())).append(", ").append(esc(run.startedAt())).append(" to ")
        .append(esc(run.finishedAt())).append(".<br>Machine: ").append(esc(run.host().summary())).append("</p>\n<table>\n<tr>");
    COLUMNS.forEach(c -> sb.append("<th>").append(esc(c)).append("</th>"));
    sb.append("</tr>\n");
    List<List<String>> cells = cells(run);
    for (int i = 0; i < cells.size(); i++) {
      sb.append("<tr class=\"").append(run.rows().get(i).status()).append("\">");
      for (int c = 0; c < cells.get(i).size(); c++) {
        boolean numeric = c >= 5 && c <= 12;
        sb.append(numeric ? "<td class=\"n\">" : "<td>").append(esc(cells.get(i).get(c))).append("</td>");
      }
      sb.append("</tr>\n");
    }
    return sb.append("</table>\n</body></html>\n").toString();
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.3f", v);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024));
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}

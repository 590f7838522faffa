package dev.hwc.hwtests.cost;

import dev.hwc.hwtests.bench.BenchResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns a measurement (resident memory, latency) and a request rate into money per month for each
 * deployment of a {@link PriceSheet}, so a report can say what a compression saves.
 *
 * <ul>
 *   <li>serverless: configured memory = peak RSS × headroom, rounded up to the memory step (within
 *       the sheet's min/max); each request is billed its mean latency rounded up to the duration
 *       step; month = requests × billed seconds × memory GB × perGbSecond + requests / 10⁶ ×
 *       perMillionRequests, with requests = rate × 3600 × hoursPerMonth.
 *   <li>instance (cpu): one worker per {@code threads} vCPUs (and per peak RSS of memory); a worker
 *       serves 1000 / mean-latency-ms requests per second; instances = max(minInstances,
 *       ceil(rate / (workers × per-worker rate × targetUtilization))); month = instances × monthly.
 *   <li>instance (gpu), when the latency was measured on a CPU: the always-on baseline,
 *       max(1, minInstances) × monthly (its load-dependent cost is unknown without a GPU figure).
 * </ul>
 */
public final class Cost {
  private Cost() {}

  /**
   * What was measured, for pricing.
   *
   * @param peakRssBytes resident memory the deployment must hold
   * @param meanLatencyMs mean latency of one request (mean, not p50: a month's bill sums every request)
   * @param threads threads one inference used (0: the runtime's default, counted as all vCPUs)
   */
  public record Usage(long peakRssBytes, double meanLatencyMs, int threads) {
    public static Usage of(BenchResult.Measurement m) {
      if (!m.measured()) {
        throw new IllegalArgumentException(m.label() + " was not measured: " + m.reason());
      }
      return new Usage(m.peakRssBytes(), m.latencyMs().mean(), m.threads());
    }
  }

  /**
   * One deployment's monthly cost.
   *
   * @param deployment the sheet's id
   * @param kind serverless or instance
   * @param perMonth cost per month in the sheet's currency (null when it cannot serve the model)
   * @param currency the sheet's currency
   * @param basis how the figure was made, one line
   * @param deployable false when the model does not fit (memory above the largest setting)
   * @param baselineOnly true for a GPU instance priced as its always-on cost only
   */
  public record Line(String deployment, String kind, Double perMonth, String currency, String basis, boolean deployable,
      boolean baselineOnly) {}

  /** Every deployment of the sheet, in the sheet's order. */
  public static List<Line> estimate(PriceSheet sheet, Usage u, double requestsPerSecond) {
    if (requestsPerSecond < 0 || u.meanLatencyMs() <= 0 || u.peakRssBytes() <= 0) {
      throw new IllegalArgumentException("rate must be >= 0, latency and memory > 0");
    }
    List<Line> out = new ArrayList<>();
    for (PriceSheet.Deployment d : sheet.deployments()) {
      out.add(d.kind().equals("serverless") ? serverless(sheet, d, u, requestsPerSecond)
          : instance(sheet, d, u, requestsPerSecond));
    }
    return out;
  }

  /** The cheapest deployable line that is priced by load (not a baseline). */
  public static Optional<Line> cheapest(List<Line> lines) {
    return lines.stream().filter(l -> l.deployable() && !l.baselineOnly())
        .min(Comparator.comparingDouble(Line::perMonth));
  }

  static Line serverless(PriceSheet s, PriceSheet.Deployment d, Usage u, double rate) {
    double peakMb = u.peakRssBytes() / (1024.0 * 1024);
    double wantMb = peakMb * d.memoryHeadroom();
    double memMb = Math.max(d.minMemoryMb(), Math.ceil(wantMb / d.memoryStepMb() - 1e-9) * d.memoryStepMb());
    if (memMb > d.maxMemoryMb()) {
      return new Line(d.id(), d.kind(), null, s.currency(), String.format(Locale.ROOT,
          "needs %.0f MB, above the largest setting (%.0f MB)", memMb, d.maxMemoryMb()), false, false);
    }
    double billedMs = Math.ceil(u.meanLatencyMs() / d.durationStepMs() - 1e-9) * d.durationStepMs();
    double requests = rate * 3600 * s.hoursPerMonth();
    double compute = requests * (billedMs / 1000) * (memMb / 1024) * d.perGbSecond();
    double fees = requests / 1e6 * d.perMillionRequests();
    return new Line(d.id(), d.kind(), compute + fees, s.currency(), String.format(Locale.ROOT,
        "%.0f MB x %.0f ms x %.3g requests/month", memMb, billedMs, requests), true, false);
  }

  static Line instance(PriceSheet s, PriceSheet.Deployment d, Usage u, double rate) {
    double peakGb = u.peakRssBytes() / (1024.0 * 1024 * 1024);
    if (d.device().equals("gpu")) {
      int n = Math.max(1, d.minInstances());
      return new Line(d.id(), d.kind(), n * d.monthly(), s.currency(), String.format(Locale.ROOT,
          "%d always-on GPU instance%s (the baseline; latency was not measured on a GPU)", n, n == 1 ? "" : "s"),
          true, true);
    }
    if (peakGb > d.memoryGb()) {
      return new Line(d.id(), d.kind(), null, s.currency(), String.format(Locale.ROOT,
          "needs %.1f GB, the instance has %.1f GB", peakGb, d.memoryGb()), false, false);
    }
    int threads = u.threads() <= 0 ? d.vcpus() : u.threads();
    int workers = (int) Math.max(1, Math.min(Math.floor((double) d.vcpus() / threads), Math.floor(d.memoryGb() / peakGb)));
    double perInstance = workers * (1000 / u.meanLatencyMs()) * d.targetUtilization();
    int instances = Math.max(d.minInstances(), rate == 0 ? 0 : (int) Math.ceil(rate / perInstance - 1e-9));
    return new Line(d.id(), d.kind(), instances * d.monthly(), s.currency(), String.format(Locale.ROOT,
        "%d instance%s x %d worker%s, %.1f requests/s each at %.0f%% load", instances, instances == 1 ? "" : "s",
        workers, workers == 1 ? "" : "s", perInstance, d.targetUtilization() * 100), true, false);
  }
}

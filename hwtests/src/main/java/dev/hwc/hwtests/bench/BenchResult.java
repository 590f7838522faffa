package dev.hwc.hwtests.bench;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link Bench#compare} measured: one {@link Measurement} per target (measured or skipped with
 * the reason) and, with several measured targets, one {@link Ratio} per target against the first.
 *
 * @param hwcVersion the hwc that measured
 * @param startedAt ISO-8601 start time
 * @param settings how it was measured
 * @param baselinePeakRssBytes peak RSS of a bare child JVM that loads no model (null when not measured)
 * @param artifacts per target, in the order given
 * @param ratios per measured target after the first, against the first measured one
 */
public record BenchResult(String hwcVersion, String startedAt, Settings settings, Long baselinePeakRssBytes,
    List<Measurement> artifacts, List<Ratio> ratios) {

  /**
   * @param warmup untimed inferences after the first
   * @param rounds interleaved rounds run
   * @param batchMillis target batch duration
   * @param inputSource "random normal, seed S" or the --inputs path
   * @param jvmArgs the child JVMs' options
   * @param backgroundCpuCores CPU used by other processes during the timed rounds, in cores (all CPU
   *     time of the machine, steal included, minus hwc's own processes'); null where /proc is missing.
   *     Figures taken with more than {@link #BUSY_CORES} are unreliable, and comparisons of thread
   *     counts meaningless.
   */
  public record Settings(int warmup, int rounds, double batchMillis, String inputSource, List<String> jvmArgs,
      Double backgroundCpuCores) {
    /** Background load above which a measurement is flagged as taken on a busy machine. */
    public static final double BUSY_CORES = 0.25;

    /** Whether other processes used enough CPU to disturb the figures. */
    public boolean busy() {
      return backgroundCpuCores != null && backgroundCpuCores > BUSY_CORES;
    }
  }

  /**
   * One artifact's figures. Times in milliseconds; latency over every timed inference.
   *
   * @param label the target's label
   * @param artifact the artifact path
   * @param artifactBytes its size on disk
   * @param runtime runtime id
   * @param threads threads asked for (0: runtime default)
   * @param status "measured" or "skipped"
   * @param reason why it was skipped (null when measured)
   * @param runtimeVersion version of the runtime library
   * @param execution how the runtime ran it (execution provider, delegate, threads)
   * @param inputs the input shapes used, by name, over all samples: {@code 1x12}, or {@code 1x8..32}
   *     where the samples differ along a dimension
   * @param samples how many input samples the timed runs cycled through
   * @param loadMs session creation / interpreter build + tensor allocation / engine deserialisation
   * @param firstInferenceMs the first inference after loading
   * @param batchSize inferences per batch (K)
   * @param latencyMs steady-state latency
   * @param throughputPerSecond timed inferences per second of timed time (one stream)
   * @param peakRssBytes the child's VmHWM at the end
   * @param rssGrowthBytes peak RSS minus the bare child's (null without a baseline)
   */
  public record Measurement(String label, String artifact, long artifactBytes, String runtime, int threads, String status,
      String reason, String runtimeVersion, String execution, Map<String, String> inputs, Integer samples, Double loadMs,
      Double firstInferenceMs, Integer batchSize, Latency latencyMs, Double throughputPerSecond, Long peakRssBytes,
      Long rssGrowthBytes) {

    static Measurement skipped(BenchTarget t, String runtime, long bytes, String reason) {
      return new Measurement(t.label(), t.artifact().toString(), bytes, runtime, t.threads(), "skipped", reason, null, null,
          null, null, null, null, null, null, null, null, null);
    }

    public boolean measured() {
      return "measured".equals(status);
    }
  }

  /** Latency statistics in milliseconds; percentiles from an HdrHistogram at 3 significant digits. */
  public record Latency(long count, double p50, double p90, double p99, double max, double min, double mean,
      double stdev) {}

  /**
   * Latency of {@code label} over latency of {@code against}, per interleaved round (ratio of the two
   * round medians): the median over rounds, its quartiles and extremes. Above 1: slower.
   */
  public record Ratio(String label, String against, int rounds, double median, double p25, double p75, double min,
      double max) {
    /** The speed-up of {@code label} over {@code against} (1 / median ratio). */
    public double speedup() {
      return 1 / median;
    }
  }

  public Optional<Measurement> find(String label) {
    return artifacts.stream().filter(m -> m.label().equals(label)).findFirst();
  }

  public Optional<Ratio> ratio(String label) {
    return ratios.stream().filter(r -> r.label().equals(label)).findFirst();
  }
}

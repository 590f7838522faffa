package dev.hwc.hwtests.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How {@link Bench} measures. Timed inferences run in batches of K (K chosen per artifact so a batch
 * takes about {@code batchMillis}); with several artifacts the batches interleave, one artifact at a
 * time, round after round.
 *
 * @param warmup untimed inferences per artifact after the first one
 * @param runs timed inferences per artifact (at least this many); 0 to run for {@code seconds} instead
 * @param seconds timed seconds per artifact when {@code runs} is 0
 * @param minRounds fewest rounds, so per-round ratios have a spread
 * @param batchMillis target duration of one batch
 * @param inputs an .npz/.npy file or a folder of them with real samples keyed by input name; null for
 *     seeded random normal data
 * @param shapes sizes for inputs with symbolic dims (random inputs only), by input name
 * @param seed seed of the random inputs
 * @param baseline whether to measure a bare child JVM (no model) for the RSS growth figure
 * @param jvmArgs options for each child JVM
 * @param childPrefix a command put before each child's java (e.g. /usr/bin/time -v -o FILE); empty normally
 */
public record BenchOptions(int warmup, int runs, double seconds, int minRounds, double batchMillis, Path inputs,
    Map<String, long[]> shapes, long seed, boolean baseline, List<String> jvmArgs, List<String> childPrefix) {

  /** Child JVM options: the serial collector keeps GC threads off the two cores being measured. */
  public static final List<String> DEFAULT_JVM_ARGS = List.of("-XX:+UseSerialGC", "-Xmx2g");

  public BenchOptions {
    if (warmup < 0 || runs < 0 || seconds < 0 || minRounds < 1 || batchMillis <= 0) {
      throw new IllegalArgumentException("warmup, runs, seconds must be >= 0, minRounds >= 1, batchMillis > 0");
    }
    if (runs == 0 && seconds == 0) {
      throw new IllegalArgumentException("give runs or seconds");
    }
    shapes = Map.copyOf(shapes);
    jvmArgs = List.copyOf(jvmArgs);
    childPrefix = List.copyOf(childPrefix);
  }

  /** 20 warm-up runs, 10 timed seconds per artifact, batches of ~75 ms, at least 5 rounds, baseline on. */
  public static BenchOptions defaults() {
    return new BenchOptions(20, 0, 10, 5, 75, null, Map.of(), 1, true, jvmArgsFromEnvironment(), List.of());
  }

  /** {@link #DEFAULT_JVM_ARGS}, or the space-separated options in HWC_BENCH_JVM_OPTS when set. */
  static List<String> jvmArgsFromEnvironment() {
    String env = System.getenv("HWC_BENCH_JVM_OPTS");
    return env == null || env.isBlank() ? DEFAULT_JVM_ARGS : List.of(env.trim().split("\\s+"));
  }

  public BenchOptions withWarmup(int n) {
    return new BenchOptions(n, runs, seconds, minRounds, batchMillis, inputs, shapes, seed, baseline, jvmArgs, childPrefix);
  }

  /** Timed inferences per artifact (replaces seconds). */
  public BenchOptions withRuns(int n) {
    return new BenchOptions(warmup, n, n == 0 ? seconds : 0, minRounds, batchMillis, inputs, shapes, seed, baseline, jvmArgs,
        childPrefix);
  }

  /** Timed seconds per artifact (replaces runs). */
  public BenchOptions withSeconds(double s) {
    return new BenchOptions(warmup, 0, s, minRounds, batchMillis, inputs, shapes, seed, baseline, jvmArgs, childPrefix);
  }

  public BenchOptions withMinRounds(int n) {
    return new BenchOptions(warmup, runs, seconds, n, batchMillis, inputs, shapes, seed, baseline, jvmArgs, childPrefix);
  }

  public BenchOptions withBatchMillis(double ms) {
    return new BenchOptions(warmup, runs, seconds, minRounds, ms, inputs, shapes, seed, baseline, jvmArgs, childPrefix);
  }

  public BenchOptions withInputs(Path p) {
    return new BenchOptions(warmup, runs, seconds, minRounds, batchMillis, p, shapes, seed, baseline, jvmArgs, childPrefix);
  }

  public BenchOptions withShapes(Map<String, long[]> s) {
    return new BenchOptions(warmup, runs, seconds, minRounds, batchMillis, inputs, s, seed, baseline, jvmArgs, childPrefix);
  }

  public BenchOptions withSeed(long s) {
    return new BenchOptions(warmup, runs, seconds, minRounds, batchMillis, inputs, shapes, s, baseline, jvmArgs, childPrefix);
  }

  public BenchOptions withBaseline(boolean b) {
    return new BenchOptions(warmup, runs, seconds, minRounds, batchMillis, inputs, shapes, seed, b, jvmArgs, childPrefix);
  }

  public BenchOptions withJvmArgs(List<String> a) {
    return new BenchOptions(warmup, runs, seconds, minRounds, batchMillis, inputs, shapes, seed, baseline, a, childPrefix);
  }

  public BenchOptions withChildPrefix(List<String> p) {
    return new BenchOptions(warmup, runs, seconds, minRounds, batchMillis, inputs, shapes, seed, baseline, jvmArgs, p);
  }
}

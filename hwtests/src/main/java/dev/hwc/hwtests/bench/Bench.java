package dev.hwc.hwtests.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hwc.backends.HwcVersion;
import dev.hwc.common.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The measuring harness. Each artifact runs in a fresh child JVM ({@link BenchChild}) on the same
 * classpath: load and first inference are timed there, then warm-up, then timed batches. With
 * several artifacts all children stay loaded and the parent interleaves their batches (A B C A B C
 * …, one child running at a time, the next starting only when the previous one's threads have gone
 * idle) so machine drift hits every artifact alike; each artifact's
 * latency over every other's is then the ratio of per-round medians, reported with its spread.
 *
 * <pre>{@code
 * BenchResult r = Bench.compare(List.of(BenchTarget.of(fp32), BenchTarget.of(int8)), BenchOptions.defaults());
 * double speedup = r.ratio("int8.onnx").orElseThrow().speedup();   // fp32 latency / int8 latency
 * }</pre>
 *
 * A target whose runtime this machine lacks is returned as skipped with the runtime's reason. A bad
 * artifact or input throws {@link BadInputException}.
 */
public final class Bench {
  private Bench() {}

  /** Measures one artifact. */
  public static BenchResult.Measurement run(BenchTarget target, BenchOptions options) throws IOException {
    return compare(List.of(target), options).artifacts().get(0);
  }

  /** Measures and compares targets, interleaved; ratios are against the first measured target. */
  public static BenchResult compare(List<BenchTarget> targets, BenchOptions options) throws IOException {
    return compare(targets, options, msg -> {});
  }

  /** As {@link #compare(List, BenchOptions)}, telling {@code progress} what it is doing every few seconds. */
  public static BenchResult compare(List<BenchTarget> targets, BenchOptions o, Consumer<String> progress)
      throws IOException {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("nothing to measure");
    }
    Set<String> labels = new java.util.HashSet<>();
    for (BenchTarget t : targets) {
      if (!labels.add(t.label())) {
        throw new BadInputException("two targets are labelled '" + t.label() + "'; labels must differ");
      }
      if (!Files.exists(t.artifact())) {
        throw new BadInputException("artifact not found: " + t.artifact());
      }
      dev.hwc.common.SafeFiles.requireRegular(t.artifact(), "cannot measure artifact", Long.MAX_VALUE);
      Runtimes.resolve(t.runtime(), t.artifact()); // an unknown runtime fails before any child starts
    }
    String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    Long baseline = null;
    List<Slot> slots = new ArrayList<>();
    try {
      if (o.baseline()) {
        progress.accept("measuring a bare child JVM (the memory baseline)");
        try (ChildProcess c = ChildProcess.start(o, List.of("--baseline"), "the baseline")) {
          c.await(Set.of("ready"));
          baseline = c.send("stop", "done").path("peakRssBytes").asLong();
        }
      }
      for (BenchTarget t : targets) {
        slots.add(Slot.start(t, o, progress));
      }
      List<Slot> live = slots.stream().filter(s -> s.child != null).toList();
      for (Slot s : live) {
        s.warm(o);
      }
      int rounds = rounds(live, o);
      CpuLoad.Snapshot before = CpuLoad.snapshot();
      long lastReport = System.nanoTime();
      Slot previous = live.isEmpty() ? null : live.get(live.size() - 1); // the last to warm up
      for (int r = 0; r < rounds; r++) {
        for (Slot s : live) {
          if (previous != null && previous != s) {
            previous.child.awaitIdle(); // its runtime's threads may still spin: let them stop first
          }
          s.batch();
          previous = s;
        }
        if (System.nanoTime() - lastReport > 2_000_000_000L) {
          progress.accept("round " + (r + 1) + "/" + rounds);
          lastReport = System.nanoTime();
        }
      }
      Double background = CpuLoad.backgroundCores(before, CpuLoad.snapshot());
      for (Slot s : live) {
        s.peakRss = s.child.send("stop", "done").path("peakRssBytes").asLong();
        s.child.close();
      }
      List<BenchResult.Measurement> ms = new ArrayList<>();
      for (Slot s : slots) {
        ms.add(s.measurement(baseline));
      }
      List<BenchResult.Ratio> ratios = new ArrayList<>();
      for (int i = 1; i < live.size(); i++) {
        ratios.add(ratio(live.get(i), live.get(0)));
      }
      String source = o.inputs() != null ? o.inputs().toString() : "seeded random (normal floats; integer inputs within what they index), seed " + o.seed();
      return new BenchResult(HwcVersion.VALUE, started,
          new BenchResult.Settings(o.warmup(), rounds, o.batchMillis(), source, o.jvmArgs(),
              background == null ? null : Math.round(background * 100) / 100.0), baseline, ms, ratios);
    } finally {
      for (Slot s : slots) {
        if (s.child != null) {
          s.child.close();
        }
      }
    }
  }

  /** Rounds so that every artifact gets at least {@code runs} inferences, or about {@code seconds} of them. */
  private static int rounds(List<Slot> live, BenchOptions o) {
    if (live.isEmpty()) {
      return 0;
    }
    int rounds = o.minRounds();
    for (Slot s : live) {
      if (o.runs() > 0) {
        s.k = Math.max(1, Math.min(s.k, o.runs() / o.minRounds()));
        rounds = Math.max(rounds, (o.runs() + s.k - 1) / s.k);
      }
    }
    if (o.runs() == 0) {
      rounds = Math.max(rounds, (int) Math.ceil(o.seconds() * 1000 / o.batchMillis()));
    }
    return rounds;
  }

  private static BenchResult.Ratio ratio(Slot s, Slot ref) {
    int n = Math.min(s.roundMedians.size(), ref.roundMedians.size());
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = s.roundMedians.get(i) / ref.roundMedians.get(i);
    }
    Arrays.sort(r);
    return new BenchResult.Ratio(s.target.label(), ref.target.label(), n, quantile(r, 0.5), quantile(r, 0.25),
        quantile(r, 0.75), r[0], r[n - 1]);
  }

  /** Linear-interpolation quantile of sorted values. */
  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }

  /** One target's child and what it has measured so far. */
  private static final class Slot {
    final BenchTarget target;
    final String runtime;
    final long bytes;
    ChildProcess child;
    JsonNode ready;
    String skipped;
    int k;
    final Histogram histogram = new Histogram(3);
    final List<Double> roundMedians = new ArrayList<>();
    long count;
    double mean;
    double m2;
    long sumNs;
    long peakRss = -1;

    private Slot(BenchTarget target, String runtime, long bytes) {
      this.target = target;
      this.runtime = runtime;
      this.bytes = bytes;
    }

    static Slot start(BenchTarget t, BenchOptions o, Consumer<String> progress) throws IOException {
      String runtime = Runtimes.resolve(t.runtime(), t.artifact());
      Slot s = new Slot(t, runtime, Runtimes.artifactBytes(t.artifact()));
      List<String> args = new ArrayList<>(List.of("--artifact", t.artifact().toAbsolutePath().toString(),
          "--runtime", runtime, "--threads", Integer.toString(t.threads()), "--seed", Long.toString(o.seed())));
      Path inputs = o.inputs() != null ? o.inputs()
          : BoundedRandomInputs.file(t.artifact(), o.shapes(), o.seed()).orElse(null);
      if (inputs != null) {
        args.add("--inputs");
        args.add(inputs.toAbsolutePath().toString());
      }
      o.shapes().forEach((name, dims) -> {
        args.add("--shape");
        args.add(name + "=" + String.join("x", Arrays.stream(dims).mapToObj(Long::toString).toList()));
      });
      progress.accept("loading " + t.label() + " on " + runtime);
      ChildProcess c = ChildProcess.start(o, args, t.label());
      try {
        JsonNode first = c.await(Set.of("ready", "unavailable"));
        if (first.path("event").asText().equals("unavailable")) {
          s.skipped = runtime + " is not available here: " + first.path("reason").asText();
          c.close();
          return s;
        }
        s.ready = first;
        s.child = c;
        return s;
      } catch (IOException | RuntimeException e) {
        c.close();
        throw e;
      }
    }

    void warm(BenchOptions o) throws IOException {
      JsonNode w = child.send("warmup " + o.warmup(), "warm");
      double perRun = o.warmup() > 0 ? w.path("meanNs").asDouble() : ready.path("firstNs").asDouble();
      k = (int) Math.max(1, Math.min(Protocol.MAX_BATCH, Math.round(o.batchMillis() * 1e6 / Math.max(1, perRun))));
    }

    void batch() throws IOException {
      JsonNode ns = child.send("run " + k, "batch").path("ns");
      long[] v = new long[ns.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = ns.get(i).asLong();
        histogram.recordValue(Math.max(1, v[i]));
        count++;
        sumNs += v[i];
        double d = v[i] - mean;
        mean += d / count;
        m2 += d * (v[i] - mean);
      }
      Arrays.sort(v);
      int n = v.length;
      roundMedians.add(n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0);
    }

    BenchResult.Measurement measurement(Long baseline) {
      if (skipped != null) {
        return BenchResult.Measurement.skipped(target, runtime, bytes, skipped);
      }
      double ms = 1e-6;
      BenchResult.Latency lat = new BenchResult.Latency(count, histogram.getValueAtPercentile(50) * ms,
          histogram.getValueAtPercentile(90) * ms, histogram.getValueAtPercentile(99) * ms, histogram.getMaxValue() * ms,
          histogram.getMinValue() * ms, mean * ms, (count > 1 ? Math.sqrt(m2 / (count - 1)) : 0) * ms);
      Map<String, String> inputs = new LinkedHashMap<>();
      ready.path("inputs").fields().forEachRemaining(e -> inputs.put(e.getKey(), e.getValue().asText()));
      return new BenchResult.Measurement(target.label(), target.artifact().toString(), bytes, runtime, target.threads(),
          "measured", null, ready.path("runtimeVersion").asText(), ready.path("execution").asText(), inputs,
          ready.path("samples").asInt(),
          ready.path("loadNs").asDouble() * ms, ready.path("firstNs").asDouble() * ms, k, lat,
          sumNs == 0 ? 0 : count / (sumNs * 1e-9), peakRss, baseline == null ? null : peakRss - baseline);
    }
  }
}

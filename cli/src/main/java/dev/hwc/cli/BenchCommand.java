package dev.hwc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hwc.hwtests.bench.Bench;
import dev.hwc.hwtests.bench.BenchOptions;
import dev.hwc.hwtests.bench.BenchResult;
import dev.hwc.hwtests.bench.BenchTarget;
import dev.hwc.hwtests.cost.Cost;
import dev.hwc.hwtests.cost.PriceSheet;
import dev.hwc.common.BadInputException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code hwc bench ARTIFACT...}: latency, load time and memory of artifacts, each in a fresh JVM; ratios when several. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure artifacts on their runtime, each in a fresh child JVM: size, load time, first inference,"
        + " steady-state latency (p50/p90/p99/max, mean ± sd), throughput, peak RSS and its growth over a bare JVM.",
        "With several artifacts the runs interleave (A B C A B C ...) and each is compared with the first."})
final class BenchCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ARTIFACT", arity = "1..*", description = "Artifacts (.onnx, .tflite); the first is the reference.")
  List<Path> artifacts;

  @Option(names = "--runtime", paramLabel = "ID",
      description = "ort, ort-cuda, tflite or tensorrt (default: from each file's extension).")
  String runtime;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "Intra-op threads (default: the runtime's default; TFLite: one per CPU).")
  int threads;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "20", description = "Untimed runs after the first (default: ${DEFAULT-VALUE}).")
  int warmup;

  static final class Amount {
    @Option(names = "--runs", paramLabel = "N", description = "Timed inferences per artifact (at least).")
    Integer runs;

    @Option(names = "--seconds", paramLabel = "S", description = "Timed seconds per artifact (default: 10).")
    Double seconds;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Amount amount;

  @Option(names = "--inputs", paramLabel = "PATH",
      description = "Real samples, run in turn: an .npz/.npy file or a folder of them, arrays named after the inputs, laid out as for --calib (default: seeded random data: normal floats, integer inputs within what they index).")
  Path inputs;

  @Option(names = "--shape", paramLabel = "NAME=AxB", description = "Size of an input with symbolic dims, e.g. input_ids=1x128 (repeatable).")
  List<String> shapes = new ArrayList<>();

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the random inputs (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--cost", paramLabel = "SHEET",
      description = "Price the measured figures: a price-sheet YAML, or 'default' for the bundled illustrative EUR prices.")
  String cost;

  @Option(names = "--rate", paramLabel = "R", description = "Requests per second for --cost.")
  Double rate;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Option(names = "--child-prefix", hidden = true, paramLabel = "CMD",
      description = "A command put before each child's java, e.g. '/usr/bin/time -v -o FILE' (for checking the harness).")
  String childPrefix;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (threads < 0 || warmup < 0) {
      throw new BadInputException("--threads and --warmup must be >= 0");
    }
    if ((cost == null) != (rate == null)) {
      throw new BadInputException("--cost and --rate go together: --cost SHEET --rate REQUESTS_PER_SECOND");
    }
    if (rate != null && rate < 0) {
      throw new BadInputException("--rate must be >= 0");
    }
    PriceSheet sheet = cost == null ? null : PriceSheet.resolve(cost);
    BenchOptions o = BenchOptions.defaults().withWarmup(warmup).withSeed(seed).withInputs(inputs)
        .withShapes(ShapeOption.parse(shapes));
    if (amount != null && amount.runs != null) {
      if (amount.runs < 1) {
        throw new BadInputException("--runs must be at least 1");
      }
      o = o.withRuns(amount.runs);
    } else if (amount != null && amount.seconds != null) {
      if (amount.seconds <= 0) {
        throw new BadInputException("--seconds must be positive");
      }
      o = o.withSeconds(amount.seconds);
    }
    if (childPrefix != null && !childPrefix.isBlank()) {
      o = o.withChildPrefix(List.of(childPrefix.trim().split("\\s+")));
    }
    List<BenchTarget> targets = new ArrayList<>();
    for (Path a : artifacts) {
      String label = a.getFileName().toString();
      for (int i = 2; labelTaken(targets, label); i++) {
        label = a.getFileName() + "#" + i;
      }
      targets.add(new BenchTarget(label, a, runtime, threads));
    }
    BenchResult r = Bench.compare(targets, o, msg -> {
      if (!json) {
        err.println("hwc bench: " + msg);
      }
    });
    Map<String, List<Cost.Line>> costs = new LinkedHashMap<>();
    if (sheet != null) {
      for (BenchResult.Measurement m : r.artifacts()) {
        if (m.measured()) {
          costs.put(m.label(), Cost.estimate(sheet, Cost.Usage.of(m), rate));
        }
      }
    }
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("bench", r);
      doc.put("cost", sheet == null ? null : Map.of("sheet", cost, "requestsPerSecond", rate, "perArtifact", costs));
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
      return Hwc.OK;
    }
    print(r, out);
    if (sheet != null) {
      printCost(sheet, costs, out);
    }
    return Hwc.OK;
  }

  private static boolean labelTaken(List<BenchTarget> ts, String label) {
    return ts.stream().anyMatch(t -> t.label().equals(label));
  }

  private void print(BenchResult r, PrintWriter out) {
    out.printf("hwc bench: each artifact in a fresh JVM; %d warm-up runs, then %d interleaved rounds of ~%.0f ms batches;"
        + " inputs: %s%n", r.settings().warmup(), r.settings().rounds(), r.settings().batchMillis(), r.settings().inputSource());
    if (r.baselinePeakRssBytes() != null) {
      out.printf("bare JVM (no model): peak RSS %s%n", mib(r.baselinePeakRssBytes()));
    }
    out.println();
    Table t = new Table("artifact", "runtime", "size", "load ms", "first ms", "p50 ms", "p90 ms", "p99 ms", "max ms",
        "mean ± sd ms", "inf/s", "peak RSS", "over JVM");
    for (BenchResult.Measurement m : r.artifacts()) {
      if (!m.measured()) {
        continue;
      }
      BenchResult.Latency l = m.latencyMs();
      t.row(m.label(), m.runtime() + " " + m.runtimeVersion(), mib(m.artifactBytes()), ms(m.loadMs()),
          ms(m.firstInferenceMs()), ms(l.p50()), ms(l.p90()), ms(l.p99()), ms(l.max()), ms(l.mean()) + " ± " + ms(l.stdev()),
          String.format(Locale.ROOT, "%.1f", m.throughputPerSecond()), mib(m.peakRssBytes()),
          m.rssGrowthBytes() == null ? "-" : mib(m.rssGrowthBytes()));
    }
    if (r.artifacts().stream().anyMatch(BenchResult.Measurement::measured)) {
      t.print(out);
      out.println();
    }
    for (BenchResult.Measurement m : r.artifacts()) {
      if (!m.measured()) {
        out.printf("%s: skipped: %s%n", m.label(), m.reason());
      } else {
        out.printf("%s: %s; %d timed runs in batches of %d; inputs %s%s%n", m.label(), m.execution(),
            m.latencyMs().count(), m.batchSize(), shapes(m.inputs()),
            m.samples() != null && m.samples() > 1 ? " (" + m.samples() + " samples, in turn)" : "");
      }
    }
    if (!r.ratios().isEmpty()) {
      out.printf("%nlatency against %s (median over %d rounds of the per-round median ratio; below 1 is faster):%n",
          r.ratios().get(0).against(), r.ratios().get(0).rounds());
      Table q = new Table("artifact", "ratio", "IQR", "min - max", "");
      for (BenchResult.Ratio x : r.ratios()) {
        q.row(x.label(), String.format(Locale.ROOT, "%.3fx", x.median()),
            String.format(Locale.ROOT, "%.3f - %.3f", x.p25(), x.p75()),
            String.format(Locale.ROOT, "%.3f - %.3f", x.min(), x.max()),
            x.median() <= 1 ? String.format(Locale.ROOT, "%.2fx faster", x.speedup())
                : String.format(Locale.ROOT, "%.2fx slower", x.median()));
      }
      q.print(out);
    }
    if (r.settings().busy()) {
      out.printf("%nwarning: other processes used %.2f CPU cores during the timed rounds: these figures are disturbed;"
          + " measure on a quiet machine%n", r.settings().backgroundCpuCores());
    }
  }

  private void printCost(PriceSheet sheet, Map<String, List<Cost.Line>> costs, PrintWriter out) {
    if (costs.isEmpty()) {
      return;
    }
    out.printf("%ncost at %s requests/s (price sheet: %s; %s per month%s):%n", num(rate), cost, sheet.currency(),
        "default".equals(cost) ? ", illustrative defaults" : "");
    List<String> header = new ArrayList<>(List.of("deployment"));
    header.addAll(costs.keySet());
    header.add("basis (" + costs.keySet().iterator().next() + ")");
    Table t = new Table(header.toArray(String[]::new));
    List<Cost.Line> first = costs.values().iterator().next();
    for (int i = 0; i < first.size(); i++) {
      List<Object> row = new ArrayList<>(List.of(first.get(i).deployment()));
      for (List<Cost.Line> lines : costs.values()) {
        Cost.Line l = lines.get(i);
        row.add(!l.deployable() ? "does not fit" : money(l.perMonth()) + (l.baselineOnly() ? " (baseline)" : ""));
      }
      row.add(first.get(i).basis());
      t.row(row.toArray());
    }
    t.print(out);
    double gpuLo = Double.MAX_VALUE;
    double gpuHi = 0;
    for (Cost.Line l : first) {
      if (l.baselineOnly()) {
        gpuLo = Math.min(gpuLo, l.perMonth());
        gpuHi = Math.max(gpuHi, l.perMonth());
      }
    }
    String best = null;
    Cost.Line bestLine = null;
    for (Map.Entry<String, List<Cost.Line>> e : costs.entrySet()) {
      Cost.Line c = Cost.cheapest(e.getValue()).orElse(null);
      if (c != null && (bestLine == null || c.perMonth() < bestLine.perMonth())) {
        best = e.getKey();
        bestLine = c;
      }
    }
    if (bestLine != null) {
      out.printf("cheapest: %s on %s, %s %s/month", best, bestLine.deployment(), money(bestLine.perMonth()), sheet.currency());
      if (gpuHi > 0) {
        out.printf("; against the %s-%s %s/month GPU baseline that saves %s-%s %s/month", money(gpuLo), money(gpuHi),
            sheet.currency(), money(gpuLo - bestLine.perMonth()), money(gpuHi - bestLine.perMonth()), sheet.currency());
      }
      out.println();
    }
  }

  private static String shapes(Map<String, String> inputs) {
    List<String> s = new ArrayList<>();
    inputs.forEach((k, v) -> s.add(k + "=" + v));
    return String.join(" ", s);
  }

  static String ms(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%.1f" : v >= 1 ? "%.3f" : "%.4f", v);
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }

  static String money(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String num(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}

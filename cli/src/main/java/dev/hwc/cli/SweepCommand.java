package dev.hwc.cli;

import dev.hwc.build.Compiler;
import dev.hwc.build.ModelInput;
import dev.hwc.build.SampleSource;
import dev.hwc.build.SweepGrid;
import dev.hwc.build.SweepListener;
import dev.hwc.build.SweepRequest;
import dev.hwc.build.SweepResult;
import dev.hwc.common.BadInputException;
import dev.hwc.hwtests.OutputKind;
import dev.hwc.hwtests.cost.PriceSheet;
import dev.hwc.profiles.Profile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sweep", mixinStandardHelpOptions = true,
    description = {"Build a grid of (precision x compression) candidates for a target, measure",
        "each per output on held-out data, time and price it, and find the wall where",
        "the weakest output breaks and the operating point just before it. Writes",
        "sweep.json, sweep.csv, envelope.html (+ .svg, .png with headless Chromium).",
        "Without MODEL, sweeps the bundled example with its own calib and eval data."})
final class SweepCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MODEL", arity = "0..1", description = "The model file (.onnx). Default: the bundled example.")
  Path model;

  @Option(names = "--target", paramLabel = "ID", description = "Target id (see 'hwc targets').")
  String target;

  @Option(names = {"-o", "--output"}, paramLabel = "DIR",
      description = "The sweep's folder: results replaced whole at the end; cache/ keeps finished candidates "
          + "(default: hwc-out/sweep-MODEL-TARGET).")
  Path output;

  @Option(names = "--calib", paramLabel = "DIR", description = "Calibration samples (default: calib/ beside the model).")
  Path calib;

  @Option(names = "--eval", paramLabel = "DIR",
      description = "Held-out samples (generated with another seed than --calib) the gate is judged on.")
  Path eval;

  @Option(names = "--grid", paramLabel = "FILE.yaml",
      description = "The candidates (precisions, compression, candidates); default: legal precisions x unstructured "
          + "0..0.9, and x low-rank (kept energy 0.99..0.8) for a MatMul/Gemm-heavy model.")
  Path grid;

  @Option(names = "--train", paramLabel = "DIR",
      description = "Inputs (.npz) the grid's fine-tuned candidates (e.g. channel:0.2+distill:400) train on; "
          + "default: the grid file's train:, else the calibration set.")
  Path train;

  @Option(names = "--rate", paramLabel = "R", defaultValue = "10", description = "Requests per second to price (default 10).")
  double rate;

  @Option(names = "--baseline-eur", paramLabel = "LO:HI", description = "Your current monthly spend band, e.g. 750:1800.")
  String baselineEur;

  @Option(names = "--prices", paramLabel = "FILE", defaultValue = "default",
      description = "Price sheet (YAML; default: the bundled illustrative one).")
  String prices;

  @Option(names = "--bench-seconds", paramLabel = "S", defaultValue = "0.5",
      description = "Timed seconds per artifact when timing each candidate against the baseline; 0 skips timing and cost.")
  double benchSeconds;

  @Option(names = "--min-cosine", paramLabel = "C", description = "Gate: lowest cosine (default: the profile's).")
  Double minCosine;

  @Option(names = "--min-iou", paramLabel = "I", description = "Gate: lowest IoU of a mask channel (default: the profile's).")
  Double minIoU;

  @Option(names = "--output-kind", paramLabel = "NAME=KIND", description = "What an output is (mask, labels, embedding, regression).")
  List<String> outputKinds = new ArrayList<>();

  @Option(names = "--shape", paramLabel = "NAME=AxB", description = "Fix an input's shape (repeatable).")
  List<String> shapes = new ArrayList<>();

  @Option(names = "--ship", description = "Also build the operating point into DIR/ship exactly as 'hwc build' writes it.")
  boolean ship;

  @Option(names = "--jobs", paramLabel = "N", defaultValue = "1",
      description = "Candidates built at once, each in its own child JVM (default 1: one after another); the timing "
          + "runs one candidate at a time after the builds, so the measurements stay clean.")
  int jobs;

  @Option(names = "--no-png", description = "Do not render envelope.png with headless Chromium.")
  boolean noPng;

  @Mixin TargetOptions targets = new TargetOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (benchSeconds < 0) {
      throw new BadInputException("--bench-seconds must not be negative");
    }
    double[] band = null;
    if (baselineEur != null) {
      String[] p = baselineEur.split(":");
      try {
        band = new double[] {Double.parseDouble(p[0]), Double.parseDouble(p.length > 1 ? p[1] : p[0])};
      } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
        band = null;
      }
      if (band == null || p.length != 2 || !(band[0] >= 0) || band[1] < band[0]) {
        throw new BadInputException("--baseline-eur must be LO:HI with 0 <= LO <= HI, e.g. 750:1800; got '" + baselineEur + "'");
      }
    }
    Profile profile = targets.resolve(target);
    ModelInput input = model == null ? ModelInput.bundledExample() : ModelInput.file(model);
    Path output = this.output != null ? this.output : Path.of("hwc-out", "sweep-" + input.stem() + "-" + profile.id());
    java.util.Map<String, OutputKind> kinds = new java.util.LinkedHashMap<>();
    outputKinds.forEach(k -> {
      var e = OutputKind.parse(k);
      kinds.put(e.getKey(), e.getValue());
    });
    java.util.List<SweepGrid.Entry> entries = grid == null ? null : SweepGrid.load(grid);
    if (train != null) {
      if (entries == null || entries.stream().noneMatch(e -> e.compression() != null && e.compression().fineTune() != null)) {
        throw new BadInputException("--train: the grid has no fine-tuned candidates (add e.g. channel:0.2+distill:400 to --grid)");
      }
      if (!java.nio.file.Files.isDirectory(train)) {
        throw new BadInputException("--train " + train + ": not a folder of .npz inputs");
      }
      entries = SweepGrid.withTrain(entries, train.toAbsolutePath());
    }
    SweepRequest req = new SweepRequest(input, profile, entries,
        calib == null ? null : SampleSource.folder(calib), eval == null ? null : SampleSource.folder(eval), kinds,
        minCosine, minIoU, ShapeOption.parse(shapes), benchSeconds, rate, PriceSheet.resolve(prices), band, output,
        true, ship, !noPng, jobs);
    PrintWriter w = spec.commandLine().getOut();
    SweepResult r = Compiler.sweep(req, new Printer(w));
    print(w, r);
    return Hwc.OK;
  }

  /** Progress lines: [i/n] candidate, ETA; one line per finished candidate. */
  static final class Printer implements SweepListener {
    private final PrintWriter w;

    Printer(PrintWriter w) {
      this.w = w;
    }

    @Override
    public void info(String message) {
      w.println("note: " + message);
    }

    @Override
    public void candidateStarted(int index, int total, String id, double eta) {
      w.printf(Locale.ROOT, "[%d/%d] %s%s%n", index, total, id,
          Double.isNaN(eta) ? "" : String.format(Locale.ROOT, "  (ETA %dm%02ds)", (long) eta / 60, (long) eta % 60));
      w.flush();
    }

    @Override
    public void candidateBuilt(int done, int total, SweepResult.Candidate c, double eta) {
      w.printf(Locale.ROOT, "[built %d/%d] %s%s%s%n", done, total, c.id(), c.built() ? "" : " (not built)",
          done == total ? "" : String.format(Locale.ROOT, "  (builds' ETA %dm%02ds)", (long) eta / 60, (long) eta % 60));
      w.flush();
    }

    @Override
    public void candidateFinished(int index, int total, SweepResult.Candidate c, boolean cached) {
      if (c.built()) {
        w.printf(Locale.ROOT, "      %s weakest %s %.4f, %s %.4f%s%n", c.passed() ? "passes" : "FAILS ", c.weakestTrack(),
            c.weakest(), c.aggregateMetric(), c.aggregate(), cached ? " (cached)" : "");
      }
      w.flush();
    }
  }

  static void print(PrintWriter w, SweepResult r) {
    List<String> tracks = new ArrayList<>();
    r.candidates().stream().filter(SweepResult.Candidate::built).forEach(c -> c.tracks().forEach(t -> {
      if (!tracks.contains(t.name())) {
        tracks.add(t.name());
      }
    }));
    List<String> head = new ArrayList<>(List.of("candidate", "plan", "gate"));
    head.addAll(tracks);
    head.addAll(List.of("aggregate", "frag", "gzip KiB", "p50 ms", r.currency() + "/mo", ""));
    List<List<String>> rows = new ArrayList<>();
    for (SweepResult.Candidate c : r.candidates()) {
      List<String> row = new ArrayList<>();
      row.add(c.id());
      if (!c.built()) {
        row.add("-");
        row.add("not built");
        for (int i = 3; i < head.size() - 1; i++) {
          row.add("");
        }
        row.add(c.reason());
        rows.add(row);
        continue;
      }
      row.add(c.plan());
      row.add(c.passed() ? "pass" : "FAIL");
      for (String t : tracks) {
        row.add(c.tracks().stream().filter(x -> x.name().equals(t)).findFirst()
            .map(x -> String.format(Locale.ROOT, "%.4f", x.value())).orElse("-"));
      }
      row.add(String.format(Locale.ROOT, "%.4f", c.aggregate()));
      row.add(Boolean.TRUE.equals(c.fragmented()) ? "yes" : "no");
      row.add(String.format(Locale.ROOT, "%.1f", c.gzipBytes() / 1024.0));
      row.add(c.latency() == null ? "-" : String.format(Locale.ROOT, "%.3f", c.latency().p50Ms()));
      row.add(c.cost() == null ? "-" : String.format(Locale.ROOT, "%.2f", c.cost().eurPerMonth()));
      row.add(r.wall() != null && c.id().equals(r.wall().candidate()) ? "<- wall"
          : r.operatingPoint() != null && c.id().equals(r.operatingPoint().candidate()) ? "<- operating point" : "");
      rows.add(row);
    }
    w.println();
    Table t = new Table(head.toArray(new String[0]));
    rows.forEach(row -> t.row(row.toArray()));
    t.print(w);
    w.println();
    List<String> otherWalls = r.series().stream().filter(x -> x.wall() != null && (r.wall() == null
        || !x.wall().equals(r.wall().candidate()))).map(x -> x.name() + " at " + x.wall()).toList();
    w.println(r.wall() == null ? (otherWalls.isEmpty() ? "wall: none: the weakest output did not break along the grid"
        : "wall: none along the operating point's series")
        : "wall: " + r.wall().candidate() + " (" + String.join("; ", r.wall().signals()) + ")");
    if (!otherWalls.isEmpty()) {
      w.println("walls of the other series: " + String.join(", ", otherWalls));
    }
    if (r.wall() != null) {
      w.printf(Locale.ROOT, "at the wall: weakest %s %.4f (from %.4f), aggregate %.4f (from %.4f)%n", r.wall().weakestTrack(),
          r.wall().weakestAtWall(), r.wall().weakestAtStart(), r.wall().aggregateAtWall(), r.wall().aggregateAtStart());
    }
    w.println(r.operatingPoint() == null ? "operating point: none passes the gate before the wall"
        : r.operatingPoint().statement());
    w.println("Pareto frontier, weakest output vs gzipped size: " + String.join(", ", r.paretoBySize()));
    if (!r.paretoByCost().isEmpty()) {
      w.println("Pareto frontier, weakest output vs " + r.currency() + "/month: " + String.join(", ", r.paretoByCost()));
    }
    if (r.folder() != null) {
      w.println("wrote " + r.folder().resolve("sweep.json") + ", sweep.csv, envelope.html, envelope.svg"
          + (java.nio.file.Files.exists(r.folder().resolve("envelope.png")) ? ", envelope.png" : "")
          + (java.nio.file.Files.exists(r.folder().resolve("ship")) ? ", ship/" : ""));
    }
    w.flush();
  }
}

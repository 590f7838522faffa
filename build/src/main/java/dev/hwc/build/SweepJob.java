package dev.hwc.build;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hwc.backends.HwcVersion;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.common.BadInputException;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.hwtests.CurveResult;
import dev.hwc.hwtests.MaskSpec;
import dev.hwc.hwtests.OutputFidelity;
import dev.hwc.hwtests.bench.Bench;
import dev.hwc.hwtests.bench.BenchOptions;
import dev.hwc.hwtests.bench.BenchResult;
import dev.hwc.hwtests.bench.BenchTarget;
import dev.hwc.hwtests.cost.Cost;
import dev.hwc.profiles.ArtifactFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One sweep: every grid entry built through {@link Compiler#build} (in memory), measured per output
 * on the held-out samples, timed against the baseline by the harness, priced, cached; then the
 * knee, the wall and the operating point per series, and the results written whole.
 */
final class SweepJob {
  /** Smallest fall of the weakest output along a series that counts as a bend (below it nothing broke). */
  static final double MIN_DROP = 0.01;

  private final SweepRequest r;
  private final SweepListener listener;
  private final List<String> notes = new ArrayList<>();
  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private SweepFolder folder;
  private Path work;
  /** The grid swept: the request's, or the model's default. */
  private List<SweepGrid.Entry> grid;
  private byte[] baselineArtifact;
  private String ext;

  SweepJob(SweepRequest request, SweepListener listener) {
    this.r = request;
    this.listener = listener == null ? SweepListener.NONE : listener;
  }

  SweepResult run() throws Exception {
    ext = r.profile().artifact() == ArtifactFormat.TFLITE ? "tflite" : "onnx";
    if (r.model().file() != null && !Files.exists(r.model().file())) {
      throw new BadInputException("model not found: " + r.model().file());
    }
    Map<String, Path> protect = new LinkedHashMap<>();
    if (r.model().file() != null) {
      protect.put("the model's folder", r.model().file().toAbsolutePath().getParent());
    }
    if (r.calibration() != null && r.calibration().folder() != null) {
      protect.put("the calibration folder", r.calibration().folder());
    }
    if (r.eval() != null && r.eval().folder() != null) {
      protect.put("the eval folder", r.eval().folder());
    }
    Path temp = null;
    if (r.output() != null) {
      folder = SweepFolder.open(r.output(), protect);
    }
    try {
      if (folder != null) {
        work = folder.work();
      } else {
        temp = Files.createTempDirectory("hwc-sweep-");
        work = temp;
      }
      SweepResult result = sweep();
      if (folder != null) {
        write(result);
        folder.commit();
        return withFolder(result, folder.dir());
      }
      return result;
    } finally {
      if (folder != null) {
        folder.close();
      }
      if (temp != null) {
        OutputStaging.deleteRecursively(temp);
      }
    }
  }

  private static SweepResult withFolder(SweepResult s, Path dir) {
    return new SweepResult(s.schema(), s.hwcVersion(), s.target(), s.model(), s.modelSha256(), s.evalSource(),
        s.gate(), s.rate(), s.currency(), s.baselineBand(), s.kneeMethod(), s.candidates(), s.series(), s.wall(),
        s.operatingPoint(), s.paretoBySize(), s.paretoByCost(), s.notes(), dir);
  }

  // ---- building and measuring ------------------------------------------------------------------

  private SweepResult sweep() throws Exception {
    String modelHash = modelHash();
    grid = r.grid() != null ? r.grid() : SweepGrid.defaults(r.profile(), modelGraph());
    String dataHash = hash(dataFolder(r.calibration()), dataFolder(r.eval()));
    List<SweepGrid.Entry> ladder = ladder(grid);
    SweepGrid.Entry baselineEntry = ladder.stream().filter(e -> e.problem() == null
        && SweepGrid.illegal(r.profile(), e.precision()) == null && e.compression().isNone()).findFirst().orElse(null);
    if (baselineEntry == null) {
      throw new BadInputException("the grid has no uncompressed candidate legal on '" + r.profile().id()
          + "' to measure the others against (add compression 'none' at a legal precision)");
    }
    notes.add("baseline (timed against, and the saving's reference): " + baselineEntry.id());
    int total = ladder.size();
    Gate gate = Gate.of(r.profile(), r.minCosine(), r.minIoU());
    String evalSource = null;
    // what each entry is: not buildable (why), cached (its figures), or to build (its key)
    String[] why = new String[total];
    String[] keys = new String[total];
    SweepResult.Candidate[] cached = new SweepResult.Candidate[total];
    List<Integer> todo = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      SweepGrid.Entry e = ladder.get(i);
      why[i] = e.problem() != null ? e.problem() : SweepGrid.illegal(r.profile(), e.precision());
      if (why[i] != null) {
        continue;
      }
      keys[i] = hash(HwcVersion.VALUE, modelHash, dataHash, r.profile().id(), r.profile().source(), e.id(),
          String.valueOf(gate), String.valueOf(r.benchSeconds()), r.outputKinds().toString(), shapesKey());
      var hit = folder == null ? java.util.Optional.<byte[]>empty() : folder.cached(keys[i]);
      if (hit.isPresent()) {
        try {
          Cached k = json.readValue(hit.get(), Cached.class);
          cached[i] = k.candidate().onSeries(e.series(), k.candidate().level());
          evalSource = evalSource == null ? k.evalSource() : evalSource;
          continue;
        } catch (IOException ex) {
          listener.info("cache entry for " + e.id() + " unreadable, rebuilding: " + ex.getMessage());
        }
      }
      todo.add(i);
    }
    // with --jobs N, every build runs first, N at a time in child processes; the timing below then runs
    // one candidate at a time with nothing else of the sweep's running
    Map<Integer, Built> built = r.jobs() > 1 && todo.size() > 1 ? buildInChildren(ladder, todo, keys)
        : new java.util.HashMap<>();
    List<SweepResult.Candidate> out = new ArrayList<>();
    long started = System.nanoTime();
    int timedFresh = 0;
    for (int i = 0; i < total; i++) {
      SweepGrid.Entry e = ladder.get(i);
      final int at = i;
      long left = todo.stream().filter(t -> t >= at).count();
      double eta = timedFresh == 0 ? Double.NaN : (System.nanoTime() - started) / 1e9 / timedFresh * left;
      listener.candidateStarted(i + 1, total, e.id(), eta);
      if (why[i] != null) {
        SweepResult.Candidate c = SweepResult.Candidate.notBuilt(e, why[i]);
        out.add(c);
        listener.info("not built: " + e.id() + ": " + why[i]);
        listener.candidateFinished(i + 1, total, c, false);
        continue;
      }
      if (cached[i] != null) {
        out.add(cached[i]);
        listener.candidateFinished(i + 1, total, cached[i], true);
        continue;
      }
      Built b = built.containsKey(i) ? built.remove(i) : judge(e, keys[i]);
      SweepResult.Candidate c = b.candidate();
      if (!c.built()) {
        if (e.id().equals(baselineId())) { // the uncompressed baseline cannot be built: the input is bad, not the candidate
          throw new BadInputException(c.reason());
        }
        listener.info("not built: " + e.id() + ": " + c.reason());
      } else {
        if (e.id().equals(baselineId()) && baselineArtifact == null) {
          baselineArtifact = b.artifact();
        }
        evalSource = b.evalSource();
        c = c.withLatency(time(e, b.artifact()));
        // a candidate that could not be built is tried again next time; one a child built without timing is cached
        if (folder != null && !(b.fromChild() && r.benchSeconds() <= 0)) {
          folder.cache(keys[i], json.writeValueAsBytes(new Cached(c, b.evalSource())));
        }
      }
      timedFresh++;
      out.add(c);
      listener.candidateFinished(i + 1, total, c, false);
    }
    out = priced(out);
    return analyse(out, gate, modelHash, evalSource, baselineEntry.id());
  }

  /**
   * Builds and judges the entries at {@code todo} in child JVMs, {@code r.jobs()} at a time; without
   * timing, each is cached as soon as it is done (an interrupted sweep keeps it). Falls back to this
   * process (returning nothing) where the request cannot be handed to a child (samples or a profile in
   * memory).
   */
  private Map<Integer, Built> buildInChildren(List<SweepGrid.Entry> ladder, List<Integer> todo, String[] keys)
      throws Exception {
    String cannot = SweepWorker.cannot(r);
    if (cannot != null) {
      listener.info("--jobs " + r.jobs() + " not used: " + cannot + "; building in this process, one at a time");
      return new java.util.HashMap<>();
    }
    Map<Integer, Built> done = new java.util.HashMap<>();
    // an in-memory graph goes to the children as the file a build writes it to (same name: same artifact)
    Path model = r.model().graph() == null ? null
        : Files.createDirectories(work.resolve("model")).resolve(r.model().stem() + ".onnx");
    if (model != null) {
      new OnnxEmitter().emit(GraphValidator.check(ShapeInference.run(r.model().graph())), model);
    }
    listener.info("building " + todo.size() + " candidates in " + Math.min(r.jobs(), todo.size())
        + " child processes; then timing them one at a time");
    long started = System.nanoTime();
    try (SweepWorker.Pool pool = new SweepWorker.Pool(r, model, Files.createDirectories(work.resolve("jobs")),
        Math.min(r.jobs(), todo.size()))) {
      if (folder != null) {
        folder.beforeCleanup(pool::kill);
      }
      var futures = new java.util.concurrent.ExecutorCompletionService<Map.Entry<Integer, Built>>(pool.executor());
      for (int i : todo) {
        SweepGrid.Entry e = ladder.get(i);
        futures.submit(() -> Map.entry(i, pool.build(e, keys[i], ext)));
      }
      for (int k = 1; k <= todo.size(); k++) {
        Map.Entry<Integer, Built> got;
        try {
          got = futures.take().get();
        } catch (java.util.concurrent.ExecutionException ex) {
          throw ex.getCause() instanceof Exception c ? c : ex;
        }
        Built b = got.getValue();
        SweepGrid.Entry e = ladder.get(got.getKey());
        if (b.candidate().built() && r.benchSeconds() <= 0 && folder != null) {
          folder.cache(keys[got.getKey()], json.writeValueAsBytes(new Cached(b.candidate(), b.evalSource())));
        }
        done.put(got.getKey(), b);
        double eta = (System.nanoTime() - started) / 1e9 / k * (todo.size() - k);
        listener.candidateBuilt(k, todo.size(), b.candidate(), eta);
      }
    } finally {
      if (model != null) {
        Files.deleteIfExists(model);
      }
    }
    return done;
  }

  /** What a cache entry holds: the measured candidate (priced again on every run: --rate may change). */
  record Cached(SweepResult.Candidate candidate, String evalSource) {}

  /**
   * A candidate built and judged, not yet timed.
   *
   * @param artifact its bytes (null when not built)
   * @param fromChild built by a child process (--jobs)
   */
  record Built(SweepResult.Candidate candidate, String evalSource, byte[] artifact, boolean fromChild) {}

  /** Series in the grid's order of first appearance, levels ascending within each; unknown kinds last. */
  static List<SweepGrid.Entry> ladder(List<SweepGrid.Entry> grid) {
    List<String> series = new ArrayList<>();
    for (SweepGrid.Entry e : grid) {
      if (!series.contains(e.series())) {
        series.add(e.series());
      }
    }
    List<SweepGrid.Entry> sorted = new ArrayList<>(grid);
    sorted.sort(Comparator.<SweepGrid.Entry>comparingInt(e -> series.indexOf(e.series()))
        .thenComparingDouble(e -> Double.isNaN(e.level()) ? 2 : e.level()));
    // one entry per id (a grid may list the same candidate twice)
    Map<String, SweepGrid.Entry> unique = new LinkedHashMap<>();
    sorted.forEach(e -> unique.putIfAbsent(e.id(), e));
    return List.copyOf(unique.values());
  }

  private BuildRequest.Builder request(SweepGrid.Entry e) {
    return BuildRequest.builder(r.model(), r.profile()).precision(e.precision()).scheme(e.scheme())
        .compression(e.compression()).calibration(r.calibration()).eval(r.eval()).minCosine(r.minCosine())
        .minIoU(r.minIoU()).outputKinds(r.outputKinds()).shapes(r.shapes()).benchSeconds(0);
  }

  /**
   * Builds one candidate with {@link Compiler#build} in this process and measures it on the held-out
   * samples (not timed); a candidate the build refuses comes back not built, with the build's reason.
   * A child process of {@code --jobs} runs this same method.
   */
  Built judge(SweepGrid.Entry e, String key) throws Exception {
    BuildResult b;
    try {
      b = Compiler.build(request(e).build());
    } catch (CheckFailedException ex) {
      b = ex.result();
    } catch (BadInputException ex) {
      return new Built(SweepResult.Candidate.notBuilt(e, ex.getMessage()), null, null, false);
    }
    byte[] artifact = b.artifact().bytes();
    List<SweepResult.Track> tracks = new ArrayList<>();
    List<SweepResult.OutputFigures> outputs = new ArrayList<>();
    Map<String, MaskSpec> masks = new LinkedHashMap<>();
    b.masks().forEach(m -> masks.put(m.output(), m));
    double iouSum = 0;
    int iouN = 0;
    double cosSum = 0;
    boolean pooled = false;
    for (OutputFidelity f : b.outputs()) {
      Map<String, Double> iou = new LinkedHashMap<>();
      double[] v = f.iou();
      for (int c = 0; c < v.length; c++) {
        String name = masks.containsKey(f.output()) ? masks.get(f.output()).channel(c) : "class" + c;
        iou.put(name, v[c]);
        tracks.add(new SweepResult.Track(f.output() + "/" + name, "iou", v[c]));
        iouSum += v[c];
        iouN++;
      }
      if (f.pooled() != null) {
        // an embedding is used pooled: the worst sentence is its weakest figure, the mean its aggregate
        tracks.add(new SweepResult.Track(f.output(), "pooled-cosine", f.pooled().worst()));
        cosSum += f.pooled().mean();
        pooled = true;
      } else {
        if (v.length == 0) {
          tracks.add(new SweepResult.Track(f.output(), "cosine", f.cosine()));
        }
        cosSum += f.cosine();
      }
      outputs.add(new SweepResult.OutputFigures(f.output(), f.kind().toString(), f.cosine(), f.relativeL2(), f.maxAbs(), iou));
    }
    SweepResult.Track weakest = tracks.stream().min(Comparator.comparingDouble(SweepResult.Track::value)).orElseThrow();
    double aggregate = iouN > 0 ? iouSum / iouN : cosSum / outputs.size();
    List<SweepResult.CurveFigures> curves = new ArrayList<>();
    boolean fragmented = false;
    for (CurveResult c : b.report().fidelity().curves()) {
      curves.add(new SweepResult.CurveFigures(c.output(), c.channel(), fin(c.r2()), c.against(), fin(c.referenceR2()),
          c.referenceFragments(), c.candidateFragments(), c.fragmented()));
      fragmented |= c.fragmented();
    }
    SweepResult.Candidate c = new SweepResult.Candidate(e.id(), e.series(), e.precisionId(), e.compression().id(),
        e.level(), true, null, b.chosen().kind().id(), b.passed(), b.chosen().verdict(), tracks, weakest.name(),
        weakest.value(), aggregate, iouN > 0 ? "mean IoU" : pooled ? "mean pooled cosine" : "mean cosine", outputs, curves, fragmented,
        (long) artifact.length, BuildJob.gzipSize(artifact), null, null, key);
    return new Built(c, b.report().fidelity().sampleSource(), artifact, false);
  }

  private String baselineId;

  private String baselineId() {
    if (baselineId == null) {
      baselineId = ladder(grid).stream().filter(e -> e.problem() == null
          && SweepGrid.illegal(r.profile(), e.precision()) == null && e.compression().isNone())
          .findFirst().map(SweepGrid.Entry::id).orElseThrow();
    }
    return baselineId;
  }

  /** The baseline's artifact (built on demand when it came from the cache). */
  private byte[] baselineArtifact() throws Exception {
    if (baselineArtifact == null) {
      SweepGrid.Entry e = ladder(grid).stream().filter(x -> x.id().equals(baselineId())).findFirst().orElseThrow();
      BuildResult b;
      try {
        b = Compiler.build(request(e).build());
      } catch (CheckFailedException ex) {
        b = ex.result();
      }
      baselineArtifact = b.artifact().bytes();
    }
    return baselineArtifact;
  }

  /** Times the candidate against the baseline with the harness (interleaved child processes). */
  private SweepResult.Latency time(SweepGrid.Entry e, byte[] artifact) throws Exception {
    if (r.benchSeconds() <= 0) {
      return null;
    }
    Path mine = work.resolve("candidate." + ext);
    Path base = work.resolve("baseline." + ext);
    Files.write(mine, artifact);
    Files.write(base, baselineArtifact());
    String rt = ext.equals("tflite") ? "tflite" : "onnxruntime";
    BenchOptions opts = BenchOptions.defaults().withSeconds(r.benchSeconds()).withWarmup(5).withBaseline(false)
        .withShapes(r.shapes());
    BenchResult res = Bench.compare(List.of(new BenchTarget("baseline", base, rt, 0),
        new BenchTarget("candidate", mine, rt, 0)), opts);
    BenchResult.Measurement m = res.find("candidate").orElseThrow();
    BenchResult.Measurement bm = res.find("baseline").orElseThrow();
    if (!m.measured() || !bm.measured()) {
      listener.info("not timed: " + e.id() + ": " + (m.measured() ? bm.reason() : m.reason()));
      return null;
    }
    double speedup = res.ratio("candidate").map(BenchResult.Ratio::speedup).orElse(Double.NaN);
    return new SweepResult.Latency(m.latencyMs().p50(), m.latencyMs().p99(), m.latencyMs().mean(), baselineId(),
        bm.latencyMs().p50(), speedup, m.peakRssBytes(), res.settings().busy());
  }

  /** Each timed candidate's cheapest deployable line of the price sheet at the rate. */
  private List<SweepResult.Candidate> priced(List<SweepResult.Candidate> cs) {
    List<SweepResult.Candidate> out = new ArrayList<>();
    boolean anyUntimed = false;
    for (SweepResult.Candidate c : cs) {
      if (c.latency() == null || c.latency().peakRssBytes() == null) {
        anyUntimed |= c.built();
        out.add(c);
        continue;
      }
      var lines = Cost.estimate(r.prices(), new Cost.Usage(c.latency().peakRssBytes(), c.latency().meanMs(), 0), r.rate());
      var best = Cost.cheapest(lines);
      out.add(best.map(l -> c.withCost(new SweepResult.CostLine(l.deployment(), l.perMonth(), l.basis()))).orElse(c));
    }
    if (anyUntimed) {
      notes.add(r.benchSeconds() <= 0 ? "timing skipped (bench seconds 0): no latency and no cost"
          : "some candidates were not timed (no peak RSS or a skipped measurement): no cost for them");
    }
    return out;
  }

  // ---- wall and operating point -----------------------------------------------------------------

  private SweepResult analyse(List<SweepResult.Candidate> cs, Gate gate, String modelHash, String evalSource,
      String baseline) {
    Map<String, List<SweepResult.Candidate>> bySeries = new LinkedHashMap<>();
    for (SweepResult.Candidate c : cs) {
      if (c.built()) {
        bySeries.computeIfAbsent(c.series(), k -> new ArrayList<>()).add(c);
      }
    }
    // every series starts from its precision's uncompressed candidate (level 0): the unstructured series holds it,
    // the other kinds' series (n:m, channel) begin with it too, so each is judged against the same start
    for (List<SweepResult.Candidate> s : bySeries.values()) {
      SweepResult.Candidate first = s.get(0);
      if (first.level() != null && first.level() > 0) {
        cs.stream().filter(c -> c.built() && c.precision().equals(first.precision()) && "none".equals(c.compression()))
            .findFirst().ifPresent(none -> s.add(0, none));
      }
    }
    // a series of the uncompressed candidate alone (a grid of low-rank levels and no pruning ones) says nothing
    // the series that start from it do not: without it the headline is one of theirs, with its wall
    bySeries.values().removeIf(s -> s.size() == 1 && bySeries.values().stream()
        .anyMatch(o -> o != s && o.size() > 1 && o.get(0) == s.get(0)));
    SweepResult.Candidate base = cs.stream().filter(c -> c.id().equals(baseline)).findFirst().orElse(null);
    List<SweepResult.Series> series = new ArrayList<>();
    SweepResult.Wall headWall = null;
    SweepResult.OperatingPoint headOp = null;
    SweepResult.Candidate headOpC = null;
    for (var entry : bySeries.entrySet()) {
      List<SweepResult.Candidate> s = entry.getValue();
      Analysis a = analyseSeries(entry.getKey(), s);
      SweepResult.OperatingPoint op = a.op < 0 ? null : operatingPoint(s, a.op, a.wall, base);
      series.add(new SweepResult.Series(entry.getKey(), s.stream().map(SweepResult.Candidate::id).toList(),
          a.knee < 0 ? null : s.get(a.knee).id(), a.wall < 0 ? null : s.get(a.wall).id(),
          a.op < 0 ? null : s.get(a.op).id()));
      if (op != null && (headOpC == null || better(s.get(a.op), headOpC))) {
        headOpC = s.get(a.op);
        headOp = op;
        headWall = a.wallRecord;
      } else if (headOpC == null && headWall == null) {
        headWall = a.wallRecord;
      }
    }
    double[] band = r.baselineEur();
    return new SweepResult(SweepResult.SCHEMA, HwcVersion.VALUE, r.profile().id(), modelName(), modelHash, evalSource,
        new SweepResult.GateFigures(gate.minCosine(), gate.maxRelativeL2(), gate.minIoU()), r.rate(),
        r.prices().currency(), band, "Kneedle (Satopaa et al. 2011) on the weakest output's metric along each series, "
        + "S=" + Knee.SENSITIVITY + ", min drop " + MIN_DROP + "; wall = the step after the knee, or earlier the first "
        + "candidate failing the gate or with fragmented curves", cs, series, headWall, headOp,
        pareto(cs, c -> (double) c.gzipBytes()), pareto(cs, c -> c.cost() == null ? null : c.cost().eurPerMonth()),
        List.copyOf(notes), null);
  }

  /**
   * The Pareto frontier of the weakest output's metric (higher is better) against a cost (lower is
   * better): the built candidates no other candidate matches or beats on both, one strictly; ordered by cost.
   */
  static List<String> pareto(List<SweepResult.Candidate> cs,
      java.util.function.Function<SweepResult.Candidate, Double> cost) {
    List<SweepResult.Candidate> pts = cs.stream().filter(c -> c.built() && cost.apply(c) != null).toList();
    List<SweepResult.Candidate> front = new ArrayList<>();
    for (SweepResult.Candidate a : pts) {
      boolean dominated = false;
      for (SweepResult.Candidate b : pts) {
        double ca = cost.apply(a);
        double cb = cost.apply(b);
        if (b != a && b.weakest() >= a.weakest() && cb <= ca && (b.weakest() > a.weakest() || cb < ca)) {
          dominated = true;
          break;
        }
      }
      if (!dominated) {
        front.add(a);
      }
    }
    front.sort(Comparator.comparingDouble(c -> cost.apply(c)));
    return front.stream().map(SweepResult.Candidate::id).toList();
  }

  /** The cheaper operating point (EUR/month when both are priced, else the smaller gzipped artifact). */
  /** Differences within this fraction are ties: short timings make EUR/month and sizes this noisy or closer. */
  static final double TIE = 0.05;

  /**
   * Whether operating point {@code a} beats {@code b} (from different series): clearly cheaper per month
   * wins; on a tie in cost, clearly smaller gzipped wins; on a tie in both, the stronger weakest output.
   */
  static boolean better(SweepResult.Candidate a, SweepResult.Candidate b) {
    if (a.cost() != null && b.cost() != null && differ(a.cost().eurPerMonth(), b.cost().eurPerMonth())) {
      return a.cost().eurPerMonth() < b.cost().eurPerMonth();
    }
    if (differ(a.gzipBytes(), b.gzipBytes())) {
      return a.gzipBytes() < b.gzipBytes();
    }
    return a.weakest() > b.weakest();
  }

  private static boolean differ(double x, double y) {
    return Math.abs(x - y) > TIE * Math.max(Math.abs(x), Math.abs(y));
  }

  record Analysis(int knee, int wall, int op, SweepResult.Wall wallRecord) {}

  /** True when a is at least 1% smaller than b as stored or gzipped. */
  static boolean smaller(SweepResult.Candidate a, SweepResult.Candidate b) {
    return a.bytes() != null && b.bytes() != null && a.bytes() < 0.99 * b.bytes()
        || a.gzipBytes() != null && b.gzipBytes() != null && a.gzipBytes() < 0.99 * b.gzipBytes();
  }

  /** Knee, wall and operating point along one series (candidates in level order). */
  static Analysis analyseSeries(String name, List<SweepResult.Candidate> s) {
    int n = s.size();
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = s.get(i).level();
      y[i] = s.get(i).weakest();
    }
    int knee = Knee.find(x, y, MIN_DROP);
    int wall = knee >= 0 && knee + 1 < n ? knee + 1 : -1;
    int gateFails = -1;
    int fragments = -1;
    boolean fragmentedAtStart = n > 0 && Boolean.TRUE.equals(s.get(0).fragmented());
    for (int i = 1; i < n; i++) {
      if (gateFails < 0 && !Boolean.TRUE.equals(s.get(i).passed()) && Boolean.TRUE.equals(s.get(0).passed())) {
        gateFails = i;
      }
      if (fragments < 0 && !fragmentedAtStart && Boolean.TRUE.equals(s.get(i).fragmented())) {
        fragments = i;
      }
    }
    for (int hard : new int[] {gateFails, fragments}) {
      if (hard >= 0 && (wall < 0 || hard < wall)) {
        wall = hard;
      }
    }
    // the operating point: the most compressed passing candidate before the wall that is a real step,
    // smaller than the series' start as stored or gzipped (a low-rank level that factorized next to
    // nothing, or a level that wrote no zeros, banks nothing and is not taken)
    int op = -1;
    for (int i = 0; i < (wall < 0 ? n : wall); i++) {
      if (Boolean.TRUE.equals(s.get(i).passed()) && (i == 0 || op < 0 || smaller(s.get(i), s.get(0)))) {
        op = i;
      }
    }
    SweepResult.Wall record = null;
    if (wall >= 0) {
      List<String> signals = new ArrayList<>();
      if (knee >= 0 && knee + 1 == wall) {
        signals.add("knee (Kneedle): the weakest output bends at " + s.get(knee).id());
      }
      if (gateFails == wall) {
        signals.add("gate fails: " + s.get(wall).verdict());
      }
      if (fragments == wall) {
        signals.add("fragments appear: " + s.get(wall).curves().stream().filter(SweepResult.CurveFigures::fragmented)
            .map(c -> c.channel() + " " + c.referenceFragments() + " -> " + c.fragments() + " pieces")
            .reduce((a, b) -> a + ", " + b).orElse(""));
      }
      SweepResult.Candidate w = s.get(wall);
      record = new SweepResult.Wall(name, w.id(), w.level(), signals, w.weakestTrack(), w.weakest(), s.get(0).weakest(),
          w.aggregate(), s.get(0).aggregate());
    }
    return new Analysis(knee, wall, op, record);
  }

  private SweepResult.OperatingPoint operatingPoint(List<SweepResult.Candidate> s, int op, int wall,
      SweepResult.Candidate base) {
    SweepResult.Candidate c = s.get(op);
    SweepResult.Candidate next = wall >= 0 ? s.get(wall) : op + 1 < s.size() ? s.get(op + 1) : null;
    Double eur = c.cost() == null ? null : c.cost().eurPerMonth();
    Double baseEur = base == null || base.cost() == null ? null : base.cost().eurPerMonth();
    Double saving = eur != null && baseEur != null ? baseEur - eur : null;
    double stored = base == null ? 0 : 100.0 * (base.bytes() - c.bytes()) / base.bytes();
    double gz = base == null ? 0 : 100.0 * (base.gzipBytes() - c.gzipBytes()) / base.gzipBytes();
    Double nextWeak = next == null ? null : c.weakest() - next.weakest();
    Double nextAgg = next == null ? null : c.aggregate() - next.aggregate();
    String money = saving == null ? "cost not measured" : String.format(Locale.ROOT, "%.2f %s/month saved (%.2f -> %.2f)",
        saving, r.prices().currency(), baseEur, eur);
    String statement = String.format(Locale.ROOT, "operating point %s: weakest %s %.4f, %s %.4f; %s; %.0f%% smaller as "
        + "stored, %.0f%% smaller gzipped than %s", c.id(), c.weakestTrack(), c.weakest(), c.aggregateMetric(),
        c.aggregate(), money, stored, gz, base == null ? "the baseline" : base.id())
        + (next == null ? "" : String.format(Locale.ROOT, "; the next step (%s) would cost the weakest output %.4f and "
        + "the aggregate %.4f", next.id(), nextWeak, nextAgg));
    return new SweepResult.OperatingPoint(c.id(), c.level(), c.weakest(), c.aggregate(), eur,
        base == null ? null : base.id(), baseEur, saving, stored, gz, next == null ? null : next.id(), nextWeak, nextAgg,
        statement);
  }

  // ---- writing ---------------------------------------------------------------------------------

  private void write(SweepResult s) throws Exception {
    Path dir = folder.stage();
    byte[] body = json.writeValueAsBytes(s);
    SweepSchema.check(json.readTree(body)); // validated before writing
    Files.writeString(dir.resolve("sweep.csv"), SweepPage.csv(s), StandardCharsets.UTF_8);
    String svg = SweepPage.svg(s);
    Files.writeString(dir.resolve("envelope.svg"), svg, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("envelope.html"), SweepPage.html(s, svg), StandardCharsets.UTF_8);
    if (r.screenshot()) {
      var chromium = Chromium.find();
      if (chromium.isPresent()) {
        try {
          chromium.get().screenshot(dir.resolve("envelope.html"), dir.resolve("envelope.png"), 1100, 1000);
        } catch (IOException e) {
          listener.info("no envelope.png: " + e.getMessage());
        }
      } else {
        listener.info("no envelope.png: headless Chromium not found (install Debian's chromium package)");
      }
    }
    if (r.ship()) {
      if (s.operatingPoint() == null) {
        listener.info("nothing shipped: no operating point");
      } else {
        SweepGrid.Entry e = ladder(grid).stream().filter(x -> x.id().equals(s.operatingPoint().candidate()))
            .findFirst().orElseThrow();
        listener.info("shipping " + e.id() + " into ship/ as hwc build writes it");
        Compiler.build(request(e).benchSeconds(Math.max(r.benchSeconds(), 0)).output(dir.resolve("ship")).build());
      }
    }
    Files.write(dir.resolve("sweep.json"), body);
  }

  // ---- keys ------------------------------------------------------------------------------------

  private String modelName() {
    return r.model().isBundledExample() ? "bundled example welllog.onnx"
        : r.model().graph() != null ? "graph:" + r.model().stem() : r.model().file().toString();
  }

  /** The model's graph (for its default grid). */
  private dev.hwc.compiler.ir.Graph modelGraph() throws IOException {
    if (r.model().graph() != null) {
      return r.model().graph();
    }
    if (r.model().isBundledExample()) {
      Path p = work.resolve("model.onnx");
      try (InputStream in = ModelInput.class.getResourceAsStream(ModelInput.EXAMPLE_RESOURCE)) {
        Files.copy(in, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      try {
        return dev.hwc.compiler.frontend.Frontends.read(p);
      } finally {
        Files.delete(p);
      }
    }
    return dev.hwc.compiler.frontend.Frontends.read(r.model().file());
  }

  private String modelHash() throws IOException {
    if (r.model().isBundledExample()) {
      try (InputStream in = ModelInput.class.getResourceAsStream(ModelInput.EXAMPLE_RESOURCE)) {
        return HexFormat.of().formatHex(sha().digest(in.readAllBytes()));
      }
    }
    if (r.model().graph() != null) {
      Path p = work.resolve("model.onnx");
      new OnnxEmitter().emit(r.model().graph(), p);
      String h = BuildJob.sha256(p);
      Files.delete(p);
      return h;
    }
    return BuildJob.sha256(r.model().file());
  }

  private static Path dataFolder(SampleSource s) {
    return s == null ? null : s.folder();
  }

  private String shapesKey() {
    StringBuilder b = new StringBuilder();
    new java.util.TreeMap<>(r.shapes()).forEach((k, v) -> b.append(k).append(java.util.Arrays.toString(v)));
    return b.toString();
  }

  /** SHA-256 over the files under two data folders (names and bytes; null folders count as absent). */
  private static String hash(Path a, Path b) throws IOException {
    MessageDigest md = sha();
    for (Path p : new Path[] {a, b}) {
      md.update((p == null ? "-" : "+").getBytes(StandardCharsets.UTF_8));
      if (p != null && Files.isDirectory(p)) {
        try (Stream<Path> s = Files.walk(p)) {
          for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
            md.update(p.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
            md.update(Files.readAllBytes(f));
          }
        }
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static String hash(String... parts) {
    MessageDigest md = sha();
    for (String p : parts) {
      md.update(String.valueOf(p).getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
    }
    return HexFormat.of().formatHex(md.digest()).substring(0, 32);
  }

  private static MessageDigest sha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Double fin(double v) {
    return Double.isFinite(v) ? v : null;
  }
}

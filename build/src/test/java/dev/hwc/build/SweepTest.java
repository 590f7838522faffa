package dev.hwc.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hwc.common.BadInputException;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.prune.PrunableWeights;
import dev.hwc.profiles.ProfileLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep of a model built to break: two outputs from one input, {@code wide} (16 x 64 weights, 95%
 * of them tiny) and {@code thin} (2 x 64 weights, 80 of its 128 tiny, 48 large). Per-layer magnitude
 * pruning removes only tiny weights up to 0.6 (77 of 128 in the thin layer), and at 0.7 (90) it cuts
 * ten large ones of the thin output: its cosine falls from 1 to about 0.9 while the wide output stays
 * at 1. The wall must land at 0.7, the operating point at 0.6.
 */
class SweepTest {
  @TempDir Path dir;

  static final double[] LEVELS = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};

  static Graph builtToBreak() {
    GraphBuilder b = new GraphBuilder("built_to_break", 5);
    String x = b.input("x", 1, 64);
    b.output(b.gemm(x, 16));
    b.output(b.gemm(x, 2));
    Graph g = b.build();
    Random rnd = new Random(3);
    Graph.Editor e = g.edit();
    for (PrunableWeights.Weight w : PrunableWeights.of(g)) {
      int n = w.tensor().toDoubles().length;
      int big = n == 128 ? 48 : (int) Math.round(0.05 * n);
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        idx.add(i);
      }
      java.util.Collections.shuffle(idx, rnd);
      double[] v = new double[n];
      for (int k = 0; k < n; k++) {
        double mag = 0.5 + rnd.nextDouble();
        v[idx.get(k)] = (rnd.nextBoolean() ? 1 : -1) * (k < big ? mag : 1e-4 * mag);
      }
      e.putInitializer(w.name(), Tensor.fromDoubles(w.tensor().dtype(), w.tensor().shape(), v));
    }
    return e.build();
  }

  static List<SweepGrid.Entry> grid() {
    List<SweepGrid.Entry> g = new ArrayList<>();
    for (double l : LEVELS) {
      // no layer protected: both Gemms are first and last
      g.add(SweepGrid.entry(Precision.FP32, null, l == 0 ? Compression.NONE
          : new Compression(new Compression.Pruning(Compression.Kind.UNSTRUCTURED, l, null, List.of()))));
    }
    g.add(SweepGrid.entry("fp32", "tucker:0.5")); // a kind this hwc does not know: reported, not built
    g.add(SweepGrid.entry("int8", "none")); // illegal on x86-fp32
    return g;
  }

  static SweepRequest request(Path out) {
    return SweepRequest.of(ModelInput.graph(builtToBreak()), ProfileLoader.builtin("x86-fp32")).withGrid(grid())
        .withBenchSeconds(0).withOutput(out, true);
  }

  @Test
  void theWallLandsWhereTheThinOutputBreaks() throws Exception {
    Path out = dir.resolve("sweep");
    SweepResult r = Compiler.sweep(request(out));
    assertNotNull(r.wall(), "the thin output breaks");
    assertEquals(0.7, r.wall().level(), 1e-9, r.wall().toString());
    assertEquals(builtToBreak().outputs().get(1).name(), r.wall().weakestTrack(), "the thin output is the weakest at the wall");
    assertTrue(r.wall().weakestAtWall() < 0.97, "thin output's cosine at the wall: " + r.wall().weakestAtWall());
    assertNotNull(r.operatingPoint());
    assertEquals(0.6, r.operatingPoint().level(), 1e-9);
    assertTrue(r.operatingPoint().nextStepWeakestDrop() > 0.03, r.operatingPoint().statement());
    SweepResult.Candidate wall = r.find(r.wall().candidate()).orElseThrow();
    String wide = wall.tracks().stream().filter(t -> !t.name().equals(wall.weakestTrack())).findFirst().orElseThrow().name();
    double wideAtWall = wall.tracks().stream().filter(t -> t.name().equals(wide)).findFirst().orElseThrow().value();
    assertTrue(wideAtWall > 0.9999, "the wide output stays flat: " + wideAtWall);
    assertTrue(r.wall().signals().stream().anyMatch(s -> s.startsWith("gate fails")), r.wall().signals().toString());
    // the frontier of weakest against gzipped size: non-empty, by size, every point built
    assertFalse(r.paretoBySize().isEmpty());
    List<Long> sizes = r.paretoBySize().stream().map(id -> r.find(id).orElseThrow().gzipBytes()).toList();
    assertEquals(sizes.stream().sorted().toList(), sizes);
    assertTrue(r.paretoByCost().isEmpty(), "not timed: no cost frontier");
    // not built, with the reason
    SweepResult.Candidate unknown = r.find("fp32/tucker:0.5").orElseThrow();
    assertFalse(unknown.built());
    assertTrue(unknown.reason().startsWith("unknown compression"), unknown.reason());
    assertTrue(r.find("int8/none").orElseThrow().reason().contains("takes fp32 weights"));
    // sizes: pruning shows gzipped, not as stored
    SweepResult.Candidate base = r.find("fp32/none").orElseThrow();
    SweepResult.Candidate op = r.find(r.operatingPoint().candidate()).orElseThrow();
    assertTrue(op.gzipBytes() < base.gzipBytes(), op.gzipBytes() + " vs " + base.gzipBytes());

    // the files: sweep.json parses with its required fields, the csv has a row per candidate, the page is inline
    JsonNode json = new ObjectMapper().readTree(out.resolve("sweep.json").toFile());
    SweepSchema.check(json);
    assertEquals(r.wall().candidate(), json.path("wall").path("candidate").asText());
    assertEquals(12 + 1, Files.readAllLines(out.resolve("sweep.csv")).size());
    String html = Files.readString(out.resolve("envelope.html"));
    assertTrue(html.contains("<input type=\"range\" id=\"lever\""));
    assertFalse(html.contains("src=\"http") || html.contains("href=\"http"), "no network resources");
    assertTrue(Files.readString(out.resolve("envelope.svg")).contains("id=\"wall\""));
    try (var s = Files.list(out)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".staging")), "no staging left");
    }

    // a repeated sweep reads every built candidate from the cache and finds the same wall
    AtomicInteger cached = new AtomicInteger();
    SweepResult again = Compiler.sweep(request(out), new SweepListener() {
      @Override
      public void candidateFinished(int i, int n, SweepResult.Candidate c, boolean fromCache) {
        if (fromCache) {
          cached.incrementAndGet();
        }
      }
    });
    assertEquals(LEVELS.length, cached.get());
    assertEquals(r.wall().candidate(), again.wall().candidate());
  }

  @Test
  void anInterruptedSweepLeavesOnlyItsCacheAndResumes() throws Exception {
    Path out = dir.resolve("interrupted");
    RuntimeException stop = new RuntimeException("interrupted");
    RuntimeException thrown = assertThrows(RuntimeException.class, () -> Compiler.sweep(request(out), new SweepListener() {
      @Override
      public void candidateFinished(int i, int n, SweepResult.Candidate c, boolean fromCache) {
        if (i == 3) {
          throw stop;
        }
      }
    }));
    assertEquals(stop, thrown);
    try (var s = Files.list(out)) {
      assertEquals(List.of(".hwc-sweep", "cache"), s.map(p -> p.getFileName().toString()).sorted().toList(),
          "no results, no staging: only the marker and the finished candidates");
    }
    try (var s = Files.list(out.resolve("cache"))) {
      assertEquals(3, s.count());
    }
    AtomicInteger cached = new AtomicInteger();
    Compiler.sweep(request(out), new SweepListener() {
      @Override
      public void candidateFinished(int i, int n, SweepResult.Candidate c, boolean fromCache) {
        if (fromCache) {
          cached.incrementAndGet();
        }
      }
    });
    assertEquals(3, cached.get(), "the resumed sweep reuses what the interrupted one finished");
    assertTrue(Files.isRegularFile(out.resolve("sweep.json")));
  }

  @Test
  void aForeignFolderIsRefusedBeforeAnyWork() throws Exception {
    Path out = Files.createDirectories(dir.resolve("mine"));
    Files.writeString(out.resolve("notes.txt"), "keep");
    BadInputException e = assertThrows(BadInputException.class, () -> Compiler.sweep(request(out)));
    assertTrue(e.getMessage().contains("not a sweep's folder"), e.getMessage());
    assertEquals(List.of(out.resolve("notes.txt")), Files.list(out).toList());
  }

  /**
   * Each kind of pruning is its own series, and every series starts from its precision's uncompressed
   * candidate: a 2:4 entry alone beside the unstructured ones is judged against fp32/none, so its
   * broken thin output is that series' wall (it had none when it sat on a series of one).
   */
  @Test
  void eachPruningKindIsASeriesFromTheSameStart() throws Exception {
    List<SweepGrid.Entry> g = new ArrayList<>();
    g.add(SweepGrid.entry("fp32", "none"));
    g.add(SweepGrid.entry(Precision.FP32, null,
        new Compression(new Compression.Pruning(Compression.Kind.UNSTRUCTURED, 0.3, null, List.of()))));
    // 1:4 with no layer protected (both Gemms are first and last)
    g.add(SweepGrid.entry(Precision.FP32, null,
        new Compression(new Compression.Pruning(Compression.Kind.N_M, 0.75, null, List.of(), 4))));
    SweepResult r = Compiler.sweep(SweepRequest.of(ModelInput.graph(builtToBreak()), ProfileLoader.builtin("x86-fp32"))
        .withGrid(g).withBenchSeconds(0).withOutput(dir.resolve("kinds"), true));
    SweepResult.Series nm = r.series().stream().filter(x -> x.name().contains("n:m")).findFirst().orElseThrow();
    assertEquals("fp32/none", nm.candidates().get(0), nm.toString());
    assertEquals(2, nm.candidates().size(), nm.toString());
    assertEquals(nm.candidates().get(1), nm.wall(), "75% of the thin output's weights gone: " + nm);
    SweepResult.Series un = r.series().stream().filter(x -> x.name().equals("fp32 pruning")).findFirst().orElseThrow();
    assertEquals(List.of("fp32/none", "fp32/unstructured-0.30"), un.candidates());
  }

  /**
   * --jobs 2: the candidates are built in two child JVMs, and the sweep finds the same figures as one
   * built in this process, one after another (the same build code; only where it runs differs).
   */
  @Test
  void twoJobsInChildProcessesGiveTheSameFiguresAsOne() throws Exception {
    List<SweepGrid.Entry> g = new ArrayList<>();
    for (int i : new int[] {0, 6, 7, 8, 10, 11}) { // 0, 0.6, 0.7, 0.8; an unknown kind; int8 (illegal)
      g.add(grid().get(i));
    }
    SweepResult one = Compiler.sweep(request(dir.resolve("one")).withGrid(g));
    List<String> built = new ArrayList<>();
    SweepResult two = Compiler.sweep(request(dir.resolve("two")).withGrid(g).withJobs(2), new SweepListener() {
      @Override
      public void candidateBuilt(int done, int total, SweepResult.Candidate c, double eta) {
        built.add(c.id());
      }
    });
    assertEquals(4, built.size(), "the four buildable candidates were built by children: " + built);
    assertEquals(one.candidates().size(), two.candidates().size());
    for (int i = 0; i < one.candidates().size(); i++) {
      SweepResult.Candidate a = one.candidates().get(i);
      SweepResult.Candidate b = two.candidates().get(i);
      assertEquals(a.id(), b.id());
      assertEquals(a.built(), b.built(), a.id());
      assertEquals(a.reason(), b.reason(), a.id());
      assertEquals(a.tracks(), b.tracks(), a.id());
      assertEquals(a.weakest(), b.weakest(), a.id());
      assertEquals(a.aggregate(), b.aggregate(), a.id());
      assertEquals(a.passed(), b.passed(), a.id());
      assertEquals(a.bytes(), b.bytes(), a.id());
      assertEquals(a.gzipBytes(), b.gzipBytes(), a.id());
      assertEquals(a.outputs(), b.outputs(), a.id());
    }
    assertEquals(0.7, two.wall().level(), 1e-9);
    assertEquals(one.operatingPoint().candidate(), two.operatingPoint().candidate());
  }

  /**
   * A sweep with two jobs that stops while its children build (here: a listener that throws, the
   * path SIGINT takes through the same cleanup): its children are stopped, no staging folder is left,
   * the candidates finished so far are cached, and a resumed sweep reuses them.
   */
  @Test
  void aStoppedSweepWithTwoJobsLeavesNoChildrenAndNoStaging() throws Exception {
    Path out = dir.resolve("stopped");
    List<SweepGrid.Entry> g = grid().subList(0, 6);
    RuntimeException stop = new RuntimeException("stopped");
    RuntimeException thrown = assertThrows(RuntimeException.class, () -> Compiler.sweep(request(out).withGrid(g)
        .withJobs(2), new SweepListener() {
          @Override
          public void candidateBuilt(int done, int total, SweepResult.Candidate c, double eta) {
            if (done == 2) {
              throw stop;
            }
          }
        }));
    assertEquals(stop, thrown);
    List<ProcessHandle> children = ProcessHandle.current().descendants()
        .filter(p -> p.info().commandLine().orElse("").contains(SweepWorker.class.getName())).toList();
    assertEquals(List.of(), children, "no child builder outlives the sweep");
    try (var s = Files.list(out)) {
      assertEquals(List.of(".hwc-sweep", "cache"), s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    try (var s = Files.list(out.resolve("cache"))) {
      assertEquals(2, s.count(), "untimed: each candidate is cached as its child finishes");
    }
    AtomicInteger cached = new AtomicInteger();
    Compiler.sweep(request(out).withGrid(g).withJobs(2), new SweepListener() {
      @Override
      public void candidateFinished(int i, int n, SweepResult.Candidate c, boolean fromCache) {
        if (fromCache) {
          cached.incrementAndGet();
        }
      }
    });
    assertEquals(2, cached.get());
  }

  /**
   * Four Gemms 32 wide: the first and last the identity (kept whole, as first and last layers are),
   * the middle two rank 8 with equal singular values (and noise of 1e-6).
   */
  static Graph nearlyLowRank() {
    GraphBuilder b = new GraphBuilder("nearly_low_rank", 5);
    String x = b.input("x", 1, 32);
    for (int i = 0; i < 4; i++) {
      x = b.gemm(x, 32);
    }
    b.output(x);
    Graph g = b.build();
    Random rnd = new Random(5);
    Graph.Editor e = g.edit();
    List<PrunableWeights.Weight> ws = PrunableWeights.of(g);
    for (int l = 0; l < ws.size(); l++) {
      PrunableWeights.Weight w = ws.get(l);
      long[] sh = w.tensor().shape();
      int k = (int) sh[0];
      int n = (int) sh[1];
      double[] v = new double[k * n];
      if (l == 0 || l == ws.size() - 1) {
        for (int i = 0; i < k; i++) {
          v[i * n + i] = 1;
        }
      } else {
        double[][] u = orthonormal(rnd, 8, k);
        double[][] t = orthonormal(rnd, 8, n);
        for (int r = 0; r < 8; r++) {
          for (int i = 0; i < k; i++) {
            for (int j = 0; j < n; j++) {
              v[i * n + j] += u[r][i] * t[r][j];
            }
          }
        }
        for (int i = 0; i < v.length; i++) {
          v[i] += 1e-6 * rnd.nextGaussian() / Math.sqrt(n);
        }
      }
      e.putInitializer(w.name(), Tensor.fromDoubles(w.tensor().dtype(), sh, v));
    }
    return e.build();
  }

  /** m orthonormal vectors of length n (Gram-Schmidt on Gaussian ones). */
  private static double[][] orthonormal(Random rnd, int m, int n) {
    double[][] q = new double[m][];
    for (int a = 0; a < m; a++) {
      double[] u = unit(rnd, n);
      for (int b = 0; b < a; b++) {
        double d = 0;
        for (int i = 0; i < n; i++) {
          d += u[i] * q[b][i];
        }
        for (int i = 0; i < n; i++) {
          u[i] -= d * q[b][i];
        }
      }
      double norm = 0;
      for (double x : u) {
        norm += x * x;
      }
      for (int i = 0; i < n; i++) {
        u[i] /= Math.sqrt(norm);
      }
      q[a] = u;
    }
    return q;
  }

  private static double[] unit(Random rnd, int n) {
    double[] u = new double[n];
    double norm = 0;
    for (int i = 0; i < n; i++) {
      u[i] = rnd.nextGaussian();
      norm += u[i] * u[i];
    }
    for (int i = 0; i < n; i++) {
      u[i] /= Math.sqrt(norm);
    }
    return u;
  }

  /**
   * Low-rank levels are a series of their own along the energy dropped, from the precision's
   * uncompressed candidate: keeping 99% of each middle weight's energy (rank 8 of 32) is nearly
   * exact (it passes x86-fp32's gate) and smaller; keeping 80% (rank 7) drops an eighth of each
   * middle layer and the output breaks: the wall, with the operating point just before it.
   */
  @Test
  void lowRankLevelsAreASeries() throws Exception {
    Graph model = nearlyLowRank();
    assertTrue(SweepGrid.matMulHeavy(model));
    assertTrue(SweepGrid.defaults(ProfileLoader.builtin("x86-fp32"), model).stream()
        .anyMatch(x -> x.id().equals("fp32/lowrank-0.90")), "the default grid of a Gemm model has low-rank levels");
    List<SweepGrid.Entry> g = List.of(SweepGrid.entry("fp32", "none"), SweepGrid.entry("fp32", "lowrank:0.5"),
        SweepGrid.entry("fp32", "lowrank:0.99"), SweepGrid.entry("fp32", "lowrank:0.8"));
    SweepResult r = Compiler.sweep(SweepRequest.of(ModelInput.graph(model), ProfileLoader.builtin("x86-fp32"))
        .withGrid(g).withBenchSeconds(0).withOutput(dir.resolve("lowrank"), true));
    SweepResult.Series lr = r.series().stream().filter(x -> x.name().equals("fp32 low-rank")).findFirst().orElseThrow();
    assertEquals(List.of("fp32/none", "fp32/lowrank-0.99", "fp32/lowrank-0.80", "fp32/lowrank-0.50"), lr.candidates());
    SweepResult.Candidate none = r.find("fp32/none").orElseThrow();
    SweepResult.Candidate e99 = r.find("fp32/lowrank-0.99").orElseThrow();
    SweepResult.Candidate e50 = r.find("fp32/lowrank-0.50").orElseThrow();
    assertEquals(0.01, e99.level(), 1e-9, "level: the energy dropped");
    // the middle two of four 32 x 32 weights at rank 8: 2 x 512 + 2 x 1024 weights instead of 4 x 1024
    assertTrue(e99.bytes() < none.bytes() * 0.8, e99.bytes() + " vs " + none.bytes());
    assertTrue(e99.weakest() > 0.999, "rank 8 keeps a nearly rank-8 model: " + e99.weakest());
    assertTrue(e50.weakest() < e99.weakest(), "rank 4: " + e50.weakest());
    assertTrue(r.find("fp32/lowrank-0.80").orElseThrow().weakest() < 0.95, "rank 7 breaks it");
    assertEquals("fp32/lowrank-0.80", lr.wall(), lr + " " + r.candidates().stream().map(c -> c.id() + " "
        + c.weakest() + " " + c.verdict()).toList());
    assertEquals("fp32/lowrank-0.99", lr.operatingPoint());
    // fp32/none alone is no series of its own beside the one that starts from it: the headline is low-rank's
    assertEquals(List.of("fp32 low-rank"), r.series().stream().map(SweepResult.Series::name).toList());
    assertEquals("fp32/lowrank-0.80", r.wall().candidate());
    assertEquals("fp32/lowrank-0.99", r.operatingPoint().candidate());
  }

  @Test
  void gridFileEntries() throws Exception {
    Path f = dir.resolve("grid.yaml");
    Files.writeString(f, "precisions: [fp32, int8-static]\ncompression: [none, unstructured:0.5, 'sideways:0.5']\n"
        + "candidates:\n  - {precision: fp16, compression: 'unstructured:0.2:global'}\n");
    List<SweepGrid.Entry> g = SweepGrid.load(f);
    assertEquals(7, g.size());
    assertEquals("int8-static/unstructured-0.50", g.get(4).id());
    assertNotNull(g.get(2).problem(), "an unknown kind is reported, not built");
    assertNull(SweepGrid.entry("fp32", "2:4").problem(), "2:4 and channel pruning are known since issue 12");
    assertNull(SweepGrid.entry("int8", "channel:0.3").problem());
    SweepGrid.Entry lr = SweepGrid.entry("int8-dynamic", "lowrank:0.9");
    assertNull(lr.problem());
    assertEquals("int8-dynamic/lowrank-0.90", lr.id());
    assertEquals("int8-dynamic low-rank", lr.series());
    assertEquals(0.1, lr.level(), 1e-12);
    SweepGrid.Entry both = SweepGrid.entry("fp32", "unstructured:0.3+lowrank:0.9");
    assertEquals("fp32/unstructured-0.30+lowrank-0.90", both.id());
    assertEquals("fp32 pruning + low-rank 0.90", both.series());
    assertEquals(0.3, both.level(), 1e-12);
    assertNotNull(SweepGrid.entry("fp32", "lowrank:1.5").problem(), "kept energy above 1");
    assertNotNull(SweepGrid.entry("fp32", "lowrank:0.9+lowrank:0.8").problem());
    // pruned, then fine-tuned: a series of its own, its training inputs from the grid file's train:
    SweepGrid.Entry ft = SweepGrid.entry("int8-static", "channel:0.2+distill:400");
    assertNull(ft.problem());
    assertEquals(400, ft.compression().fineTune().steps());
    assertTrue(ft.compression().fineTune().distill());
    assertEquals("int8-static/channel-0.20+distill-400", ft.id());
    assertEquals("int8-static channel pruning + distill-400", ft.series());
    assertEquals(0.2, ft.level(), 1e-12);
    assertFalse(SweepGrid.entry("fp32", "unstructured:0.5+finetune:50").compression().fineTune().distill());
    assertNotNull(SweepGrid.entry("fp32", "distill:400").problem(), "fine-tuning alone compresses nothing");
    assertNotNull(SweepGrid.entry("fp32", "channel:0.2+distill:x").problem());
    assertNotNull(SweepGrid.entry("fp32", "channel:0.2+distill:10+finetune:10").problem());
    Files.createDirectories(dir.resolve("strips"));
    Files.writeString(f, "candidates:\n  - {precision: int8, compression: 'channel:0.2+distill:40'}\n"
        + "  - {precision: int8, compression: 'channel:0.2'}\ntrain: strips\n");
    List<SweepGrid.Entry> trained = SweepGrid.load(f);
    assertEquals(dir.resolve("strips").toAbsolutePath().normalize(), trained.get(0).compression().fineTune().train());
    assertNull(trained.get(1).compression().fineTune());
    Files.writeString(f, "candidates:\n  - {precision: int8, compression: 'channel:0.2+distill:40'}\ntrain: nowhere\n");
    assertThrows(BadInputException.class, () -> SweepGrid.load(f));
    Files.writeString(f, "precision: [fp32]\n");
    assertThrows(BadInputException.class, () -> SweepGrid.load(f));
    // default grids: >= 12 candidates per legal precision, the illegal ones kept to be reported; no low-rank
    // levels for a convolutional model
    GraphBuilder cb = new GraphBuilder("convs", 5);
    cb.output(cb.conv(cb.relu(cb.conv(cb.input("x", 1, 3, 16, 16), 8, 3, 1)), 8, 3, 1));
    Graph convs = cb.build();
    assertFalse(SweepGrid.matMulHeavy(convs));
    assertEquals(SweepGrid.defaults(ProfileLoader.builtin("x86-int8")),
        SweepGrid.defaults(ProfileLoader.builtin("x86-int8"), convs));
    assertEquals(2 * SweepGrid.DEFAULT_LEVELS.length + 1, SweepGrid.defaults(ProfileLoader.builtin("x86-int8")).size());
    assertEquals(SweepGrid.DEFAULT_LEVELS.length + 2, SweepGrid.defaults(ProfileLoader.builtin("edgetpu")).size());
  }
}

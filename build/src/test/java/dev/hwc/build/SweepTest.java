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
    g.add(SweepGrid.entry("fp32", "lowrank:0.5")); // a kind this hwc does not know: reported, not built
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
    SweepResult.Candidate unknown = r.find("fp32/lowrank:0.5").orElseThrow();
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
    Files.writeString(f, "precision: [fp32]\n");
    assertThrows(BadInputException.class, () -> SweepGrid.load(f));
    // default grids: >= 12 candidates per legal precision, the illegal ones kept to be reported
    assertEquals(2 * SweepGrid.DEFAULT_LEVELS.length + 1, SweepGrid.defaults(ProfileLoader.builtin("x86-int8")).size());
    assertEquals(SweepGrid.DEFAULT_LEVELS.length + 2, SweepGrid.defaults(ProfileLoader.builtin("edgetpu")).size());
  }
}

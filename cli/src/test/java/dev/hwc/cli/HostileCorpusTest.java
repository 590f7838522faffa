package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile files through {@code inspect} and {@code build}, each a case that once hung, ran out of memory,
 * ended in an internal error (exit 3) or was silently accepted: every one must now exit 2 with one stderr
 * line, no stack trace, no output folder and no other file changed. The files come from
 * {@link HostileFiles}; the fuzzers' findings join this list.
 */
class HostileCorpusTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result hwc(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = assertTimeoutPreemptively(LIMIT,
        () -> Hwc.run(new PrintWriter(out, true), new PrintWriter(err, true), args), "hwc hung: " + List.of(args));
    return new Result(code, out.toString(), err.toString());
  }

  /** Exit 2, one stderr line that mentions {@code mention}, no Java trace. */
  static void assertBadInput(Result r, String mention) {
    assertEquals(2, r.code(), r.out() + r.err());
    List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, lines.size(), "one stderr line, got:\n" + r.err());
    assertTrue(lines.get(0).startsWith("hwc: error: "), r.err());
    assertTrue(r.err().contains(mention), "expected '" + mention + "' in: " + r.err());
    assertFalse(r.err().contains("\tat ") || r.err().contains("internal error"), r.err());
  }

  /** Every file under the test folder with its size and modification time. */
  private Map<String, String> snapshot() throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        boolean special = !Files.isRegularFile(p) && !Files.isDirectory(p);
        m.put(dir.relativize(p).toString(), special ? "special" : Files.isDirectory(p) ? "dir"
            : Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return m;
  }

  /** inspect and build (for each target) refuse {@code model}; nothing is left behind or changed. */
  private void refusedEverywhere(Path model, String mention, String... targets) throws Exception {
    Map<String, String> before = snapshot();
    assertBadInput(hwc("inspect", model.toString()), mention);
    for (String target : targets) {
      Path out = dir.resolve("out-" + target);
      assertBadInput(hwc("build", "--target", target, "--bench-seconds", "0", model.toString(), "-o", out.toString()),
          mention);
      assertFalse(Files.exists(out), "no output folder after a refused build");
    }
    assertEquals(before, snapshot(), "the build changed files outside -o (or left a staging folder)");
  }

  private Path write(String name, byte[] bytes) throws Exception {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.write(p, bytes);
    return p;
  }

  @Test
  void graphsWithoutNodesInputsOrOutputs() throws Exception {
    refusedEverywhere(write("m1/nonodes.onnx", HostileFiles.noNodes()), "no nodes", "x86-fp32");
    refusedEverywhere(write("m2/noinputs.onnx", HostileFiles.noInputs()), "no inputs", "x86-fp32");
    refusedEverywhere(write("m3/nooutputs.onnx", HostileFiles.noOutputs()), "no outputs", "x86-fp32");
  }

  @Test
  void inputsWhoseSizeOverflows() throws Exception {
    long big = 1L << 31;
    refusedEverywhere(write("m1/bigdims.onnx", HostileFiles.hugeInput(big, big)), "is too large", "x86-fp32", "x86-int8");
    refusedEverywhere(write("m2/overflow.onnx", HostileFiles.hugeInput(1L << 32, 1L << 32, 1L << 32)), "is too large",
        "x86-fp32");
  }

  @Test
  void anInputJustOverWhatAnArrayHoldsIsRefusedBeforeRandomSamples() throws Exception {
    // 2^31 x 2 floats: the count fits 64 bits, the samples do not fit a Java array
    refusedEverywhere(write("m/wide.onnx", HostileFiles.hugeInput(1L << 31, 2)), "is too large", "x86-fp32");
  }

  @Test
  void macCountThatOverflowsIsNotZero() throws Exception {
    Path model = write("m/mm.onnx", HostileFiles.hugeMatMul());
    Result r = hwc("inspect", model.toString());
    assertBadInput(r, "MAC count");
    assertFalse(r.out().contains("MACs 0"), r.out());
  }

  @Test
  void initializerShadowingTheOnlyInputIsRefused() throws Exception {
    refusedEverywhere(write("m/shadow.onnx", HostileFiles.inputShadowedByInitializer()), "shadowed by an initializer",
        "x86-fp32");
  }

  @Test
  void nonFiniteWeightsAreRefusedForQuantizingTargetsByName() throws Exception {
    Path model = write("m/nan.onnx", HostileFiles.nonFiniteWeights());
    // with calibration data the quantizer was reached and failed with "scale must be ... got NaN" (exit 3)
    Path calib = Files.createDirectories(dir.resolve("calib"));
    float[] x = {-1, -0.5f, 0, 0.5f, 1, 1.5f, 2, 2.5f};
    dev.hwc.compiler.data.Npy.writeNpz(calib.resolve("s1.npz"),
        Map.of("x", dev.hwc.compiler.ir.Tensor.ofFloats(new long[] {1, 8}, x)));
    Map<String, String> before = snapshot();
    for (String target : List.of("x86-int8", "edgetpu")) {
      Path out = dir.resolve("out-" + target);
      Result r = hwc("build", "--target", target, "--bench-seconds", "0", "--calib", calib.toString(), model.toString(),
          "-o", out.toString());
      assertBadInput(r, "initializer 'scale_w' has 2 NaN/Inf values of 8");
      assertFalse(Files.exists(out));
    }
    assertEquals(before, snapshot());
  }

  @Test
  void externalDataSymlinkLoopIsOneLine() throws Exception {
    Path m = Files.createDirectories(dir.resolve("m"));
    Files.createSymbolicLink(m.resolve("a.bin"), Path.of("b.bin"));
    Files.createSymbolicLink(m.resolve("b.bin"), Path.of("a.bin"));
    refusedEverywhere(write("m/loop.onnx", HostileFiles.externalWeights("a.bin", 0)), "symlink loop", "x86-fp32");
  }

  @Test
  void externalDataOffsetPastTheEndShowsNoNegativeLength() throws Exception {
    write("m/w.bin", new byte[32]);
    Path model = write("m/far.onnx", HostileFiles.externalWeights("w.bin", 100));
    Result r = hwc("inspect", model.toString());
    assertBadInput(r, "out of range");
    assertFalse(r.err().matches("(?s).*length -\\d.*"), r.err());
  }

  @Test
  void externalDataThatIsAFifoIsNotOpened() throws Exception {
    Path m = Files.createDirectories(dir.resolve("m"));
    assumeTrue(HostileFiles.mkfifo(m.resolve("w.bin")), "mkfifo");
    refusedEverywhere(write("m/fifo.onnx", HostileFiles.externalWeights("w.bin", 0)), "FIFO", "x86-fp32");
  }

  @Test
  void profileThatIsAFifoOrADeviceDoesNotHangOrFlood() throws Exception {
    Path fifo = dir.resolve("p.yaml");
    assumeTrue(HostileFiles.mkfifo(fifo), "mkfifo");
    assertBadInput(hwc("targets", "--profile", fifo.toString()), "FIFO");
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero));
    assertBadInput(hwc("targets", "--profile", zero.toString()), "character device");
    Path link = dir.resolve("zero.yaml");
    Files.createSymbolicLink(link, zero);
    assertBadInput(hwc("targets", "--profile", link.toString()), "character device");
    assertBadInput(hwc("inspect", "--profile", link.toString(), write("m/relu.onnx", HostileFiles.relu()).toString()),
        "character device");
  }

  @Test
  void calibrationFolderWithAFifoNamedNpz() throws Exception {
    Path model = write("m/relu.onnx", HostileFiles.relu());
    Path calib = Files.createDirectories(dir.resolve("calib"));
    assumeTrue(HostileFiles.mkfifo(calib.resolve("x.npz")), "mkfifo");
    Map<String, String> before = snapshot();
    Path out = dir.resolve("out");
    assertBadInput(hwc("build", "--target", "x86-int8", "--bench-seconds", "0", "--calib", calib.toString(),
        model.toString(), "-o", out.toString()), "FIFO");
    assertFalse(Files.exists(out));
    assertEquals(before, snapshot());
  }

  @Test
  void npyHeaderWhoseShapeOverflows() throws Exception {
    Path model = write("m/relu.onnx", HostileFiles.relu());
    Path calib = Files.createDirectories(dir.resolve("calib"));
    write("calib/x.npy", HostileFiles.npyHeader("<f4", "4294967296, 4294967296, 4294967296"));
    Map<String, String> before = snapshot();
    Path out = dir.resolve("out");
    assertBadInput(hwc("build", "--target", "x86-int8", "--bench-seconds", "0", "--calib", calib.toString(),
        model.toString(), "-o", out.toString()), "too large");
    assertFalse(Files.exists(out));
    assertEquals(before, snapshot());
  }

  @Test
  void profileTakingABuiltinIdNeedsOverride() throws Exception {
    Path p = dir.resolve("mine.yaml");
    Files.writeString(p, HostileFiles.profileText("x86-fp32").replace("description: x86-64 CPU via ONNX Runtime; plain fp32 ONNX",
        "description: my own x86"));
    assertBadInput(hwc("targets", "--profile", p.toString()), "mine.yaml:4: id 'x86-fp32' is a built-in target");
    Result ok = hwc("targets", "--profile", p.toString(), "--override-builtin");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.err().contains("replaces the built-in target 'x86-fp32'"), ok.err());
    assertTrue(ok.out().contains("my own x86"), ok.out());
  }

  @Test
  void unknownOpNameInAProfileIsRefused() throws Exception {
    Path p = dir.resolve("typo.yaml");
    Files.writeString(p, HostileFiles.profileText("typo-cpu").replace("  Relu: {}", "  Relux: {}"));
    assertBadInput(hwc("targets", "--profile", p.toString()), "'Relux' is not an op hwc knows; did you mean 'Relu'?");
  }

  @Test
  void controlCharactersInAProfileIdAreEscaped() throws Exception {
    Path p = dir.resolve("esc.yaml");
    Files.writeString(p, HostileFiles.profileText("\"x\\e[31mred\\a\"")); // YAML escapes: ESC and BEL
    Result r = hwc("targets", "--profile", p.toString());
    assertBadInput(r, "\\x1b[31mred\\x07");
    assertFalse(r.err().chars().anyMatch(c -> c < 0x20 && c != '\n'), "raw control characters in: " + r.err());
  }

  @Test
  void controlCharactersInModelNamesAreEscapedInInspect() throws Exception {
    byte[] m = HostileFiles.model(ai.onnx.proto.OnnxMl.GraphProto.newBuilder()
        .addInput(HostileFiles.floatInput("x\u001b[2J", 1, 8)).addOutput(HostileFiles.floatInput("y", 1, 8))
        .addNode(HostileFiles.node("Relu", "relu", "x\u001b[2J", "y"))).toByteArray();
    Result r = hwc("inspect", write("m/esc.onnx", m).toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("x\\x1b[2J"), r.out());
    assertFalse(r.out().contains("\u001b"), "raw ESC in: " + r.out());
  }

  @Test
  void fuzzerSeedsOfTheCorpusStayBadInput() throws Exception {
    // the seeds committed for the ONNX fuzzer that are hostile (see OnnxReaderFuzzTestInputs) go through the CLI too
    Path seeds = Path.of("src/test/resources/dev/hwc/cli/fuzz/OnnxReaderFuzzTestInputs/fuzz");
    assumeTrue(Files.isDirectory(seeds));
    List<Path> hostile = new ArrayList<>();
    try (Stream<Path> s = Files.list(seeds)) {
      s.filter(p -> p.getFileName().toString().startsWith("hostile-")).sorted().forEach(hostile::add);
    }
    assertFalse(hostile.isEmpty());
    for (Path seed : hostile) {
      Path model = write("s/" + seed.getFileName() + ".onnx", Files.readAllBytes(seed));
      Result r = hwc("inspect", model.toString());
      assertEquals(2, r.code(), seed + ": " + r.out() + r.err());
      assertEquals(1, r.err().lines().filter(l -> !l.isBlank()).count(), seed + ": " + r.err());
    }
  }

  @Test
  void npzArchivesTheFuzzerFoundAreOneLineInACalibrationFolder() throws Exception {
    // broken zip entries (names that are not UTF-8, archives that end inside an entry) once escaped as
    // IllegalArgumentException / EOFException
    Path seeds = Path.of("src/test/resources/dev/hwc/cli/fuzz/NpyReaderFuzzTestInputs/fuzz");
    assumeTrue(Files.isDirectory(seeds));
    List<Path> found;
    try (Stream<Path> s = Files.list(seeds)) {
      found = s.filter(p -> p.getFileName().toString().startsWith("finding-")).sorted().limit(6).toList();
    }
    assertFalse(found.isEmpty());
    Path model = write("m/relu.onnx", HostileFiles.relu());
    for (Path seed : found) {
      Path calib = dir.resolve("calib-" + seed.getFileName());
      write(calib.getFileName() + "/x.npz", Files.readAllBytes(seed));
      Path out = dir.resolve("out");
      Result r = hwc("build", "--target", "x86-int8", "--bench-seconds", "0", "--calib", calib.toString(),
          model.toString(), "-o", out.toString());
      assertBadInput(r, "x.npz");
      assertFalse(Files.exists(out));
    }
  }
}

package dev.hwc.cli.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.cli.Hwc;
import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The command-line layer: {@code Hwc.run} with fuzzed arguments over a small fixed world (a tiny model, a
 * truncated one, good and bad profiles, a calibration folder) in a temporary folder. Arguments are drawn from
 * a vocabulary of subcommands, flags and values, plus free tokens restricted to harmless characters (no
 * '/', no leading '-', no '@'), so nothing can name a path outside the folder; every build gets an
 * {@code --output=} inside it and {@code --bench-seconds=0}. Property: exit 0, or exit 1/2 with one stderr
 * line (besides an --override-builtin note); never exit 3, never a stack trace, nothing written to the
 * working folder. The bench and lab subcommands are left out (child JVMs; lab writes beside the working
 * folder by default).
 */
public class CliArgsFuzzTest {
  private static final Path DIR = FuzzProperty.tempDir("hwc-fuzz-cli");
  private static final List<String> VOCAB = new ArrayList<>();

  static {
    try {
      setUp();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void setUp() throws IOException {
    Graph g = Graph.Editor.empty("tiny", 17)
        .addNode(new Node("relu", "Relu", List.of("x"), List.of("y"), Attributes.EMPTY))
        .build();
    Graph.Editor e = g.edit();
    e.inputs().add(new Value("x", DType.FLOAT, Shape.of(1, 8)));
    e.outputs().add(new Value("y", DType.FLOAT, Shape.of(1, 8)));
    byte[] model = new OnnxEmitter().toBytes(e.build());
    Files.write(DIR.resolve("tiny.onnx"), model);
    Files.write(DIR.resolve("cut.onnx"), java.util.Arrays.copyOf(model, model.length / 2));
    Files.createDirectories(DIR.resolve("calib"));
    float[] x = new float[8];
    for (int i = 0; i < 8; i++) {
      x[i] = i - 3.5f;
    }
    Npy.writeNpz(DIR.resolve("calib/s1.npz"), Map.of("x", Tensor.ofFloats(new long[] {1, 8}, x)));
    String builtin;
    try (var in = CliArgsFuzzTest.class.getClassLoader().getResourceAsStream("profiles/x86-fp32.yaml")) {
      builtin = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Files.writeString(DIR.resolve("mine.yaml"), builtin.replace("id: x86-fp32", "id: fuzz-cpu"));
    Files.writeString(DIR.resolve("same.yaml"), builtin);
    Files.writeString(DIR.resolve("bad.yaml"), "id: [\n");
    VOCAB.addAll(List.of("targets", "inspect", "build", "--help", "--version", "help", "--json", "--force",
        "--target", "x86-fp32", "x86-int8", "edgetpu", "cuda-fp16", "fuzz-cpu", "no-such",
        "--shape", "x=1x8", "x=1x8x", "x=0x8", "x=2147483648x2147483648", "y=1",
        "--precision", "fp32", "int8", "fp16", "--calibration", "minmax", "entropy", "mse", "percentile",
        "--scheme", "auto", "--min-cosine", "0.99", "-1", "NaN", "--min-iou", "2", "--samples", "0", "1", "--samples=-3",
        "--keep-float", "relu", "--io-layout", "nchw", "--io-type", "int8", "--output-kind", "y=mask", "y=curve",
        "--require-speedup", "--override-builtin", "--bench-seconds", "0.5",
        path("tiny.onnx"), path("cut.onnx"), path("missing.onnx"), path("calib"), path("calib/s1.npz"),
        "--calib", "--eval", "--profile", path("mine.yaml"), path("same.yaml"), path("bad.yaml"),
        "--profile=" + path("mine.yaml"), "--output=" + path("out2"), "--calib=" + path("calib")));
  }

  private static String path(String name) {
    return DIR.resolve(name).toString();
  }

  /** Entry point of Jazzer's standalone driver (bench/fuzz.sh). */
  public static void fuzzerTestOneInput(FuzzedDataProvider data) {
    List<String> args = new ArrayList<>();
    int n = data.consumeInt(0, 10);
    for (int i = 0; i < n; i++) {
      int pick = data.consumeInt(0, VOCAB.size());
      args.add(pick < VOCAB.size() ? VOCAB.get(pick) : freeToken(data.consumeString(16)));
    }
    if (args.contains("build")) {
      if (args.stream().noneMatch(a -> a.endsWith(".onnx"))) {
        args.add(path("tiny.onnx")); // not the bundled example: seconds per input
      }
      args.add("--output=" + path("out"));
      args.add("--bench-seconds=0");
    }
    boolean hadHwcOut = Files.exists(Path.of("hwc-out"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try {
      code = Hwc.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
    } finally {
      FuzzProperty.deleteQuietly(DIR.resolve("out"));
      FuzzProperty.deleteQuietly(DIR.resolve("out2"));
    }
    String e = err.toString();
    if (code == Hwc.INTERNAL_ERROR || code < 0 || code > 3) {
      throw new AssertionError("exit " + code + " for " + args + ": " + e);
    }
    if (e.contains("\tat ") || e.contains("Exception in thread")) {
      throw new AssertionError("stack trace for " + args + ": " + e);
    }
    boolean usage = code == Hwc.BAD_INPUT && e.isBlank() && out.toString().startsWith("Usage: hwc");
    if (code != Hwc.OK && !usage) { // plain `hwc` prints its usage and exits 2
      long lines = e.lines().filter(l -> !l.isBlank() && !l.startsWith("hwc: note:")).count();
      if (lines != 1) {
        throw new AssertionError("exit " + code + " with " + lines + " stderr lines for " + args + ":\n" + e);
      }
    }
    if (!hadHwcOut && Files.exists(Path.of("hwc-out"))) {
      throw new AssertionError("wrote hwc-out/ in the working folder for " + args);
    }
  }

  /** A fuzzed token that cannot be an option, an @file or a path with folders. */
  private static String freeToken(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (Character.isLetterOrDigit(c) || "=x.,:_+ \t\u0007\u001b".indexOf(c) >= 0 || c == '-' && b.length() > 0) {
        b.append(c);
      }
    }
    return b.length() == 0 ? "z" : b.toString();
  }

  @FuzzTest(maxDuration = "30s")
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void fuzz(FuzzedDataProvider data) {
    fuzzerTestOneInput(data);
  }
}

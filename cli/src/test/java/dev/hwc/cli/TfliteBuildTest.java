package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.zoo.SmallModels;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hwc build} for the TFLite targets end to end: the Edge TPU's full-integer model with its
 * mapping report, a model the Edge TPU splits, fp16 TFLite, and a model the TFLite backend cannot
 * lower yet. Every artifact is checked on the TFLite interpreter against the ONNX source.
 */
class TfliteBuildTest {
  @TempDir Path dir;

  private Path model(String name, Graph g) throws Exception {
    Path m = dir.resolve(name + ".onnx");
    new OnnxEmitter().emit(g, m);
    return m;
  }

  private Path calib(String name, Graph g, int n) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    SampleSet s = SampleSet.random(g.inputs(), n, 3);
    for (int i = 0; i < s.size(); i++) {
      Npy.writeNpz(d.resolve(String.format("s%03d.npz", i)), s.get(i));
    }
    return d;
  }

  /** {@code hwc build --target edgetpu} of a model calibrated on n seeded samples; must succeed. */
  private CliTest.Result edgeTpuBuild(String name, Graph g, int n) throws Exception {
    Path out = dir.resolve(name + "-edgetpu");
    CliTest.Result r = CliTest.hwc("build", "--target", "edgetpu", model(name, g).toString(), "--calib",
        calib(name + "-calib", g, n).toString(), "--bench-seconds", "0", "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    return r;
  }

  private JsonNode read(String name, String file) throws Exception {
    return new ObjectMapper().readTree(dir.resolve(name + "-edgetpu").resolve(file).toFile());
  }

  @Test
  void unetBuildsForTheEdgeTpuWithEveryMacMappedAndNoTranspose() throws Exception {
    CliTest.Result r = edgeTpuBuild("unet", SmallModels.unetLike(7), 40);
    assertTrue(Files.isRegularFile(dir.resolve("unet-edgetpu").resolve("unet_int8.tflite")));
    JsonNode tpu = read("unet", "edgetpu-report.json");
    // every op but the final channel Softmax ([1,64,32,3]: Coral's Softmax takes 1-D input only)
    assertEquals(tpu.get("opsTotal").asInt() - 1, tpu.get("opsOnTpu").asInt(), tpu.toPrettyString());
    assertEquals("SOFTMAX", tpu.get("ops").get(tpu.get("splitIndex").asInt()).get("builtin").asText());
    assertEquals(1.0, tpu.get("tpuMacShare").asDouble());
    for (JsonNode op : tpu.get("ops")) {
      assertFalse(op.get("builtin").asText().equals("TRANSPOSE"), "no TRANSPOSE: " + op);
    }
    JsonNode report = read("unet", "report.json");
    assertEquals("tflite", report.get("artifact").get("format").asText());
    assertEquals("tflite", report.get("artifact").get("checkedOn").asText());
    for (JsonNode o : report.get("fidelity").get("outputs")) {
      System.out.println("edgetpu unet output " + o.get("output") + ": cosine " + o.get("cosine") + ", IoU " + o.get("iou"));
      assertTrue(o.get("cosine").asDouble() >= 0.99, o.toString());
    }
    assertTrue(r.out().contains("edgetpu_compiler"), r.out());
  }

  /** Conv -> PRelu (per-channel slope) -> Conv: what inspect says each TFLite target runs, the build runs. */
  @Test
  void convPreluIsSupportedByInspectAndBuildAlike() throws Exception {
    dev.hwc.compiler.GraphBuilder b = new dev.hwc.compiler.GraphBuilder("conv_prelu", 5);
    String x = b.conv(b.input("image", 1, 3, 16, 16), 8, 3, 1);
    String slope = b.constant("slope", dev.hwc.compiler.ir.Tensor.ofFloats(new long[] {8, 1, 1},
        0.1f, 0.2f, 0.3f, -0.1f, 0.05f, 0.25f, 0.15f, 0.4f));
    x = b.node("PRelu", dev.hwc.compiler.ir.Attributes.EMPTY, x, slope);
    Graph g = b.output(b.conv(x, 4, 3, 1)).build();
    Path m = model("prelu", g);
    CliTest.Result i = CliTest.hwc("inspect", "--json", "--target", "arm64-int8,edgetpu", m.toString());
    assertEquals(0, i.code(), i.err());
    for (JsonNode t : new ObjectMapper().readTree(i.out()).get("legality")) {
      assertEquals(0, t.get("unsupported").asLong(), t.toString());
      assertEquals(0, t.get("cpuAfterPartition").asLong(), t.toString());
      assertTrue(t.get("supported").asLong() >= 3, t.toString());
    }
    edgeTpuBuild("prelu", g, 16);
    JsonNode tpu = read("prelu", "edgetpu-report.json");
    assertEquals(-1, tpu.get("splitIndex").asInt(), tpu.toString());
    assertEquals(tpu.get("opsTotal").asInt(), tpu.get("opsOnTpu").asInt());
    boolean prelu = false;
    for (JsonNode op : tpu.get("ops")) {
      prelu |= op.get("builtin").asText().equals("PRELU");
    }
    assertTrue(prelu, tpu.toString());
    Path arm = dir.resolve("prelu-arm");
    CliTest.Result r = CliTest.hwc("build", "--target", "arm64-int8", m.toString(), "--calib",
        calib("prelu-arm-calib", g, 16).toString(), "--bench-seconds", "0", "-o", arm.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode f = new ObjectMapper().readTree(arm.resolve("report.json").toFile()).get("fidelity");
    assertTrue(f.get("passed").asBoolean(), f.toString());
  }

  @Test
  void depthwiseSeparableMapsEntirelyToTheEdgeTpu() throws Exception {
    edgeTpuBuild("dw", SmallModels.depthwiseSeparable(7), 30);
    JsonNode tpu = read("dw", "edgetpu-report.json");
    assertEquals(tpu.get("opsTotal").asInt(), tpu.get("opsOnTpu").asInt(), tpu.toPrettyString());
    assertEquals(-1, tpu.get("splitIndex").asInt());
    JsonNode report = read("dw", "report.json");
    for (JsonNode o : report.get("fidelity").get("outputs")) {
      assertTrue(o.get("cosine").asDouble() >= 0.99, o.toString());
    }
  }

  @Test
  void anUnsupportedOpInTheMiddleIsTheSplitPoint() throws Exception {
    CliTest.Result r = edgeTpuBuild("leaky", SmallModels.leakyReluInTheMiddle(5), 30);
    JsonNode tpu = read("leaky", "edgetpu-report.json");
    int split = tpu.get("splitIndex").asInt();
    JsonNode at = tpu.get("ops").get(split);
    assertEquals("LEAKY_RELU", at.get("builtin").asText(), tpu.toPrettyString());
    assertEquals(split, tpu.get("opsOnTpu").asInt(), "every op before the split is on the TPU, none after");
    double share = tpu.get("tpuMacShare").asDouble();
    System.out.println("split at op " + split + " (" + at.get("origin").asText() + "), MAC share on TPU " + share);
    assertTrue(share > 0.1 && share < 0.9, "the first two convs carry part of the MACs: " + share);
    assertTrue(r.out().contains("LEAKY_RELU"), r.out());
  }

  /** HardSwish is not on Coral's list, but Add, RELU6 and Mul are: the build spells it out and nothing splits. */
  @Test
  void hardSwishIsSpelledOutForTheEdgeTpu() throws Exception {
    edgeTpuBuild("hswish", SmallModels.hardSwishInTheMiddle(5), 30);
    JsonNode tpu = read("hswish", "edgetpu-report.json");
    assertEquals(-1, tpu.get("splitIndex").asInt(), tpu.toPrettyString());
    assertEquals(tpu.get("opsTotal").asInt(), tpu.get("opsOnTpu").asInt());
    for (JsonNode op : tpu.get("ops")) {
      assertFalse(op.get("builtin").asText().equals("HARD_SWISH"), "no HARD_SWISH: " + op);
    }
  }

  /**
   * A MobileNetV3-style model as converters export it (spelled-out hard swish, HardSigmoid gates,
   * squeeze-excite, a standalone BatchNormalization, division by 6): after hwc's passes every op
   * maps to the Edge TPU, and the int8 models for the Edge TPU and the arm64 CPU pass the gate on
   * the TFLite interpreter.
   */
  @Test
  void mobileNetV3AsExportedMapsFullyToTheEdgeTpuAndBuildsForArm() throws Exception {
    Graph g = dev.hwc.compiler.zoo.MobileNetV3Like.build(3);
    CliTest.Result r = edgeTpuBuild("mnv3", g, 40);
    JsonNode tpu = read("mnv3", "edgetpu-report.json");
    System.out.println("mobilenet-v3-like on edgetpu: " + tpu.get("opsOnTpu") + " of " + tpu.get("opsTotal")
        + " ops on the TPU, MAC share " + tpu.get("tpuMacShare"));
    assertEquals(-1, tpu.get("splitIndex").asInt(), tpu.toPrettyString());
    assertEquals(tpu.get("opsTotal").asInt(), tpu.get("opsOnTpu").asInt());
    assertEquals(1.0, tpu.get("tpuMacShare").asDouble());
    for (JsonNode op : tpu.get("ops")) {
      String builtin = op.get("builtin").asText();
      assertFalse(builtin.equals("TRANSPOSE") || builtin.equals("DIV") || builtin.equals("HARD_SWISH"), "op " + op);
    }
    JsonNode report = read("mnv3", "report.json");
    assertEquals("tflite", report.get("artifact").get("checkedOn").asText());
    for (JsonNode o : report.get("fidelity").get("outputs")) {
      System.out.println("edgetpu mobilenet-v3-like output " + o.get("output") + ": cosine " + o.get("cosine"));
      assertTrue(o.get("cosine").asDouble() >= 0.98, o.toString());
    }
    assertTrue(r.out().contains("no split"), r.out());

    Path out = dir.resolve("mnv3-arm");
    CliTest.Result arm = CliTest.hwc("build", "--target", "arm64-int8", model("mnv3", g).toString(), "--calib",
        dir.resolve("mnv3-calib").toString(), "--bench-seconds", "0", "-o", out.toString());
    assertEquals(0, arm.code(), arm.out() + arm.err());
    JsonNode armReport = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertEquals("tflite", armReport.get("artifact").get("checkedOn").asText());
    for (JsonNode o : armReport.get("fidelity").get("outputs")) {
      System.out.println("arm64-int8 mobilenet-v3-like output " + o.get("output") + ": cosine " + o.get("cosine"));
      assertTrue(o.get("cosine").asDouble() >= 0.98, o.toString());
    }
  }

  @Test
  void fp16TfliteForTheArmProfileStaysFaithful() throws Exception {
    Graph g = SmallModels.depthwiseSeparable(3);
    Path m = model("dw", g);
    Path out = dir.resolve("dw-fp16");
    CliTest.Result r = CliTest.hwc("build", "--target", "arm64-int8", "--precision", "fp16", m.toString(),
        "--bench-seconds", "0", "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    for (JsonNode o : report.get("fidelity").get("outputs")) {
      assertTrue(o.get("cosine").asDouble() >= 0.999, o.toString());
    }
    assertTrue(Files.size(out.resolve("dw_fp16.tflite")) < Files.size(m), "fp16 weights are smaller than the fp32 ONNX");
  }

  /**
   * A transformer-style additive mask, (1 - m) * float-min, calibrates to a range no int8 scale can
   * hold (and TFLite's int8 kernels abort on it): the layers writing or reading it stay float, the
   * rest is int8, and the build passes on the TFLite interpreter instead of crashing it.
   */
  @Test
  void maskSentinelsStayFloatInsteadOfCrashingTflite() throws Exception {
    dev.hwc.compiler.GraphBuilder b = new dev.hwc.compiler.GraphBuilder("masked_scores", 3);
    String x = b.input("x", 1, 16);
    String m = b.input("mask", 1, 16);
    String keepOut = b.node("Sub", dev.hwc.compiler.ir.Attributes.EMPTY,
        b.constant("one", dev.hwc.compiler.ir.Tensor.scalar(1f)), m);
    String bias = b.mul(keepOut, b.constant("float_min", dev.hwc.compiler.ir.Tensor.scalar(-3.4028235e38f)));
    b.output(b.softmax(b.add(b.gemm(b.relu(b.gemm(x, 32)), 16), bias), 1));
    Graph g = b.build();
    Path samples = Files.createDirectories(dir.resolve("masked-calib"));
    java.util.Random rnd = new java.util.Random(4);
    for (int i = 0; i < 30; i++) {
      float[] xs = new float[16];
      float[] ms = new float[16];
      for (int j = 0; j < 16; j++) {
        xs[j] = (float) rnd.nextGaussian();
        ms[j] = j < 4 + rnd.nextInt(12) ? 1 : 0; // attend to a prefix, like padded tokens
      }
      Npy.writeNpz(samples.resolve(String.format("s%03d.npz", i)), java.util.Map.of(
          "x", dev.hwc.compiler.ir.Tensor.ofFloats(new long[] {1, 16}, xs),
          "mask", dev.hwc.compiler.ir.Tensor.ofFloats(new long[] {1, 16}, ms)));
    }
    Path out = dir.resolve("masked-arm");
    CliTest.Result r = CliTest.hwc("build", "--target", "arm64-int8", model("masked", g).toString(), "--calib",
        samples.toString(), "--bench-seconds", "0", "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("ranges int8 cannot hold"), r.out());
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertTrue(report.get("fidelity").get("passed").asBoolean());
    Path edge = dir.resolve("masked-edgetpu");
    CliTest.Result e = CliTest.hwc("build", "--target", "edgetpu", model("masked2", g).toString(), "--calib",
        samples.toString(), "--bench-seconds", "0", "-o", edge.toString());
    assertEquals(2, e.code(), e.out() + e.err());
    assertTrue(e.err().contains("integer-only"), e.err());
    assertFalse(Files.exists(edge));
  }

  /**
   * all-MiniLM-L6-v2 for the ARM profile in fp32 TFLite (static 128-token inputs; the committed eval
   * sentences zero-padded, mask 0): every op lowers (Gather, GELU fused from Erf, BATCH_MATMUL, the
   * LayerNorm arithmetic) and the output matches ONNX Runtime. (int8: bench/RESULTS.md.)
   */
  /** all-MiniLM-L6-v2 and the first committed eval sentences zero-padded to 128 tokens (mask 0). */
  private Path[] miniLmWithPaddedSentences(int n) throws Exception {
    Path p = dir.resolve("all-minilm-l6-v2.onnx");
    if (!Files.exists(p)) {
      try (InputStream in = TfliteBuildTest.class.getResourceAsStream("/all-minilm-l6-v2.onnx")) {
        Files.copy(in, p);
      }
    }
    Path eval = Files.createDirectories(dir.resolve("eval128-" + n));
    Path corpus = Path.of("..", "bench", "minilm", "eval").toAbsolutePath().normalize();
    try (var files = Files.list(corpus)) {
      for (Path f : files.sorted().limit(n).toList()) {
        java.util.Map<String, dev.hwc.compiler.ir.Tensor> padded = new java.util.LinkedHashMap<>();
        Npy.readNpz(f).forEach((k, t) -> padded.put(k, dev.hwc.compiler.ir.Tensor.ofLongs(new long[] {1, 128},
            java.util.Arrays.copyOf(t.toLongs(), 128))));
        Npy.writeNpz(eval.resolve(f.getFileName()), padded);
      }
    }
    return new Path[] {p, eval};
  }

  /**
   * all-MiniLM-L6-v2 for the ARM profile in int8 by dynamic range (int8 FULLY_CONNECTED weights and
   * embedding table, float activations): a quarter of the fp32 file, faithful on every output.
   */
  @Test
  void miniLmBuildsForArmInInt8ByDynamicRange() throws Exception {
    Path[] m = miniLmWithPaddedSentences(8);
    Path out = dir.resolve("minilm-arm-int8");
    CliTest.Result r = CliTest.hwc("build", "--target", "arm64-int8", "--scheme", "dynamic", m[0].toString(),
        "--shape", "input_ids=1x128", "--shape", "attention_mask=1x128", "--shape", "token_type_ids=1x128",
        "--calib", m[1].toString(), "--eval", m[1].toString(), "--bench-seconds", "0", "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    Path artifact = out.resolve("all-minilm-l6-v2_int8.tflite");
    double size = (double) Files.size(artifact) / Files.size(m[0]);
    JsonNode o = new ObjectMapper().readTree(out.resolve("report.json").toFile()).get("fidelity").get("outputs").get(0);
    System.out.println("MiniLM dynamic-range int8 TFLite: " + String.format("%.3f", size) + " of fp32, cosine " + o.get("cosine"));
    assertTrue(size <= 0.30, "size ratio " + size);
    assertTrue(o.get("cosine").asDouble() >= 0.99, o.toString());
  }

  @Test
  void miniLmLowersToFp32TfliteAndMatchesOnnxRuntime() throws Exception {
    Path[] m = miniLmWithPaddedSentences(6);
    Path p = m[0];
    Path eval = m[1];
    Path out = dir.resolve("minilm-arm");
    CliTest.Result r = CliTest.hwc("build", "--target", "arm64-int8", "--precision", "fp32", p.toString(),
        "--shape", "input_ids=1x128", "--shape", "attention_mask=1x128", "--shape", "token_type_ids=1x128",
        "--eval", eval.toString(), "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode o = new ObjectMapper().readTree(out.resolve("report.json").toFile()).get("fidelity").get("outputs").get(0);
    System.out.println("MiniLM fp32 TFLite vs ONNX Runtime: max abs " + o.get("maxAbs") + ", cosine " + o.get("cosine"));
    assertTrue(o.get("maxAbs").asDouble() < 1e-4, o.toString());
  }
}

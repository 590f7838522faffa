package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled example (the trained well-log digitizer, examples/welllog) through {@code hwc build}:
 * per-mask figures on its bundled eval strips, and the weakest mask governing the gate.
 */
class WellLogExampleTest {
  @TempDir Path dir;

  private static JsonNode report(Path out) throws Exception {
    return new ObjectMapper().readTree(out.resolve("report.json").toFile());
  }

  @Test
  void defaultTargetReportsEveryMaskAndCurve() throws Exception {
    Path out = dir.resolve("example");
    CliTest.Result r = CliTest.hwc("build", "--target", "x86-fp32", "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("masks of 'masks'"), r.out());
    for (String mask : List.of("background", "curve1", "curve2")) {
      assertTrue(r.out().lines().anyMatch(l -> l.startsWith(mask + " ")), mask + " row missing:\n" + r.out());
    }
    JsonNode f = report(out).get("fidelity");
    assertEquals("the bundled example's eval strips", f.get("sampleSource").asText());
    assertEquals(8, f.get("samples").asInt());
    JsonNode masks = f.get("outputs").get(0);
    assertEquals("masks", masks.get("output").asText());
    assertEquals(3, masks.get("iou").size(), "one IoU per mask channel");
    for (JsonNode iou : masks.get("iou")) {
      assertEquals(1.0, iou.asDouble(), 1e-9, "fp32 artifact vs fp32 input model");
    }
    JsonNode curves = f.get("curves");
    assertEquals(2, curves.size());
    for (int i = 0; i < 2; i++) {
      JsonNode c = curves.get(i);
      assertEquals("curve" + (i + 1), c.get("channel").asText());
      assertEquals("ground truth", c.get("against").asText());
      assertTrue(c.get("r2").asDouble() > 0.9, c.toString());
      assertEquals(c.get("referenceR2").asDouble(), c.get("r2").asDouble(), 1e-12, c.toString());
      assertEquals(c.get("referenceFragments").asLong(), c.get("candidateFragments").asLong());
      assertFalse(c.get("fragmented").asBoolean());
    }
    assertTrue(f.get("passed").asBoolean());
  }

  /**
   * cuda-fp16: the attention scores (Q·Kᵀ, not scaled by the model) reach 2-3e5 on the eval strips
   * and overflow fp16 (max 65504), which made the masks NaN and failed curve 2 at IoU 0.61 (0.90 on
   * random samples). Their calibrated ranges keep those two MatMuls in fp32; every mask keeps IoU
   * above 0.99 against the fp32 model, on the eval strips and on seeded random samples.
   */
  @Test
  void fp16KeepsWhatOverflowsInFp32AndPassesItsGate() throws Exception {
    Path bundled = dir.resolve("fp16");
    Path explicit = dir.resolve("fp16-random");
    CliTest.Result a = CliTest.hwc("build", "--target", "cuda-fp16", "--bench-seconds", "0", "-o", bundled.toString());
    // the model alone (no eval/ beside it): checked on seeded random samples
    Path model = java.nio.file.Files.copy(Path.of("..", "examples", "welllog", "welllog.onnx"), dir.resolve("welllog.onnx"));
    CliTest.Result b = CliTest.hwc("build", "--target", "cuda-fp16", "--bench-seconds", "0", model.toString(),
        "-o", explicit.toString());
    for (CliTest.Result r : List.of(a, b)) {
      assertEquals(0, r.code(), r.out() + r.err());
      assertTrue(r.out().contains("kept in fp32 by their ranges") && r.out().contains("overflows fp16"), r.out());
      assertTrue(r.out().contains("matmul_58 (MatMul") && r.out().contains("matmul_77 (MatMul"), r.out());
    }
    for (Path out : List.of(bundled, explicit)) {
      JsonNode f = report(out).get("fidelity");
      assertTrue(f.get("passed").asBoolean());
      JsonNode masks = f.get("outputs").get(0);
      assertTrue(masks.get("cosine").asDouble() > 0.9999, masks.toString());
      assertEquals(3, masks.get("iou").size());
      for (JsonNode iou : masks.get("iou")) {
        assertTrue(iou.asDouble() > 0.99, out + ": per-mask IoU " + masks.get("iou"));
      }
    }
  }

  /**
   * int8 with the gate's IoU at 0.99: the all-int8 plan keeps the output's cosine above the gate
   * but loses the thinnest curve, so it is rejected on curve 2 alone; what ships is the first
   * fallback plan whose weakest mask meets the gate.
   */
  @Test
  void theWeakestMaskDecidesWhatShips() throws Exception {
    Path out = dir.resolve("int8");
    CliTest.Result r = CliTest.hwc("build", "--target", "x86-int8", "--scheme", "static", "--min-iou", "0.99",
        "--bench-seconds", "0", "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode rep = report(out);
    JsonNode allInt8 = rep.get("candidates").get(0);
    double minCosine = rep.get("fidelity").get("minCosine").asDouble();
    assertFalse(allInt8.get("passed").asBoolean(), allInt8.toString());
    assertTrue(allInt8.get("weakestCosine").asDouble() >= minCosine, "cosine alone would pass: " + allInt8);
    JsonNode iou = allInt8.get("outputs").get(0).get("iou");
    assertTrue(iou.get(2).asDouble() < 0.99 && iou.get(2).asDouble() < iou.get(0).asDouble(), "curve 2 is the weakest: " + iou);
    JsonNode chosen = rep.get("fidelity").get("outputs").get(0).get("iou");
    for (JsonNode v : chosen) {
      assertTrue(v.asDouble() >= 0.99, "every mask of the shipped plan meets the gate: " + chosen);
    }
    assertTrue(rep.get("fidelity").get("passed").asBoolean());
    assertTrue(rep.get("fidelity").get("curves").get(1).get("r2").asDouble() > 0.9);
  }

  /**
   * The bundled example for the Edge TPU: full-integer TFLite checked per mask on the TFLite
   * interpreter, and the mapping report naming where its attention bottleneck breaks the TPU
   * partition: no TRANSPOSE anywhere (the token reshapes keep channels last), so the split is the
   * attention's first op the TPU lacks. The segmented deployment beside it puts the decoder back on
   * the TPU, and its chain gives the single file's outputs byte for byte.
   */
  @Test
  void edgeTpuBuildReportsWhereTheAttentionBottleneckSplitsTheModel() throws Exception {
    Path out = dir.resolve("edgetpu");
    CliTest.Result r = CliTest.hwc("build", "--target", "edgetpu", "--bench-seconds", "0", "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode f = report(out).get("fidelity");
    for (JsonNode iou : f.get("outputs").get(0).get("iou")) {
      assertTrue(iou.asDouble() >= 0.9, "every mask survives int8: " + f.get("outputs"));
    }
    JsonNode tpu = new ObjectMapper().readTree(out.resolve("edgetpu-report.json").toFile());
    JsonNode split = tpu.get("ops").get(tpu.get("splitIndex").asInt());
    System.out.println("well-log on the Edge TPU: " + tpu.get("opsOnTpu") + " of " + tpu.get("opsTotal")
        + " ops, MAC share " + tpu.get("tpuMacShare") + ", split at " + split.get("builtin") + " for " + split.get("origin"));
    assertEquals("FULLY_CONNECTED", split.get("builtin").asText(), "past the token reshape: " + split);
    assertEquals("RESHAPE", tpu.get("ops").get(split.get("index").asInt() - 1).get("builtin").asText());
    for (JsonNode op : tpu.get("ops")) {
      assertFalse(op.get("builtin").asText().equals("TRANSPOSE"), "no TRANSPOSE: " + op);
    }
    for (JsonNode op : tpu.get("ops")) {
      if (op.get("builtin").asText().equals("BATCH_MATMUL")) { // MatMul's rule emits it, the TPU does not map it
        assertEquals("BATCH_MATMUL is not on the Edge TPU's supported list (from MatMul '" + op.get("origin").asText() + "')",
            op.get("reasons").get(0).asText());
      }
    }
    double share = tpu.get("tpuMacShare").asDouble();
    assertTrue(share > 0.2 && share < 0.8, "the encoder runs on the TPU, the rest on the CPU: " + share);

    // the segmented deployment: encoder and decoder on the TPU, the attention a CPU island
    JsonNode deploy = new ObjectMapper().readTree(out.resolve("deploy.json").toFile());
    assertEquals("hwc-deploy/1", deploy.get("schema").asText());
    assertTrue(deploy.get("tpuMacShare").asDouble() >= 0.9, deploy.get("tpuMacShare").asText());
    assertTrue(deploy.get("tpuSegments").asInt() >= 2 && deploy.get("tpuSegments").asInt() <= 3);
    assertEquals(share, deploy.get("singleFileTpuMacShare").asDouble());
    int ops = 0;
    for (JsonNode p : deploy.get("parts")) {
      assertTrue(java.nio.file.Files.isRegularFile(out.resolve(p.get("file").asText())), p.toString());
      ops += p.get("ops").asInt();
    }
    assertEquals(tpu.get("opsTotal").asInt(), ops);
    JsonNode seg = report(out).get("segmented");
    assertTrue(seg.get("identicalToSingleFile").asBoolean(), seg.toString());
    assertEquals(8, seg.get("samplesCompared").asInt());
    assertEquals(deploy.get("tpuSegments").asInt(), seg.get("edgetpuCompilerCommands").size());
    assertTrue(seg.get("outputs").get(0).get("cosine").asDouble() >= 0.98, seg.toString());
    assertTrue(r.out().contains("segmented deployment: "), r.out());
    CliTest.Result run = CliTest.hwc("run", out.resolve("deploy.json").toString(), "--compare",
        out.resolve("welllog_int8.tflite").toString());
    assertEquals(0, run.code(), run.out() + run.err());
    assertTrue(run.out().contains("every output byte equal"), run.out());
    CliTest.Result random = CliTest.hwc("run", out.resolve("deploy.json").toString(), "--seed", "3");
    assertEquals(0, random.code(), random.out() + random.err());
    assertTrue(random.out().contains("inputs: seeded random (seed 3)") && random.out().contains("masks"), random.out());
    CliTest.Result missing = CliTest.hwc("run", out.resolve("nothing.json").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("no deployment manifest at"), missing.err());
    CliTest.Result notOne = CliTest.hwc("run", out.resolve("report.json").toString());
    assertEquals(2, notOne.code(), notOne.err());

    // inspect judges the same lowered op list: same mapped count, same split op, same reasons op by op
    Path model = dir.resolve("welllog.onnx");
    try (var in = WellLogExampleTest.class.getResourceAsStream(dev.hwc.build.ModelInput.EXAMPLE_RESOURCE)) {
      java.nio.file.Files.copy(in, model);
    }
    CliTest.Result i = CliTest.hwc("inspect", "--json", "--target", "edgetpu", model.toString());
    assertEquals(0, i.code(), i.err());
    JsonNode judged = new ObjectMapper().readTree(i.out()).get("legality").get(0);
    assertEquals("TFLite ops", judged.get("unit").asText());
    assertEquals(tpu.get("opsOnTpu").asLong(), judged.get("supported").asLong(), i.out());
    assertEquals(tpu.get("opsTotal").asLong(), judged.get("supported").asLong() + judged.get("unsupported").asLong()
        + judged.get("cpuAfterPartition").asLong(), i.out());
    assertEquals("op #" + split.get("index").asInt() + " FULLY_CONNECTED ('" + split.get("origin").asText() + "')",
        judged.get("firstUnsupported").asText());
    dev.hwc.compiler.ir.Graph g = dev.hwc.compiler.passes.Pipeline.standard().run(dev.hwc.compiler.ops.ShapeInference.run(
        dev.hwc.compiler.frontend.Frontends.read(model)));
    var check = dev.hwc.backends.TargetLegality.check(g, dev.hwc.profiles.ProfileLoader.builtin("edgetpu"));
    assertEquals(tpu.get("opsTotal").asInt(), check.verdicts().size());
    for (var v : check.verdicts()) {
      JsonNode op = tpu.get("ops").get(v.index());
      String at = "op #" + v.index() + ": " + op;
      assertEquals(op.get("builtin").asText(), v.op(), at);
      assertEquals(op.get("origin").asText(), v.node(), at);
      assertEquals(op.get("role").asText(), v.role(), at);
      assertEquals(op.get("onTpu").asBoolean(), v.status() == dev.hwc.backends.TargetLegality.Status.SUPPORTED, at);
      if (v.status() != dev.hwc.backends.TargetLegality.Status.CPU_AFTER_PARTITION) {
        List<String> reasons = new java.util.ArrayList<>();
        op.get("reasons").forEach(x -> reasons.add(x.asText()));
        assertEquals(reasons, v.reasons(), at);
      }
    }
  }
}

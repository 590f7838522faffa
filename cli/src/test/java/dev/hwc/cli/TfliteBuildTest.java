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

  @Test
  void unetBuildsForTheEdgeTpuWithEveryMacMappedAndNoTranspose() throws Exception {
    Graph g = SmallModels.unetLike(7);
    Path m = model("unet", g);
    Path out = dir.resolve("unet-edgetpu");
    CliTest.Result r = CliTest.hwc("build", "--target", "edgetpu", m.toString(), "--calib", calib("c", g, 40).toString(),
        "--bench-seconds", "0", "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(Files.isRegularFile(out.resolve("unet_int8.tflite")));
    JsonNode tpu = new ObjectMapper().readTree(out.resolve("edgetpu-report.json").toFile());
    // every op but the final channel Softmax ([1,64,32,3]: Coral's Softmax takes 1-D input only)
    assertEquals(tpu.get("opsTotal").asInt() - 1, tpu.get("opsOnTpu").asInt(), tpu.toPrettyString());
    assertEquals("SOFTMAX", tpu.get("ops").get(tpu.get("splitIndex").asInt()).get("builtin").asText());
    assertEquals(1.0, tpu.get("tpuMacShare").asDouble());
    for (JsonNode op : tpu.get("ops")) {
      assertFalse(op.get("builtin").asText().equals("TRANSPOSE"), "no TRANSPOSE: " + op);
    }
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertEquals("tflite", report.get("artifact").get("format").asText());
    assertEquals("tflite", report.get("artifact").get("checkedOn").asText());
    for (JsonNode o : report.get("fidelity").get("outputs")) {
      System.out.println("edgetpu unet output " + o.get("output") + ": cosine " + o.get("cosine") + ", IoU " + o.get("iou"));
      assertTrue(o.get("cosine").asDouble() >= 0.99, o.toString());
    }
    assertTrue(r.out().contains("edgetpu_compiler"), r.out());
  }

  @Test
  void depthwiseSeparableMapsEntirelyToTheEdgeTpu() throws Exception {
    Graph g = SmallModels.depthwiseSeparable(7);
    Path out = dir.resolve("dw-edgetpu");
    CliTest.Result r = CliTest.hwc("build", "--target", "edgetpu", model("dw8", g).toString(), "--calib",
        calib("c3", g, 30).toString(), "--bench-seconds", "0", "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode tpu = new ObjectMapper().readTree(out.resolve("edgetpu-report.json").toFile());
    assertEquals(tpu.get("opsTotal").asInt(), tpu.get("opsOnTpu").asInt(), tpu.toPrettyString());
    assertEquals(-1, tpu.get("splitIndex").asInt());
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    for (JsonNode o : report.get("fidelity").get("outputs")) {
      assertTrue(o.get("cosine").asDouble() >= 0.99, o.toString());
    }
  }

  @Test
  void anUnsupportedOpInTheMiddleIsTheSplitPoint() throws Exception {
    Graph g = SmallModels.hardSwishInTheMiddle(5);
    Path m = model("hswish", g);
    Path out = dir.resolve("hswish-edgetpu");
    CliTest.Result r = CliTest.hwc("build", "--target", "edgetpu", m.toString(), "--calib", calib("c2", g, 30).toString(),
        "--bench-seconds", "0", "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode tpu = new ObjectMapper().readTree(out.resolve("edgetpu-report.json").toFile());
    int split = tpu.get("splitIndex").asInt();
    JsonNode at = tpu.get("ops").get(split);
    assertEquals("HARD_SWISH", at.get("builtin").asText(), tpu.toPrettyString());
    assertEquals(split, tpu.get("opsOnTpu").asInt(), "every op before the split is on the TPU, none after");
    double share = tpu.get("tpuMacShare").asDouble();
    System.out.println("split at op " + split + " (" + at.get("origin").asText() + "), MAC share on TPU " + share);
    assertTrue(share > 0.1 && share < 0.9, "the first two convs carry part of the MACs: " + share);
    assertTrue(r.out().contains("HARD_SWISH"), r.out());
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

  @Test
  void miniLmForArmStopsWithTheListOfWhatIsNotLoweredYet() throws Exception {
    Path p = dir.resolve("all-minilm-l6-v2.onnx");
    try (InputStream in = TfliteBuildTest.class.getResourceAsStream("/all-minilm-l6-v2.onnx")) {
      Files.copy(in, p);
    }
    Path out = dir.resolve("minilm-arm");
    CliTest.Result r = CliTest.hwc("build", "--target", "arm64-int8", p.toString(), "--shape", "input_ids=1x128",
        "--shape", "attention_mask=1x128", "--shape", "token_type_ids=1x128", "--calib", "random", "-o", out.toString());
    System.out.println("MiniLM arm64-int8: " + r.err().strip());
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertTrue(r.err().contains("cannot lower") && r.err().contains("Gather") && r.err().contains("Erf"), r.err());
    assertFalse(Files.exists(out), "no output folder");
  }
}

package dev.hwc.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.common.BadInputException;
import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.onnx.OnnxFrontend;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.compiler.zoo.ThinStructureModel;
import dev.hwc.profiles.ProfileLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * int8 (and fp16) builds end to end through {@link Compiler#build}, written to a folder: calibration,
 * the per-output guard with its fallback, symmetric QDQ for TensorRT, fp16 on ONNX Runtime.
 */
class QuantBuildTest {
  @TempDir Path dir;

  private Path model(String name, Graph g) throws Exception {
    Path m = dir.resolve(name + ".onnx");
    new OnnxEmitter().emit(g, m);
    return m;
  }

  private Path calib(String name, List<Map<String, Tensor>> samples) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    for (int i = 0; i < samples.size(); i++) {
      Npy.writeNpz(d.resolve(String.format("s%03d.npz", i)), samples.get(i));
    }
    return d;
  }

  private static List<Map<String, Tensor>> list(dev.hwc.compiler.data.SampleSet s) {
    List<Map<String, Tensor>> l = new java.util.ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      l.add(s.get(i));
    }
    return l;
  }

  private static JsonNode output(JsonNode outputs, String name) {
    for (JsonNode o : outputs) {
      if (o.get("output").asText().equals(name)) {
        return o;
      }
    }
    throw new AssertionError("no output " + name + " in " + outputs);
  }

  /** A build of {@code model} for {@code target}, calibrated on {@code calib}, without the speed check, into {@code out}. */
  private static BuildResult build(String target, Path model, Path calib, Path out, Scheme scheme) throws Exception {
    BuildRequest.Builder b = BuildRequest.builder(ModelInput.file(model), ProfileLoader.builtin(target))
        .benchSeconds(0).output(out).scheme(scheme);
    if (calib != null) {
      b.calibration(SampleSource.folder(calib));
    }
    return Compiler.build(b.build());
  }

  @Test
  void thinOutputBreaksTheGuardCatchesItAndTheFallbackRepairsIt() throws Exception {
    Path m = model("thin", ThinStructureModel.graph());
    Path c = calib("thin-calib", ThinStructureModel.samples(40, 1));
    Path out = dir.resolve("thin-int8");
    build("x86-int8", m, c, out, Scheme.STATIC);
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    JsonNode first = report.get("candidates").get(0);
    JsonNode bg = output(first.get("outputs"), "background");
    JsonNode line = output(first.get("outputs"), "line");
    System.out.println("all layers int8: background IoU " + bg.get("iou") + " cosine " + bg.get("cosine")
        + "; line IoU " + line.get("iou") + " cosine " + line.get("cosine"));
    assertFalse(first.get("passed").asBoolean(), "the guard must reject the all-int8 plan");
    assertTrue(bg.get("iou").get(0).asDouble() >= 0.99, "the dense mask survives: " + bg);
    assertTrue(line.get("iou").get(0).asDouble() <= 0.1, "the thin mask vanishes: " + line);
    assertEquals("line", first.get("weakestOutput").asText());

    JsonNode fidelity = report.get("fidelity");
    assertTrue(fidelity.get("passed").asBoolean());
    JsonNode fixedLine = output(fidelity.get("outputs"), "line");
    assertTrue(fixedLine.get("iou").get(0).asDouble() >= 0.99, "the fallback repairs the thin mask: " + fixedLine);
    JsonNode chosen = report.get("candidates").get(report.get("candidates").size() - 1);
    assertTrue(chosen.get("passed").asBoolean());
    assertEquals(1, chosen.get("keptFloat").size(), "one layer kept in float is enough: " + chosen.get("keptFloat"));
    assertTrue(chosen.get("quantizedLayers").asInt() >= 2, "the rest stays int8");
  }

  /** A two-layer MLP on [B, S, 16] tokens: MatMuls with constant weights only, as in a transformer's dense layers. */
  private static Graph tokenMlp() {
    dev.hwc.compiler.GraphBuilder b = new dev.hwc.compiler.GraphBuilder("mlp", 5);
    String x = b.input("x", 1, 8, 16);
    String h = b.relu(b.add(b.matMul(x, b.constant("w1", b.randomNormal(0.25, 16, 32))),
        b.constant("b1", b.randomNormal(0.1, 32))));
    b.output(b.add(b.matMul(h, b.constant("w2", b.randomNormal(0.18, 32, 16))), b.constant("b2", b.randomNormal(0.1, 16))));
    return b.build();
  }

  @Test
  void theDynamicPlanCoversAMatMulOnlyModelNotAConvModel() {
    assertTrue(dev.hwc.compiler.quant.DynamicQuantizer.coversWeightedLayers(tokenMlp()));
    assertTrue(!dev.hwc.compiler.quant.DynamicQuantizer.coversWeightedLayers(SmallModels.twoOutput(4)));
  }

  /**
   * auto on x86-int8 for a model whose weighted layers are all MatMuls the dynamic plans quantize: the
   * dynamic plans are judged first, one passes, so the static plan (and its calibration) is not built, and
   * the report says so; the artifact is dynamic int8 and passes the gate.
   */
  @Test
  void autoSkipsTheStaticPlanWhenADynamicPlanCoversEveryWeightedLayer() throws Exception {
    Graph g = tokenMlp();
    Path m = model("mlp", g);
    Path c = calib("mlp-calib", list(dev.hwc.compiler.data.SampleSet.random(g.inputs(), 40, 3)));
    Path out = dir.resolve("mlp-int8");
    BuildResult r = build("x86-int8", m, c, out, Scheme.AUTO);
    assertTrue(r.plans().stream().noneMatch(p -> p.kind() == PlanKind.STATIC), r.plans().toString());
    assertTrue(r.chosen().kind() == PlanKind.DYNAMIC || r.chosen().kind() == PlanKind.DYNAMIC_SMOOTHED, r.chosen().toString());
    assertTrue(r.chosen().passed());
    assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("static plan not built")), r.notes().toString());
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertTrue(!report.get("phaseSeconds").has("calibrate"), report.get("phaseSeconds").toString());
    for (JsonNode o : report.get("fidelity").get("outputs")) {
      assertTrue(o.get("cosine").asDouble() >= 0.99, o.toString());
    }
    Graph q = new OnnxFrontend().read(out.resolve("mlp_int8.onnx"));
    assertEquals(2, q.nodes().stream().filter(n -> n.op().equals("MatMulInteger")).count());
  }

  @Test
  void cnnBuildsForX86Int8WithEveryOutputAboveTheGate() throws Exception {
    Graph g = SmallModels.twoOutput(4);
    Path m = model("two", g);
    Path c = calib("two-calib", list(dev.hwc.compiler.data.SampleSet.random(g.inputs(), 60, 3)));
    Path out = dir.resolve("two-int8");
    build("x86-int8", m, c, out, Scheme.AUTO);
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    for (JsonNode o : report.get("fidelity").get("outputs")) {
      assertTrue(o.get("cosine").asDouble() >= 0.99, o.toString());
    }
    Graph q = new OnnxFrontend().read(out.resolve("two_int8.onnx"));
    for (Node n : q.nodes()) {
      if (n.op().equals("Conv") || n.op().equals("Gemm")) {
        Node dq = q.producer(n.input(1));
        assertEquals("DequantizeLinear", dq.op(), n.describe());
        assertEquals(dev.hwc.compiler.ir.DType.INT8, q.initializer(dq.input(0)).dtype(), n.describe());
      }
    }
  }

  @Test
  void cudaInt8ArtifactHasOnlySymmetricQdq() throws Exception {
    Graph g = SmallModels.residualAdd(2);
    Path m = model("res", g);
    Path c = calib("res-calib", list(dev.hwc.compiler.data.SampleSet.random(g.inputs(), 30, 5)));
    Path out = dir.resolve("res-cuda");
    BuildResult r = build("cuda-int8", m, c, out, Scheme.AUTO);
    assertTrue(r.notes().stream().anyMatch(n -> n.contains("TensorRT engine not built")), r.notes().toString());
    Graph q = new OnnxFrontend().read(out.resolve("res_int8.onnx"));
    long qdq = 0;
    for (Node n : q.nodes()) {
      if (n.op().equals("QuantizeLinear") || n.op().equals("DequantizeLinear")) {
        qdq++;
        for (double z : q.initializer(n.input(2)).toDoubles()) {
          assertEquals(0.0, z, n.describe());
        }
      }
    }
    assertTrue(qdq > 10, "QDQ count " + qdq);
  }

  @Test
  void cudaFp16RunsOnOnnxRuntimeCpuWithEveryOutputAbove0999() throws Exception {
    Path m = model("unet", SmallModels.unetLike(6));
    Path out = dir.resolve("unet-fp16");
    build("cuda-fp16", m, null, out, Scheme.AUTO);
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertEquals("fp16", report.get("precision").asText());
    for (JsonNode o : report.get("fidelity").get("outputs")) {
      assertTrue(o.get("cosine").asDouble() >= 0.999, o.toString());
    }
    Graph h = new OnnxFrontend().read(out.resolve("unet_fp16.onnx"));
    assertTrue(h.initializers().values().stream().anyMatch(t -> t.dtype() == dev.hwc.compiler.ir.DType.FLOAT16));
    assertEquals(dev.hwc.compiler.ir.DType.FLOAT, h.inputs().get(0).dtype(), "fp32 graph IO");
  }

  @Test
  void int8WithoutCalibrationDataIsBadInputWithAHint() throws Exception {
    Path m = model("nocal", SmallModels.plainConvStack(1));
    BadInputException e = assertThrows(BadInputException.class, () -> build("x86-int8", m, null, dir.resolve("x"), Scheme.AUTO));
    assertTrue(e.getMessage().contains("--calib DIR"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("x")));
  }

  /**
   * A MatMul-only model with no calibration data: dynamic int8 measures its ranges at run time, so the
   * build makes the dynamic plan alone (no smoothing, no static plan), judged on random samples, and
   * says why; --scheme static still asks for the data.
   */
  @Test
  void aMatMulOnlyModelBuildsDynamicInt8WithoutCalibrationData() throws Exception {
    Path m = model("mlp-nocal", tokenMlp());
    Path out = dir.resolve("mlp-nocal-int8");
    BuildResult r = build("x86-int8", m, null, out, Scheme.AUTO);
    assertEquals(List.of(PlanKind.DYNAMIC), r.plans().stream().map(p -> p.kind()).distinct().toList(), r.plans().toString());
    assertTrue(r.chosen().passed(), r.chosen().toString());
    assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("no calibration data")), r.notes().toString());
    Graph q = new OnnxFrontend().read(out.resolve("mlp-nocal_int8.onnx"));
    assertEquals(2, q.nodes().stream().filter(n -> n.op().equals("MatMulInteger")).count());
    BadInputException e = assertThrows(BadInputException.class,
        () -> build("x86-int8", m, null, dir.resolve("y"), Scheme.STATIC));
    assertTrue(e.getMessage().contains("--calib DIR"), e.getMessage());
  }
}

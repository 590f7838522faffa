package dev.hwc.hwtests.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.tflite.TinyTflite;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.hwtests.bench.BenchOptions;
import dev.hwc.common.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A lab plan with CPU, GPU and Edge TPU rows on this machine: CPU rows measured, the rest skipped with reasons. */
class LabRunTest {
  @TempDir Path dir;

  static final String PLAN = """
      name: lab-test
      bench: {warmup: 5, runs: 30}
      cost: {sheet: default, rate: 10}
      models:
        - {name: cnn-onnx, path: models/cnn.onnx}
        - {name: cnn-tflite, path: models/cnn.tflite}
      targets:
        - {name: cpu-ort, runtime: ort, hardware: cpu, threads: [1]}
        - {name: cpu-tflite, runtime: tflite, hardware: cpu, threads: [1]}
        - {name: gpu, runtime: tensorrt, hardware: gpu}
        - {name: coral, runtime: tflite, hardware: edgetpu}
      """;

  @Test
  void anOutputThatIsAFileIsRefusedBeforeMeasuringAndKept() throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    new OnnxEmitter().emit(SmallModels.plainConvStack(3), models.resolve("cnn.onnx"));
    TinyTflite.write(models.resolve("cnn.tflite"), TinyTflite.convStack(16, 8, 2, 3));
    Path plan = Files.writeString(dir.resolve("plan.yaml"), PLAN);
    Path file = Files.writeString(dir.resolve("results.txt"), "mine");
    dev.hwc.common.BadInputException e = org.junit.jupiter.api.Assertions.assertThrows(
        dev.hwc.common.BadInputException.class, () -> LabRunner.run(plan, file, BenchOptions.defaults(), msg -> {
          throw new AssertionError("measured before checking the output folder: " + msg);
        }));
    assertTrue(e.getMessage().contains("is a file, not a folder"), e.getMessage());
    assertEquals("mine", Files.readString(file));
  }

  @Test
  void cpuRowsAreMeasuredOthersSkippedWithReasonsAndTheJsonValidates() throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    new OnnxEmitter().emit(SmallModels.plainConvStack(3), models.resolve("cnn.onnx"));
    TinyTflite.write(models.resolve("cnn.tflite"), TinyTflite.convStack(16, 8, 2, 3));
    Path plan = Files.writeString(dir.resolve("plan.yaml"), PLAN);
    LabRunner.Written w = LabRunner.run(plan, dir.resolve("out"), BenchOptions.defaults(), msg -> {});
    Hardware host = Hardware.detect();

    List<LabRun.Row> rows = w.run().rows();
    assertEquals(8, rows.size(), "2 models x 4 targets");
    LabRun.Row ort = row(rows, "cnn-onnx", "cpu-ort");
    assertEquals("measured", ort.status(), ort.reason());
    assertTrue(ort.measurement().latencyMs().count() >= 30);
    assertNotNull(ort.measurement().rssGrowthBytes());
    assertTrue(ort.cost().stream().anyMatch(c -> c.deployment().equals("serverless") && c.perMonth() > 0));
    LabRun.Row tfl = row(rows, "cnn-tflite", "cpu-tflite");
    assertEquals("measured", tfl.status(), tfl.reason());
    assertTrue(tfl.measurement().execution().contains("XNNPACK"), tfl.measurement().execution());
    assertTrue(tfl.runtimeVersion().matches("\\d+\\.\\d+.*"));
    // a runtime that does not take the model's format
    assertTrue(row(rows, "cnn-tflite", "cpu-ort").reason().contains("takes .onnx artifacts, not cnn.tflite"));
    if (host.cudaDevice() == null) {
      LabRun.Row gpu = row(rows, "cnn-onnx", "gpu");
      assertEquals("skipped", gpu.status());
      assertTrue(gpu.reason().startsWith("no CUDA device on " + host.hostname()), gpu.reason());
    }
    if (host.edgeTpu() == null) {
      LabRun.Row coral = row(rows, "cnn-tflite", "coral");
      assertEquals("skipped", coral.status());
      assertTrue(coral.reason().contains("no Edge TPU") && coral.reason().contains("1a6e:089a"), coral.reason());
    }
    for (LabRun.Row r : rows) {
      assertEquals(host.hostname(), r.hostname());
      assertEquals(host.cpuModel(), r.cpuModel());
      assertFalse(r.status().equals("failed"), r.reason());
    }

    // the file on disk validates against the documented schema
    JsonNode schema = JsonSchemaCheck.load(LabRun.SCHEMA);
    JsonNode written = new ObjectMapper().readTree(w.json().toFile());
    assertEquals(List.of(), JsonSchemaCheck.validate(schema, written));
    String md = Files.readString(w.markdown());
    assertTrue(md.contains("| cnn-onnx | cpu-ort (cpu) | onnxruntime "), md);
    assertTrue(md.contains(host.hostname() + ": " + host.cpuModel()), md);
    assertTrue(Files.readString(w.html()).contains("<tr class=\"skipped\">"));

    // and the validator does catch a drifted file
    ObjectNode broken = (ObjectNode) written.deepCopy();
    ((ObjectNode) broken.get("rows").get(0)).put("status", "maybe");
    ((ObjectNode) broken.get("rows").get(0)).remove("hostname");
    broken.put("extra", 1);
    List<String> problems = JsonSchemaCheck.validate(schema, broken);
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("/rows/0: missing required 'hostname'")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("/rows/0/status: \"maybe\" is not one of")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("/extra: not allowed")), problems.toString());
  }

  @Test
  void planErrorsNameFileAndLine() throws Exception {
    Path plan = Files.writeString(dir.resolve("plan.yaml"), "name: x\nmodels:\n  - {name: m, path: nowhere.onnx}\n"
        + "targets:\n  - {name: t, runtime: ort}\n");
    BadInputException e = assertThrows(BadInputException.class, () -> LabPlan.load(plan));
    assertTrue(e.getMessage().startsWith(plan + ":3: model 'm': "), e.getMessage());
    Path typo = Files.writeString(dir.resolve("typo.yaml"), "name: x\nmodel:\n  - {name: m, path: m.onnx}\n");
    e = assertThrows(BadInputException.class, () -> LabPlan.load(typo));
    assertTrue(e.getMessage().startsWith(typo + ":2: unknown field 'model'"), e.getMessage());
  }

  private static LabRun.Row row(List<LabRun.Row> rows, String model, String target) {
    return rows.stream().filter(r -> r.model().equals(model) && r.target().equals(target)).findFirst().orElseThrow();
  }
}

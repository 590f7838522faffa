package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.compiler.zoo.SmallModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hwc bench} and {@code hwc lab run} end to end (children are real JVMs; timings are not asserted). */
class BenchCliTest {
  @TempDir Path dir;
  Path a;
  Path b;

  @BeforeEach
  void models() throws Exception {
    a = dir.resolve("a.onnx");
    b = dir.resolve("b.onnx");
    new OnnxEmitter().emit(SmallModels.plainConvStack(1), a);
    new OnnxEmitter().emit(SmallModels.residualAdd(2), b);
  }

  @Test
  void twoArtifactsPrintFiguresInterleavedRatiosAndCost() {
    CliTest.Result r = CliTest.hwc("bench", a.toString(), b.toString(), "--runs", "40", "--warmup", "5", "--threads", "1",
        "--cost", "default", "--rate", "5");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("bare JVM (no model): peak RSS"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("a.onnx ") && l.contains("onnxruntime 1.")), r.out());
    assertTrue(r.out().contains("latency against a.onnx"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("b.onnx ") && l.matches(".*\\d\\.\\d{3}x .*")), r.out());
    assertTrue(r.out().contains("cost at 5 requests/s (price sheet: default; EUR per month, illustrative defaults)"), r.out());
    assertTrue(r.out().contains("GPU baseline that saves"), r.out());
    assertTrue(r.err().contains("hwc bench: loading a.onnx on onnxruntime"), r.err());
  }

  @Test
  void jsonAndSkippedRuntime() throws Exception {
    CliTest.Result r = CliTest.hwc("bench", a.toString(), "--runtime", "tensorrt", "--runs", "5", "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode doc = new ObjectMapper().readTree(r.out());
    JsonNode m = doc.get("bench").get("artifacts").get(0);
    if (!Files.exists(Path.of("/dev/nvidia0"))) {
      assertEquals("skipped", m.get("status").asText());
      assertTrue(m.get("reason").asText().contains("no CUDA device"), m.toString());
    }
    assertTrue(doc.get("cost").isNull());
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(2, CliTest.hwc("bench", a.toString(), "--runs", "5", "--seconds", "2").code());
    assertEquals(2, CliTest.hwc("bench", a.toString(), "--cost", "default").code());
    CliTest.Result r = CliTest.hwc("bench", dir.resolve("missing.onnx").toString(), "--runs", "5");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("hwc: error: artifact not found: "), r.err());
    r = CliTest.hwc("bench", a.toString(), "--runtime", "coreml");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown runtime 'coreml'"), r.err());
  }

  @Test
  void labRunMeasuresCpuRowsAndSkipsGpuAndEdgeTpuRows() throws Exception {
    Path plan = Files.writeString(dir.resolve("plan.yaml"), """
        name: cli-lab
        bench: {warmup: 3, runs: 20}
        models:
          - {name: a, path: a.onnx}
        targets:
          - {name: cpu, runtime: ort, hardware: cpu, threads: [1]}
          - {name: gpu, runtime: tensorrt, hardware: gpu}
          - {name: coral, runtime: tflite, hardware: edgetpu}
        """);
    CliTest.Result r = CliTest.hwc("lab", "run", plan.toString(), "-o", dir.resolve("lab").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("| a | cpu (cpu) | onnxruntime "), r.out());
    assertTrue(r.out().contains("| measured |"), r.out());
    if (!Files.exists(Path.of("/dev/nvidia0"))) {
      assertTrue(r.out().contains("| skipped |") && r.out().contains("no CUDA device"), r.out());
    }
    try (var files = Files.list(dir.resolve("lab"))) {
      assertEquals(3, files.filter(f -> f.getFileName().toString().startsWith("cli-lab-")).count());
    }
  }
}

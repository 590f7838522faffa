package dev.hwc.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.compiler.zoo.MobileNetV3Like;
import dev.hwc.profiles.ProfileLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MobileNetV3-style zoo model as exported, built for x86-int8: the report says which nodes
 * stayed float and why (only the RGB stem conv, for speed) and how long each phase took, and the
 * output passes the gate.
 */
class MobileNetV3QdqBuildTest {
  @TempDir Path dir;

  @Test
  void x86Int8IsIntegerEndToEndAndReportsThePhases() throws Exception {
    Path m = dir.resolve("mnv3.onnx");
    new OnnxEmitter().emit(MobileNetV3Like.build(3), m);
    Path out = dir.resolve("mnv3-int8");
    Compiler.build(BuildRequest.builder(ModelInput.file(m), ProfileLoader.builtin("x86-int8"))
        .benchSeconds(0).output(out).scheme(Scheme.STATIC).calibration(SampleSource.random()).build());
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertEquals(0, report.get("stayedFloat").size(), "every op integer on ONNX Runtime: " + report.get("stayedFloat"));
    assertEquals(1, report.get("candidates").size(), "no speed check: no float-stem variant to time");
    for (JsonNode o : report.get("fidelity").get("outputs")) {
      assertTrue(o.get("cosine").asDouble() >= 0.98, o.toString());
    }
    JsonNode phases = report.get("phaseSeconds");
    for (String p : new String[] {"optimize", "reference-outputs", "calibrate", "emit", "judge"}) {
      assertTrue(phases.has(p) && phases.get(p).asDouble() >= 0, p + " in " + phases);
    }
  }

  /** With the speed check on, the plan keeping the RGB stem conv float is judged too; the report says why it is float. */
  @Test
  void theFloatStemVariantIsJudgedWhenTheSpeedCheckRuns() throws Exception {
    Path m = dir.resolve("mnv3.onnx");
    new OnnxEmitter().emit(MobileNetV3Like.build(3), m);
    Path out = dir.resolve("mnv3-int8-timed");
    Compiler.build(BuildRequest.builder(ModelInput.file(m), ProfileLoader.builtin("x86-int8"))
        .benchSeconds(1).output(out).scheme(Scheme.STATIC).calibration(SampleSource.random()).build());
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    JsonNode cands = report.get("candidates");
    assertEquals(2, cands.size(), cands.toString());
    assertEquals("static-float-input-conv", cands.get(1).get("scheme").asText());
    assertTrue(cands.get(1).get("passed").asBoolean());
    assertEquals(List.of("conv_3"), List.of(cands.get(1).get("keptFloat").get(0).asText()));
    JsonNode floats = report.get("stayedFloat");
    System.out.println("chosen " + report.get("artifact").get("scheme") + ", stayed float: " + floats);
    if (report.get("artifact").get("scheme").asText().equals("static-float-input-conv")) {
      assertEquals(1, floats.size(), floats.toString());
      assertTrue(floats.get(0).get("reason").asText().contains("multiple of 4"), floats.toString());
    } else {
      assertEquals(0, floats.size(), floats.toString());
    }
  }

  @Test
  void bisectionStopsWithinAnEighthOfThePassingCount() {
    assertFalse(Int8Search.closeEnough(4, 8));
    assertFalse(Int8Search.closeEnough(4, 6));
    assertTrue(Int8Search.closeEnough(5, 6));
    assertTrue(Int8Search.closeEnough(60, 64), "64 passing: 8 apart is close enough");
    assertFalse(Int8Search.closeEnough(32, 64));
  }
}

package dev.hwc.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hwc.common.BadInputException;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.profiles.ProfileLoader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Compiler#build} called as a library: in memory (nothing written) and into a folder, what the
 * listener hears, and one TFLite lowering per artifact written (the chosen plan's reports come from
 * the lowering that wrote it, never from a second one).
 */
class CompilerBuildTest {
  @TempDir Path dir;

  /** Counts what the listener hears. */
  static final class Counting implements BuildListener {
    final List<Lowering> lowerings = new ArrayList<>();
    final List<Plan> judged = new ArrayList<>();
    Started started;
    BuildReport.Speed speed;

    @Override
    public void started(Started s) {
      started = s;
    }

    @Override
    public void lowered(Lowering l) {
      lowerings.add(l);
    }

    @Override
    public void planJudged(Plan p) {
      judged.add(p);
    }

    @Override
    public void timingFinished(BuildReport.Speed s) {
      speed = s;
    }

    long tflite() {
      return lowerings.stream().filter(l -> l.format().equals("tflite")).count();
    }
  }

  private static int tfliteOps(byte[] artifact) {
    return org.tensorflow.lite.schema.Model.getRootAsModel(ByteBuffer.wrap(artifact)).subgraphs(0).operatorsLength();
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void fp32TfliteBuildLowersOnceAndWritesNothing() throws Exception {
    Graph g = SmallModels.depthwiseSeparable(3);
    Counting c = new Counting();
    BuildResult r = Compiler.build(BuildRequest.builder(ModelInput.graph(g), ProfileLoader.builtin("arm64-int8"))
        .precision(Precision.FP32).build(), c);
    assertEquals(1, c.tflite(), "the fp32 artifact is lowered once: its reports reuse that lowering");
    assertEquals(c.lowerings.size(), c.tflite());
    assertEquals(PlanKind.FP32, r.chosen().kind());
    assertTrue(r.passed());
    assertTrue(r.weakest().cosine() > 0.9999, r.weakest().toString());
    assertNull(r.outputFolder());
    assertNull(r.artifact().path(), "in memory: nothing written");
    byte[] bytes = r.artifact().bytes();
    assertEquals(r.artifact().size(), bytes.length);
    assertEquals(sha256(bytes), r.artifact().sha256());
    assertEquals(r.report().artifact().sha256(), r.artifact().sha256());
    assertEquals(tfliteOps(bytes), r.report().artifact().nodes(), "the op count is the artifact's own");
    assertEquals(List.of(r.chosen()), r.plans());
    assertEquals(c.judged, r.plans(), "the listener heard every plan judged");
    assertEquals("arm64-int8", c.started.target());
    assertFalse(c.speed.measured(), "fp32: nothing to time");
    assertTrue(r.chosen().verdict().startsWith("passes"), r.chosen().verdict());
  }

  @Test
  void edgeTpuBuildLowersEachArtifactOnceAndReportsTheSplitFromThatLowering() throws Exception {
    Graph g = SmallModels.leakyReluInTheMiddle(5);
    Counting c = new Counting();
    Path out = dir.resolve("edge");
    BuildResult r = Compiler.build(BuildRequest.builder(ModelInput.graph(g), ProfileLoader.builtin("edgetpu"))
        .calibration(SampleSource.of(SampleSet.random(g.inputs(), 30, 3), "30 seeded samples"))
        .benchSeconds(0).output(out).build(), c);
    // the fp32 reference (the size and speed baseline) and the one static plan: nothing lowered twice
    assertEquals(2, c.tflite(), "one lowering per artifact written: " + c.lowerings);
    assertEquals(1 + r.plans().size(), c.tflite());
    assertEquals(PlanKind.STATIC, r.chosen().kind());
    byte[] bytes = Files.readAllBytes(out.resolve(r.artifact().fileName()));
    assertEquals(out.resolve(r.artifact().fileName()), r.artifact().path());
    assertEquals(sha256(bytes), r.artifact().sha256());
    var tpu = r.edgeTpu().orElseThrow();
    assertEquals(tfliteOps(bytes), tpu.opsTotal(), "the mapping report reads the artifact's own lowering");
    assertEquals(tfliteOps(bytes), r.report().artifact().nodes());
    assertEquals("LEAKY_RELU", tpu.ops().get(tpu.splitIndex()).builtin());
    // report.json is the typed report's serialization; edgetpu-report.json the mapping report's
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    assertEquals(json.writeValueAsString(r.report()), Files.readString(out.resolve("report.json")));
    assertEquals(json.writeValueAsString(tpu), Files.readString(out.resolve("edgetpu-report.json")));
    // the segmented deployment beside it: LeakyRelu (no Edge TPU kernel) between two conv stacks
    var seg = r.segments().orElseThrow();
    assertEquals(List.of("edgetpu", "cpu", "edgetpu"), seg.parts().stream().map(p -> p.runtime()).toList(), seg.table());
    assertEquals(1.0, seg.tpuMacShare());
    assertEquals(tpu.tpuMacShare(), r.report().segmented().singleFileTpuMacShare());
    assertTrue(r.report().segmented().identicalToSingleFile());
    java.util.Set<String> files = new java.util.HashSet<>(java.util.Set.of(r.artifact().fileName(), "report.json",
        "edgetpu-report.json", "deploy.json", dev.hwc.common.OutputFolder.MANIFEST));
    String stem = r.artifact().fileName().replace(".tflite", "");
    seg.parts().forEach(p -> files.add(dev.hwc.backends.tflite.EdgeTpuSegments.partFile(stem, p.index())));
    try (var s = Files.list(out)) {
      assertEquals(files, s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()),
          "artifact, report.json, edgetpu-report.json, the deployment and hwc's manifest of them");
    }
  }

  @Test
  void aFailedGateWritesNothingAndCarriesTheResult() throws Exception {
    Graph g = SmallModels.plainConvStack(1);
    Path out = dir.resolve("never");
    // fp16 is close, but not bit-exact
    BuildRequest req = BuildRequest.builder(ModelInput.graph(g), ProfileLoader.builtin("cuda-fp16"))
        .minCosine(1.0).benchSeconds(0).output(out).build();
    CheckFailedException e = assertThrows(CheckFailedException.class, () -> Compiler.build(req));
    assertTrue(e.getMessage().contains("no plan passed"), e.getMessage());
    assertFalse(e.result().passed());
    assertFalse(e.result().plans().isEmpty());
    assertTrue(e.result().plans().stream().noneMatch(Plan::passed));
    assertTrue(e.result().chosen().verdict().contains("gate: cosine >= 1.0"), e.result().chosen().verdict());
    assertFalse(Files.exists(out), "nothing written");
    try (var s = Files.list(dir)) {
      assertEquals(0, s.count(), "no staging folder left");
    }
  }

  @Test
  void badRequestsAreBadInput() {
    Graph g = SmallModels.plainConvStack(1);
    var edge = ProfileLoader.builtin("edgetpu");
    BadInputException fp32 = assertThrows(BadInputException.class,
        () -> Compiler.build(BuildRequest.builder(ModelInput.graph(g), edge).precision(Precision.FP32).build()));
    assertTrue(fp32.getMessage().contains("edgetpu"), fp32.getMessage());
    BadInputException noCalib = assertThrows(BadInputException.class, () -> Compiler.build(
        BuildRequest.builder(ModelInput.graph(g), ProfileLoader.builtin("x86-int8")).build()));
    assertTrue(noCalib.getMessage().contains("calibration data"), noCalib.getMessage());
    BadInputException missing = assertThrows(BadInputException.class, () -> Compiler.build(
        BuildRequest.builder(ModelInput.file(Path.of("no-such-model.onnx")), edge).build()));
    assertEquals("model not found: no-such-model.onnx", missing.getMessage());
  }
}

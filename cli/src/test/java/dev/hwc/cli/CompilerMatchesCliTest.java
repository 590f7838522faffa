package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hwc.build.BuildRequest;
import dev.hwc.build.BuildResult;
import dev.hwc.build.Compiler;
import dev.hwc.build.ModelInput;
import dev.hwc.build.SampleSource;
import dev.hwc.build.Scheme;
import dev.hwc.hwtests.OutputFidelity;
import dev.hwc.profiles.ProfileLoader;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hwc build} and {@link Compiler#build} called directly (in memory) give the same build: the
 * same chosen plan, the same figures per output, the same artifact bytes.
 */
class CompilerMatchesCliTest {
  @TempDir Path dir;

  private static void assertSameBuild(Path cliOut, BuildResult lib) throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode cli = json.readTree(cliOut.resolve("report.json").toFile());
    assertNull(lib.outputFolder(), "the library build wrote nothing");
    assertEquals(cli.get("artifact").get("scheme").asText(), lib.chosen().kind().id(), "same chosen plan");
    assertEquals(cli.get("artifact").get("file").asText(), lib.artifact().fileName());
    assertEquals(cli.get("artifact").get("sha256").asText(), lib.artifact().sha256(), "same artifact bytes");
    assertEquals(Files.size(cliOut.resolve(lib.artifact().fileName())), lib.artifact().bytes().length);
    assertEquals(cli.get("candidates").size(), lib.plans().size(), "the same plans judged");
    JsonNode outputs = cli.get("fidelity").get("outputs");
    assertEquals(outputs.size(), lib.outputs().size());
    for (int i = 0; i < outputs.size(); i++) {
      OutputFidelity o = lib.outputs().get(i);
      JsonNode c = outputs.get(i);
      assertEquals(c.get("output").asText(), o.output());
      assertEquals(c.get("cosine").asDouble(), o.cosine(), 0, o.output());
      assertEquals(c.get("relativeL2").asDouble(), o.relativeL2(), 0, o.output());
      assertEquals(c.get("maxAbs").asDouble(), o.maxAbs(), 0, o.output());
      assertEquals(c.get("iou").size(), o.iou().length, o.output());
      for (int k = 0; k < o.iou().length; k++) {
        assertEquals(c.get("iou").get(k).asDouble(), o.iou()[k], 0, o.output() + " channel " + k);
      }
    }
    assertEquals(cli.get("fidelity").get("weakestOutput").asText(), lib.weakest().output());
    System.out.println(lib.report().target() + ": " + lib.chosen().kind() + ", weakest '" + lib.weakest().output()
        + "' cosine " + lib.weakest().cosine() + ", sha256 " + lib.artifact().sha256() + " (CLI and library)");
  }

  @Test
  void miniLmForX86Int8() throws Exception {
    Path model = dir.resolve("all-minilm-l6-v2.onnx");
    try (InputStream in = CompilerMatchesCliTest.class.getResourceAsStream("/all-minilm-l6-v2.onnx")) {
      Files.copy(in, model);
    }
    Path corpus = Path.of("..", "bench", "minilm").toAbsolutePath().normalize();
    Path out = dir.resolve("cli");
    CliTest.Result r = CliTest.hwc("build", "--target", "x86-int8", model.toString(), "--scheme", "dynamic",
        "--calib", corpus.resolve("calib").toString(), "--eval", corpus.resolve("eval").toString(),
        "--bench-seconds", "0", "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    BuildResult lib = Compiler.build(BuildRequest.builder(ModelInput.file(model), ProfileLoader.builtin("x86-int8"))
        .scheme(Scheme.DYNAMIC).calibration(SampleSource.folder(corpus.resolve("calib")))
        .eval(SampleSource.folder(corpus.resolve("eval"))).benchSeconds(0).build());
    assertSameBuild(out, lib);
  }

  @Test
  void bundledExampleForTheEdgeTpu() throws Exception {
    Path out = dir.resolve("cli");
    CliTest.Result r = CliTest.hwc("build", "--target", "edgetpu", "--bench-seconds", "0", "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    BuildResult lib = Compiler.build(BuildRequest.builder(ModelInput.bundledExample(), ProfileLoader.builtin("edgetpu"))
        .benchSeconds(0).build());
    assertSameBuild(out, lib);
    JsonNode tpu = new ObjectMapper().readTree(out.resolve("edgetpu-report.json").toFile());
    var mine = lib.edgeTpu().orElseThrow();
    assertEquals(tpu.get("opsOnTpu").asInt(), mine.opsOnTpu());
    assertEquals(tpu.get("splitIndex").asInt(), mine.splitIndex());
  }
}

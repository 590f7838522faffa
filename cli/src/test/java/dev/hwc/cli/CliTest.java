package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.zoo.SmallModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end, in-process: exit codes, one-line errors, no partial output. */
class CliTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  /**
   * Writes {@code g} as MODEL.onnx in {@code dir}, builds it for x86-fp32 into {@code out} and asserts
   * exit 0 and, for every output of {@code g}, a max abs error against the source of at most {@code maxAbs}.
   */
  static void fp32BuildWithin(Graph g, Path model, Path out, double maxAbs) throws Exception {
    new OnnxEmitter().emit(g, model);
    Result r = hwc("build", "--target", "x86-fp32", model.toString(), "--bench-seconds", "0", "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    int outputs = 0;
    for (JsonNode o : report.get("fidelity").get("outputs")) {
      System.out.println(g.name() + " x86-fp32 " + o.get("output") + ": max abs " + o.get("maxAbs"));
      assertTrue(o.get("maxAbs").asDouble() <= maxAbs, o.toString());
      outputs++;
    }
    assertEquals(g.outputs().size(), outputs);
  }

  static Result hwc(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Hwc.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void targetsListsEveryBuiltinProfile() {
    Result r = hwc("targets");
    assertEquals(0, r.code(), r.err());
    for (String id : List.of("edgetpu", "cuda-fp16", "cuda-int8", "x86-int8", "x86-fp32", "arm64-int8", "cpu-fallback")) {
      assertTrue(r.out().lines().anyMatch(l -> l.startsWith(id + " ")), id + " missing in\n" + r.out());
    }
  }

  @Test
  void buildsTheBundledExampleAndReportsFidelityPerOutput() throws Exception {
    Path out = dir.resolve("example");
    Result r = hwc("build", "--target", "x86-fp32", "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(Files.exists(out.resolve("welllog.onnx")));
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertEquals("x86-fp32", report.get("target").asText());
    assertTrue(report.get("input").get("bundledExample").asBoolean());
    int before = report.get("input").get("nodes").asInt();
    int after = report.get("artifact").get("nodes").asInt();
    assertTrue(after <= before, "passes never add nodes here: " + before + " -> " + after);
    JsonNode outputs = report.get("fidelity").get("outputs");
    assertEquals(1, outputs.size());
    assertTrue(outputs.get(0).get("cosine").asDouble() > 0.999999, outputs.toString());
    assertTrue(outputs.get(0).get("maxAbs").asDouble() < 1e-5, outputs.toString());
    assertTrue(report.get("fidelity").get("passed").asBoolean());
    assertTrue(report.get("passes").size() > 0);
    // the folder was moved into place whole: no staging folders left beside it
    try (var s = Files.list(dir)) {
      assertEquals(List.of(out), s.toList());
    }
  }

  @Test
  void existingOutputIsKeptWithoutForce() throws Exception {
    Path out = dir.resolve("mine");
    Files.createDirectories(out);
    Files.writeString(out.resolve("notes.txt"), "mine");
    Result r = hwc("build", "--target", "x86-fp32", "-o", out.toString());
    assertEquals(2, r.code());
    assertOneLine(r.err(), "exists; pass --force");
    assertEquals("mine", Files.readString(out.resolve("notes.txt")));
    // --force replaces only a folder hwc wrote: this one is the user's, and stays as it is
    Result forced = hwc("build", "--target", "x86-fp32", "-o", out.toString(), "--force");
    assertEquals(2, forced.code(), forced.out() + forced.err());
    assertOneLine(forced.err(), "was not written by hwc");
    assertEquals("mine", Files.readString(out.resolve("notes.txt")));
    assertEquals(1, Files.list(out).count());
    Files.delete(out.resolve("notes.txt"));
    assertEquals(0, hwc("build", "--target", "x86-fp32", "-o", out.toString()).code(), "an empty folder is written");
    Files.writeString(out.resolve("report.json"), "{}");
    assertEquals(2, hwc("build", "--target", "x86-fp32", "-o", out.toString(), "--force").code(), "edited by the user");
    assertEquals("{}", Files.readString(out.resolve("report.json")));
  }

  @Test
  void truncatedModelIsBadInput() throws Exception {
    byte[] whole = new OnnxEmitter().toBytes(SmallModels.plainConvStack(1));
    Path model = dir.resolve("cut.onnx");
    Files.write(model, Arrays.copyOf(whole, whole.length / 2));
    assertBadInputAndNoOutput(model, "cut.onnx");
  }

  @Test
  void externalDataEscapingTheModelFolderIsBadInput() throws Exception {
    Path modelDir = Files.createDirectories(dir.resolve("m"));
    Files.write(dir.resolve("secret.bin"), new byte[64]);
    OnnxMl.TensorProto w = OnnxMl.TensorProto.newBuilder().setName("w").setDataType(1).addDims(4)
        .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
        .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue("../secret.bin"))
        .build();
    OnnxMl.ModelProto m = OnnxMl.ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .setGraph(OnnxMl.GraphProto.newBuilder().setName("g").addInitializer(w)
            .addInput(valueInfo("x", 4)).addOutput(valueInfo("y", 4))
            .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Add").setName("add").addInput("x").addInput("w").addOutput("y")))
        .build();
    Path model = modelDir.resolve("escape.onnx");
    Files.write(model, m.toByteArray());
    assertBadInputAndNoOutput(model, "secret.bin");
  }

  @Test
  void unknownOpIsBadInputNamingOpNodeAndOpset() throws Exception {
    Graph g = Graph.Editor.empty("g", 17)
        .addNode(new Node("mystery_1", "FancyAttention", List.of("x"), List.of("y"), Attributes.EMPTY))
        .build();
    Graph.Editor e = g.edit();
    e.inputs().add(new Value("x", DType.FLOAT, Shape.of(1, 4)));
    e.outputs().add(new Value("y", DType.FLOAT, Shape.of(1, 4)));
    Path model = dir.resolve("unknown.onnx");
    Files.write(model, new OnnxEmitter().toBytes(e.build()));
    Result r = assertBadInputAndNoOutput(model, "FancyAttention");
    assertTrue(r.err().contains("mystery_1") && r.err().contains("17"), r.err());
  }

  @Test
  void badFlagsAndUnbuildableTargetsAreUsageErrors() {
    assertEquals(2, hwc("build", "--frobnicate").code());
    assertEquals(2, hwc("build", "--target", "no-such-target").code());
    Result edge = hwc("build", "--target", "edgetpu", "--precision", "fp32", "-o", dir.resolve("e").toString());
    assertEquals(2, edge.code());
    assertOneLine(edge.err(), "edgetpu");
    assertFalse(Files.exists(dir.resolve("e")));
    assertEquals(2, hwc("build", "--target", "x86-fp32", "--shape", "image=1xfoo").code());
    assertEquals(2, hwc("build", "--target", "edgetpu", "--io-layout", "nhcw").code());
  }

  @Test
  void badProfileNamesFileAndLine() throws Exception {
    Path p = dir.resolve("mine.yaml");
    Files.writeString(p, "id: mine\nartifact: onnx\nruntime: onnxruntime\nprecisions: {weights: [fp32], activations: [fp32], io: [fp32]}\nopz: 3\n");
    Result r = hwc("targets", "--profile", p.toString());
    assertEquals(2, r.code());
    assertOneLine(r.err(), "mine.yaml:5");
  }

  @Test
  void inspectShowsHistogramParametersAndLegality() throws Exception {
    Path model = dir.resolve("unet.onnx");
    Files.write(model, new OnnxEmitter().toBytes(SmallModels.unetLike(1)));
    Result r = hwc("inspect", model.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("ConvTranspose"), r.out());
    assertTrue(r.out().contains("edgetpu"), r.out());
    assertTrue(r.out().contains("MACs"), r.out());
    Result json = hwc("inspect", "--json", "--target", "edgetpu", model.toString());
    assertEquals(0, json.code(), json.err());
  }

  @Test
  void inspectMiniLmShowsItsOpsAndWhyTheEdgeTpuCannotRunIt() throws Exception {
    Path model = dir.resolve("minilm.onnx");
    try (var in = CliTest.class.getResourceAsStream("/all-minilm-l6-v2.onnx")) {
      Files.copy(in, model);
    }
    Result r = hwc("inspect", model.toString(), "--shape", "input_ids=1x128", "--shape", "attention_mask=1x128",
        "--shape", "token_type_ids=1x128");
    assertEquals(0, r.code(), r.err());
    // 318 before collapse-reshapes made the attention mask's Unsqueeze(Unsqueeze(m)) one Reshape
    assertTrue(r.out().contains("nodes 491 (317 after hwc's fp32 passes)"), r.out());
    assertTrue(r.out().contains("MACs 1.43 G"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("MatMul\\s+48")), r.out());
    // ONNX Runtime targets are judged on the fused graph: 6 Attention, 12 SkipLayerNormalization, 6 BiasGelu
    assertTrue(r.out().lines().anyMatch(l -> l.matches("x86-fp32\\s+56/56\\s+0\\s+0\\s+-")), r.out());
    // TFLite targets are judged on the graph their backend lowers: the erf GELUs fused into Gelu, and on
    // the Edge TPU the lowered ops themselves (what the build's mapping report judges)
    assertTrue(r.out().contains("GELU is not on the Edge TPU's supported list (from Gelu '"), r.out());
    // 380 lowered ops before the exporter-idiom passes (collapsed reshapes, Div by constants as Mul)
    assertTrue(r.out().lines().anyMatch(l -> l.matches("edgetpu\\s+0/361 TFLite ops\\s+221\\s+140\\s+op #0 RESHAPE .*")), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("arm64-int8\\s+293/293\\s+0\\s+0\\s+-")), r.out());
  }

  private Result assertBadInputAndNoOutput(Path model, String mention) throws Exception {
    Path out = dir.resolve("out-" + model.getFileName());
    Result r = hwc("build", "--target", "x86-fp32", model.toString(), "-o", out.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertOneLine(r.err(), mention);
    assertFalse(Files.exists(out), "no output folder after a failed build");
    try (var s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().matches(".*\\.(tmp|hwc-staging|hwc-old)-.*")), "no staging folder left");
    }
    return r;
  }

  private static void assertOneLine(String err, String mention) {
    assertEquals(1, err.strip().lines().count(), "expected one line, got:\n" + err);
    assertTrue(err.contains(mention), "expected '" + mention + "' in: " + err);
  }

  private static OnnxMl.ValueInfoProto valueInfo(String name, long n) {
    return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1)
            .setShape(OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(n))))).build();
  }
}

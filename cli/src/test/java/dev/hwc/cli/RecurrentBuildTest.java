package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.onnx.OnnxFrontend;
import dev.hwc.compiler.zoo.RecurrentModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code hwc build} of the LSTM and GRU sequence models: x86-fp32 matches the source on ONNX Runtime
 * to 1e-5 per output; x86-int8 quantizes the projection and the classifier and keeps the recurrent op
 * float (its weights stay fp32 in the artifact); a TFLite target refuses with one line naming the op
 * as recurrent; the state outputs keep their names.
 */
class RecurrentBuildTest {
  @TempDir Path dir;

  static Stream<Graph> models() {
    return Stream.of(RecurrentModels.lstm(), RecurrentModels.gru());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void buildsForX86Fp32AndInt8WithTheRecurrentOpKeptFloat(Graph g) throws Exception {
    String op = g.nodes().stream().map(Node::op).filter(o -> o.equals("LSTM") || o.equals("GRU")).findFirst().orElseThrow();
    Path model = dir.resolve(g.name() + ".onnx");
    CliTest.fp32BuildWithin(g, model, dir.resolve("fp32"), 1e-5);

    Path int8 = dir.resolve("int8");
    CliTest.Result r = CliTest.hwc("build", "--target", "x86-int8", model.toString(), "--calib", "random", "--bench-seconds", "0",
        "-o", int8.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode report = new ObjectMapper().readTree(int8.resolve("report.json").toFile());
    assertEquals("int8", report.get("precision").asText());
    for (JsonNode o : report.get("fidelity").get("outputs")) {
      System.out.println(g.name() + " x86-int8 " + o.get("output") + ": max abs " + o.get("maxAbs") + ", cosine "
          + o.get("cosine"));
      assertTrue(o.get("cosine").asDouble() >= 0.99, o.toString());
    }
    Path artifact;
    try (Stream<Path> s = Files.list(int8)) {
      artifact = s.filter(p -> p.toString().endsWith(".onnx")).findFirst().orElseThrow();
    }
    Graph built = new OnnxFrontend().read(artifact);
    Node rec = built.nodes().stream().filter(n -> n.op().equals(op)).findFirst().orElseThrow();
    for (int i = 1; i <= 2; i++) {
      assertEquals(DType.FLOAT, built.initializer(rec.input(i)).dtype(), op + " input " + i + " stays fp32");
    }
    // quantized either way the plan search may choose: MatMulInteger (dynamic) or a MatMul between
    // DequantizeLinear inputs (static QDQ, which ONNX Runtime runs as an integer MatMul)
    for (Node mm : built.nodes().stream().filter(n -> n.op().equals("MatMul")).toList()) {
      for (String in : mm.inputs()) {
        Node p = built.producer(in);
        assertTrue(p != null && p.op().equals("DequantizeLinear"), "MatMul " + mm.name() + " reads " + in + " in float");
      }
    }
    assertTrue(built.nodes().stream().anyMatch(n -> n.op().equals("MatMulInteger") || n.op().equals("DequantizeLinear")));
    assertTrue(built.outputs().stream().anyMatch(v -> v.name().equals("h_n")), "the state output keeps its name");

    r = CliTest.hwc("build", "--target", "arm64-int8", model.toString(), "--calib", "random", "--bench-seconds", "0",
        "-o", dir.resolve("arm").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    String last = r.err().strip();
    assertTrue(last.contains(op + " [recurrent] (1 node)") && !last.contains("\n"), last);
    assertFalse(Files.exists(dir.resolve("arm").resolve(g.name() + ".tflite")));
  }
}

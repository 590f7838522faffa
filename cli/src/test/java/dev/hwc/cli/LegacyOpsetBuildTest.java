package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hwc build} of an opset-9 model (Upsample with a scales input, Slice with attributes, a Clip
 * with attributes): the frontend raises it to 11 and the artifact is checked against the original
 * opset-9 file on ONNX Runtime.
 */
class LegacyOpsetBuildTest {
  @TempDir Path dir;

  /** conv-relu, Upsample x2, old Slice cropping a border, conv, old Clip: at opset 9. */
  static Graph opset9Model() {
    GraphBuilder weights = new GraphBuilder("w", 4);
    Graph.Editor e = Graph.Editor.empty("legacy_upsample", 9);
    e.inputs().add(new Value("image", DType.FLOAT, Shape.of(1, 3, 16, 16)));
    e.putInitializer("w1", weights.randomNormal(0.3, 8, 3, 3, 3));
    e.putInitializer("b1", weights.randomNormal(0.1, 8));
    e.putInitializer("w2", weights.randomNormal(0.2, 4, 8, 3, 3));
    e.putInitializer("scales", Tensor.ofFloats(new long[] {4}, 1, 1, 2, 2));
    Attributes conv = Attributes.of("kernel_shape", new long[] {3, 3}, "pads", new long[] {1, 1, 1, 1});
    e.addNode(new Node("conv1", "Conv", List.of("image", "w1", "b1"), List.of("c1"), conv));
    e.addNode(new Node("relu1", "Relu", List.of("c1"), List.of("r1"), Attributes.EMPTY));
    e.addNode(new Node("up", "Upsample", List.of("r1", "scales"), List.of("u"), Attributes.of("mode", "nearest")));
    e.addNode(new Node("crop", "Slice", List.of("u"), List.of("s"),
        Attributes.of("starts", new long[] {2, 2}, "ends", new long[] {-2, -2}, "axes", new long[] {2, 3})));
    e.addNode(new Node("conv2", "Conv", List.of("s", "w2"), List.of("c2"), conv));
    e.addNode(new Node("clip", "Clip", List.of("c2"), List.of("mask"), Attributes.of("min", 0f, "max", 6f)));
    e.outputs().add(new Value("mask", DType.FLOAT, Shape.of(1, 4, 28, 28)));
    return e.build();
  }

  @Test
  void anOpset9ModelWithUpsampleAndOldSliceBuildsAndMatchesOnOrt() throws Exception {
    Path model = dir.resolve("legacy.onnx");
    new OnnxEmitter().emit(opset9Model(), model);
    Path out = dir.resolve("out");
    CliTest.Result r = CliTest.hwc("build", "--target", "x86-fp32", model.toString(), "--bench-seconds", "0",
        "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    for (JsonNode o : report.get("fidelity").get("outputs")) {
      System.out.println("opset-9 model output " + o.get("output") + ": max abs " + o.get("maxAbs") + ", cosine " + o.get("cosine"));
      assertTrue(o.get("maxAbs").asDouble() <= 1e-4, o.toString());
    }
    CliTest.Result inspect = CliTest.hwc("inspect", model.toString());
    assertEquals(0, inspect.code(), inspect.err());
  }
}

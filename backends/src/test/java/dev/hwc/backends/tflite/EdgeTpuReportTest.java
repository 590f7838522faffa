package dev.hwc.backends.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hwc.backends.calib.Calibrator;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.analysis.ModelStats;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.passes.UpgradeOpset;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.profiles.Profile;
import dev.hwc.profiles.ProfileLoader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Edge TPU report on real int8 TFLite lowerings: QDQ graphs calibrated and quantized the way
 * the CLI's static int8 plan does it, against the built-in {@code edgetpu} profile.
 */
class EdgeTpuReportTest {
  static final Profile EDGETPU = ProfileLoader.builtin("edgetpu");

  /** The optimized float graph, as the build runs it before quantization. */
  static Graph optimized(Graph g) {
    return Pipeline.standard().run(g, PassContext.forTests());
  }

  /** A static int8 QDQ graph of an optimized graph: Int8Search.staticPlan without the gate. */
  static Graph qdq(Graph optimized) throws Exception {
    Graph g = UpgradeOpset.to(optimized, UpgradeOpset.QDQ_PER_AXIS_OPSET);
    return Int8Graphs.staticQdq(g, EDGETPU, SampleSet.random(g.inputs(), 8, 100));
  }

  static EdgeTpuReport.Report int8Report(Graph optimized) throws Exception {
    Graph q = qdq(optimized);
    TflModel m = TfliteLowering.lower(q, TfliteLowering.Options.FULL_INTEGER).model();
    EdgeTpuReport.Report r = EdgeTpuReport.analyze(m, q, EDGETPU);
    print(optimized.name(), r);
    return r;
  }

  static void print(String name, EdgeTpuReport.Report r) {
    System.out.println("== " + name);
    for (EdgeTpuReport.OpReport o : r.ops()) {
      System.out.printf("  #%d %s v%d %s (%s%s) macs %d params %d: %s%n", o.index(), o.builtin(), o.version(),
          o.origin(), o.irOp(), o.role().isEmpty() ? "" : ", " + o.role(), o.macs(), o.paramBytes(), o.status());
    }
    System.out.println(r.summary());
  }

  /** MACs of the weighted IR nodes, by ModelStats. */
  static long irMacs(Graph g) {
    long sum = 0;
    for (Node n : g.nodes()) {
      if (Set.of("Conv", "ConvTranspose", "Gemm", "MatMul").contains(n.op())) {
        sum += ModelStats.macs(g, n);
      }
    }
    return sum;
  }

  static void assertAllOnTpu(EdgeTpuReport.Report r, Graph optimized) {
    assertEquals(-1, r.splitIndex(), r.summary());
    assertEquals(r.opsTotal(), r.opsOnTpu());
    assertTrue(r.ops().stream().allMatch(o -> o.status().equals("TPU") && o.reasons().isEmpty()));
    assertEquals(1.0, r.tpuMacShare());
    assertEquals(irMacs(optimized), r.macsTotal());
    assertEquals(r.macsTotal(), r.macsOnTpu());
    assertTrue(r.cached());
    assertEquals(8388608, r.onChipBytes());
    assertTrue(r.paramBytesOnTpu() > 0 && r.paramBytesOnTpu() < 8388608);
    assertTrue(r.summary().contains("cached on chip"), r.summary());
  }

  @Test
  void depthwiseSeparableMapsEntirely() throws Exception {
    Graph g = optimized(SmallModels.depthwiseSeparable(11));
    EdgeTpuReport.Report r = int8Report(g);
    assertAllOnTpu(r, g);
    assertTrue(r.ops().stream().anyMatch(o -> o.builtin().equals("DEPTHWISE_CONV_2D")));
  }

  @Test
  void plainConvStackMapsEntirely() throws Exception {
    Graph g = optimized(SmallModels.plainConvStack(11));
    EdgeTpuReport.Report r = int8Report(g);
    assertAllOnTpu(r, g);
    assertTrue(r.ops().stream().anyMatch(o -> o.builtin().equals("FULLY_CONNECTED")));
  }

  /**
   * The UNet-like segmenter does not map entirely: its int8 ConvTranspose has a bias input, which makes
   * TRANSPOSE_CONV v3 (op_version.cc), newer than the profile's v2, so the split is there; its Softmax
   * over the channels of a [1, 3, 64, 32] tensor also breaks Softmax's 1-D limit.
   */
  @Test
  void unetLikeSplitsAtItsTransposeConv() throws Exception {
    Graph g = optimized(SmallModels.unetLike(11));
    EdgeTpuReport.Report r = int8Report(g);
    assertEquals(irMacs(g), r.macsTotal());
    Node up = g.nodes().stream().filter(n -> n.op().equals("ConvTranspose")).findFirst().orElseThrow();
    EdgeTpuReport.OpReport split = r.ops().get(r.splitIndex());
    assertEquals("TRANSPOSE_CONV", split.builtin());
    assertEquals(up.name(), split.origin());
    assertEquals(List.of("Operation version not supported (v3 > v2)"), split.reasons());
    long encoder = 0;
    for (Node n : g.nodes()) {
      if (n == up) {
        break;
      }
      encoder += ModelStats.macs(g, n);
    }
    assertEquals(encoder, r.macsOnTpu());
    assertEquals((double) encoder / irMacs(g), r.tpuMacShare(), 1e-12);
    EdgeTpuReport.OpReport softmax = r.ops().get(r.opsTotal() - 1);
    assertEquals("SOFTMAX", softmax.builtin());
    assertEquals(List.of("Softmax '" + softmax.origin() + "': input [1,3,64,32] has 3 dims > 1, at most 1"),
        softmax.reasons());
    assertTrue(r.ops().subList(0, r.splitIndex()).stream().allMatch(EdgeTpuReport.OpReport::onTpu));
    assertTrue(r.cached());
    System.out.printf("unet-like: split at #%d, MAC share %.6f = %d / %d%n", r.splitIndex(), r.tpuMacShare(),
        encoder, r.macsTotal());

    // as hwc build lowers it for the Edge TPU (the profile allows TRANSPOSE_CONV v2): the bias becomes
    // an ADD, and only the final channel Softmax is left on the CPU, with every MAC on the TPU
    Graph q = qdq(g);
    TflModel m = TfliteLowering.lower(q, TfliteLowering.Options.FULL_INTEGER.withTransposeConvBias(false)).model();
    EdgeTpuReport.Report v2 = EdgeTpuReport.analyze(m, q, EDGETPU);
    print("unet-like, TRANSPOSE_CONV v2 + ADD", v2);
    assertEquals(v2.opsTotal() - 1, v2.splitIndex(), v2.summary());
    assertEquals("SOFTMAX", v2.ops().get(v2.splitIndex()).builtin());
    assertEquals(1.0, v2.tpuMacShare());
  }

  /** conv → conv → HardSwish → conv → conv: HARD_SWISH is not on the list, so the split is there. */
  static Graph hardSwishInTheMiddle() {
    GraphBuilder b = new GraphBuilder("hardswish_middle", 5);
    String x = b.input("image", 1, 3, 32, 32);
    x = b.conv(x, 16, 3, 1);
    x = b.conv(x, 16, 3, 1);
    x = b.node("HardSwish", Attributes.EMPTY, x);
    x = b.conv(x, 16, 3, 1);
    x = b.conv(x, 8, 3, 1);
    b.output(x);
    return b.build();
  }

  @Test
  void unsupportedOpInTheMiddleSplitsThere() throws Exception {
    Graph g = optimized(hardSwishInTheMiddle());
    EdgeTpuReport.Report r = int8Report(g);
    Node hs = g.nodes().stream().filter(n -> n.op().equals("HardSwish")).findFirst().orElseThrow();
    assertEquals(2, r.splitIndex(), r.summary());
    EdgeTpuReport.OpReport split = r.ops().get(r.splitIndex());
    assertEquals(hs.name(), split.origin());
    assertEquals("HardSwish", split.irOp());
    assertEquals("HARD_SWISH", split.builtin());
    assertEquals("", split.role());
    assertTrue(split.status().startsWith("CPU (unsupported: "), split.status());
    for (EdgeTpuReport.OpReport o : r.ops().subList(r.splitIndex() + 1, r.opsTotal())) {
      assertEquals("CPU (after the split at op #" + r.splitIndex() + " HARD_SWISH '" + hs.name() + "')", o.status());
      assertFalse(o.onTpu());
    }
    List<Node> convs = g.nodes().stream().filter(n -> n.op().equals("Conv")).toList();
    assertEquals(4, convs.size());
    long first2 = ModelStats.macs(g, convs.get(0)) + ModelStats.macs(g, convs.get(1));
    long all = first2 + ModelStats.macs(g, convs.get(2)) + ModelStats.macs(g, convs.get(3));
    assertEquals(all, r.macsTotal());
    assertEquals(first2, r.macsOnTpu());
    assertEquals((double) first2 / all, r.tpuMacShare(), 1e-12);
    assertTrue(r.summary().contains("split at op #2 HARD_SWISH ('" + hs.name() + "')"), r.summary());
    assertTrue(r.summary().contains("2 of 5 ops map to the TPU"), r.summary());
    assertTrue(r.summary().contains("MODEL_int8.tflite into MODEL_int8_edgetpu.tflite"), r.summary());
    System.out.printf("hardswish: MAC share %.6f = %d / %d%n", r.tpuMacShare(), first2, all);
  }

  @Test
  void floatModelStopsAtTheFirstOp() throws Exception {
    Graph g = optimized(hardSwishInTheMiddle());
    TflModel m = TfliteLowering.lower(g, TfliteLowering.Options.FLOAT).model();
    EdgeTpuReport.Report r = EdgeTpuReport.analyze(m, g, EDGETPU);
    print(g.name() + " fp32", r);
    assertEquals(0, r.splitIndex());
    assertEquals(0, r.opsOnTpu());
    assertEquals(0.0, r.tpuMacShare());
    EdgeTpuReport.OpReport first = r.ops().get(0);
    assertTrue(first.status().startsWith("CPU (unsupported: "), first.status());
    assertTrue(first.reasons().stream().anyMatch(s -> s.startsWith(EdgeTpuReport.UNSUPPORTED_TYPE)), first.reasons()::toString);
  }

  @Test
  void reportRoundTripsThroughJackson() throws Exception {
    Graph g = optimized(hardSwishInTheMiddle());
    EdgeTpuReport.Report r = int8Report(g);
    ObjectMapper json = new ObjectMapper();
    String text = json.writeValueAsString(r);
    JsonNode tree = json.readTree(text);
    for (String field : List.of("target", "ops", "splitIndex", "opsOnTpu", "opsTotal", "macsOnTpu", "macsTotal",
        "tpuMacShare", "paramBytesOnTpu", "onChipBytes", "cached")) {
      assertTrue(tree.has(field), field + " in " + text);
    }
    assertEquals("edgetpu", tree.get("target").asText());
    assertEquals(r.splitIndex(), tree.get("splitIndex").asInt());
    assertEquals(r.macsTotal(), tree.get("macsTotal").asLong());
    JsonNode op = tree.get("ops").get(r.splitIndex());
    for (String field : List.of("index", "builtin", "version", "origin", "irOp", "role", "status", "reasons", "macs",
        "paramBytes")) {
      assertTrue(op.has(field), field + " in " + op);
    }
    assertEquals(r.opsTotal(), tree.get("ops").size());
    assertEquals(r, json.readValue(text, EdgeTpuReport.Report.class));
  }
}

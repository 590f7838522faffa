package dev.hwc.backends.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.profiles.ProfileLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segmented Edge TPU deployments of real int8 lowerings: cut where the Edge TPU report says ops stop
 * mapping, each part a model of its own, and the chain of parts (on XNNPACK) bit-identical to the
 * single file.
 */
class EdgeTpuSegmentsTest {
  @TempDir Path dir;

  record Built(TflModel model, EdgeTpuReport.Report report, Path single, Graph qdq) {}

  Built build(Graph source, String name) throws Exception {
    Graph g = Int8Graphs.optimized(source);
    Graph qdq = Int8Graphs.staticQdq(g, EdgeTpuReportTest.EDGETPU, SampleSet.random(g.inputs(), 16, 1));
    TflModel m = TfliteLowering.lower(qdq, TfliteLowering.Options.FULL_INTEGER.withTransposeConvBias(false)).model();
    EdgeTpuReport.Report r = EdgeTpuReport.analyze(m, qdq, ProfileLoader.builtin("edgetpu"));
    Path single = dir.resolve(name + "_int8.tflite");
    Files.write(single, TflWriter.write(m));
    return new Built(m, r, single, qdq);
  }

  Path deploy(Built b, EdgeTpuSegments.Plan plan, String name) throws Exception {
    EdgeTpuSegments.Manifest man = EdgeTpuSegments.write(b.model(), plan, dir, name + "_int8", b.single().getFileName().toString());
    Path json = dir.resolve("deploy.json");
    new com.fasterxml.jackson.databind.ObjectMapper().writeValue(json.toFile(), man);
    return json;
  }

  /** int8 inputs of the single file's own type and shape, from the float samples quantized with its params. */
  static Map<String, Tensor> int8Inputs(EdgeTpuSegments.Plan plan, Map<String, Tensor> floatNchw) {
    Map<String, Tensor> out = new java.util.LinkedHashMap<>();
    for (EdgeTpuSegments.Binding b : plan.inputs()) {
      Tensor t = floatNchw.get(b.name());
      long[] shape = t.shape();
      if (shape.length == 4) {
        t = Tensor.ofBytes(t.dtype(), Layout.permuted(shape, Layout.TO_NHWC), Layout.permute(t.bytes(), shape, Layout.TO_NHWC, 4));
      }
      double[] d = t.toDoubles();
      for (int i = 0; i < d.length; i++) {
        d[i] = Math.max(-128, Math.min(127, Math.round(d[i] / b.scale()) + b.zeroPoint()));
      }
      out.put(b.name(), Tensor.fromDoubles(DType.INT8, t.shape(), d));
    }
    return out;
  }

  /** Runs the single file and the chain on the same int8 inputs: every output byte equal. */
  static int assertChainEqualsSingle(Path single, Path json, EdgeTpuSegments.Plan plan, SampleSet samples) throws Exception {
    int compared = 0;
    try (RuntimeSession one = new TfliteRuntime().open(single, SessionOptions.DEFAULT);
        Deployment chain = Deployment.load(json)) {
      assertEquals(one.outputs().stream().map(v -> v.name()).toList(), chain.outputs().stream().map(v -> v.name()).toList());
      for (int i = 0; i < samples.size(); i++) {
        Map<String, Tensor> feed = int8Inputs(plan, samples.get(i));
        Map<String, Tensor> want = one.run(feed);
        Map<String, Tensor> got = chain.run(feed);
        for (String out : want.keySet()) {
          assertArrayEquals(want.get(out).bytes(), got.get(out).bytes(), "output " + out + ", sample " + i);
          compared++;
        }
      }
    }
    return compared;
  }

  @Test
  void wellLogAttentionIsOneCpuIslandBetweenTwoTpuSegments() throws Exception {
    Built b = build(TokenLayoutTest.smallWellLog(), "welllog");
    EdgeTpuSegments.Plan plan = EdgeTpuSegments.plan(b.model(), b.report(), EdgeTpuSegments.DEFAULT_MAX_SEGMENTS);
    System.out.println(b.report().summary());
    System.out.println(plan.table());
    assertEquals(2, plan.tpuSegments(), plan.table());
    assertEquals("edgetpu", plan.parts().get(0).runtime());
    assertTrue(plan.tpuMacShare() > 0.9, plan.table());
    assertTrue(plan.tpuMacShare() > plan.singleFileTpuMacShare());
    // the single file's split is past the token reshape now: at the attention's first unmappable op
    EdgeTpuReport.OpReport split = b.report().ops().get(b.report().splitIndex());
    assertTrue(!split.builtin().equals("TRANSPOSE"), split.toString());
    assertEquals(b.model().ops.size(), plan.parts().stream().mapToInt(EdgeTpuSegments.Part::ops).sum());
    for (EdgeTpuSegments.Part p : plan.parts()) {
      if (p.onTpu()) { // a TPU segment maps entirely in a report of its own
        TflModel part = EdgeTpuSegments.slice(b.model(), plan, p.index());
        EdgeTpuReport.Report own = EdgeTpuReport.analyze(part, b.qdq(), ProfileLoader.builtin("edgetpu"));
        assertEquals(-1, own.splitIndex(), own.summary());
        assertTrue(p.inputs().stream().allMatch(x -> x.dtype().equals("int8") && x.scale() != null), p.inputs().toString());
      }
    }
    Path json = deploy(b, plan, "welllog");
    int n = assertChainEqualsSingle(b.single(), json, plan, SampleSet.random(b.qdq().inputs(), 3, 42));
    assertEquals(3, n);
  }

  /** conv stack, an activation x activation MatMul (no Edge TPU kernel), conv stack: three parts, the last mapping fully. */
  static Graph matMulInTheMiddle() {
    GraphBuilder b = new GraphBuilder("matmul_middle", 7);
    String x = b.input("image", 1, 3, 16, 16);
    x = b.relu(b.conv(x, 8, 3, 1));
    x = b.relu(b.conv(x, 8, 3, 2));
    x = b.matMul(x, b.transpose(x, 0, 1, 3, 2)); // [1, 8, 8, 8]: each channel's Gram matrix
    x = b.relu(b.conv(x, 8, 3, 1));
    x = b.relu(b.conv(x, 4, 3, 1));
    b.output(x);
    return b.build();
  }

  @Test
  void anUnmappableOpInTheMiddleGivesThreeParts() throws Exception {
    Built b = build(matMulInTheMiddle(), "mm");
    EdgeTpuSegments.Plan plan = EdgeTpuSegments.plan(b.model(), b.report(), EdgeTpuSegments.DEFAULT_MAX_SEGMENTS);
    System.out.println(b.report().summary());
    System.out.println(plan.table());
    assertEquals(3, plan.parts().size(), plan.table());
    assertEquals(java.util.List.of("edgetpu", "cpu", "edgetpu"), plan.parts().stream().map(EdgeTpuSegments.Part::runtime).toList());
    assertTrue(b.report().ops().subList(plan.parts().get(2).firstOp(), b.model().ops.size()).stream()
        .allMatch(o -> o.reasons().isEmpty()), "the later part maps op by op");
    TflModel last = EdgeTpuSegments.slice(b.model(), plan, 2);
    assertEquals(-1, EdgeTpuReport.analyze(last, b.qdq(), ProfileLoader.builtin("edgetpu")).splitIndex());
    // the single file maps the first conv stack only; the segments map both
    assertEquals((double) plan.parts().get(0).macs() / plan.macsTotal(), b.report().tpuMacShare(), 1e-12);
    assertEquals(1.0, plan.tpuMacShare(), plan.table());
    // one TPU segment allowed: the one with more MACs
    EdgeTpuSegments.Plan one = EdgeTpuSegments.plan(b.model(), b.report(), 1);
    assertEquals(1, one.tpuSegments());
    assertTrue(one.tpuMacShare() < plan.tpuMacShare());
    Path json = deploy(b, plan, "mm");
    assertEquals(4, assertChainEqualsSingle(b.single(), json, plan, SampleSet.random(b.qdq().inputs(), 4, 5)));
  }
}

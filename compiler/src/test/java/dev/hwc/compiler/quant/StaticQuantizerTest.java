package dev.hwc.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.profiles.ProfileLoader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StaticQuantizerTest {
  private static Graph residual() {
    return Pipeline.standard().run(SmallModels.residualAdd(3));
  }

  private static Map<String, double[]> ranges(StaticQuantizer.Plan plan) {
    Map<String, double[]> r = new HashMap<>();
    plan.toCalibrate().forEach(v -> r.put(v, new double[] {-2, 6}));
    return r;
  }

  @Test
  void x86PlanQuantizesConvsAndResidualAddsAndAbsorbsRelus() {
    Graph g = residual();
    QuantScheme s = QuantScheme.of(ProfileLoader.builtin("x86-int8"));
    StaticQuantizer.Plan plan = StaticQuantizer.plan(g, s, Set.of());
    long convs = g.nodes().stream().filter(n -> n.op().equals("Conv")).count();
    long adds = g.nodes().stream().filter(n -> n.op().equals("Add")).count();
    assertEquals(convs + adds, plan.nodes().size(), plan.nodes().toString());
    assertEquals(g.nodes().stream().filter(n -> n.op().equals("Relu")).count() - 1, plan.absorbed().size(),
        "every Relu but the one writing the graph output is absorbed into its producer's Q");
    Graph q = StaticQuantizer.apply(g.edit().opset(13).build(), plan, ranges(plan), s);
    assertEquals(List.of(), GraphValidator.validate(q));
    assertEquals(1, q.nodes().stream().filter(n -> n.op().equals("Relu")).count());
    for (Node n : q.nodes()) {
      if (n.op().equals("QuantizeLinear")) {
        assertEquals(DType.UINT8, q.initializer(n.input(2)).dtype(), "x86 activations are uint8");
        // or an integer Pad of an input conv's channels (QdqOrtConvForms), itself read by DQs only
        assertTrue(q.consumers(n.output(0)).stream().allMatch(c -> c.op().equals("DequantizeLinear")
            || c.op().equals("Pad") && q.consumers(c.output(0)).stream().allMatch(d -> d.op().equals("DequantizeLinear"))),
            "a Q feeds only DQs");
      }
      if (n.op().equals("Conv")) {
        assertEquals("DequantizeLinear", q.producer(n.input(1)).op(), "weights behind DQ");
        Tensor w = q.initializer(q.producer(n.input(1)).input(0));
        assertEquals(DType.INT8, w.dtype());
        assertEquals(DType.INT32, q.initializer(q.producer(n.input(2)).input(0)).dtype(), "int32 bias");
      }
      if (n.op().equals("DequantizeLinear")) {
        assertEquals(1, q.consumers(n.output(0)).size() + (q.isGraphOutput(n.output(0)) ? 1 : 0),
            "one reader per DQ");
      }
    }
  }

  @Test
  void cudaInt8HasOnlySymmetricQdqWithZeroPointsZero() {
    for (SmallModels.Entry e : SmallModels.all()) {
      Graph g = Pipeline.standard().run(e.factory().apply(5)).edit().opset(13).build();
      QuantScheme s = QuantScheme.of(ProfileLoader.builtin("cuda-int8"));
      StaticQuantizer.Plan plan = StaticQuantizer.plan(g, s, Set.of());
      assertTrue(plan.absorbed().isEmpty(), "symmetric Q cannot stand in for a Relu");
      Graph q = StaticQuantizer.apply(g, plan, ranges(plan), s);
      assertEquals(List.of(), GraphValidator.validate(q), e.name());
      long qdq = 0;
      for (Node n : q.nodes()) {
        if (n.op().equals("QuantizeLinear") || n.op().equals("DequantizeLinear")) {
          qdq++;
          Tensor zp = q.initializer(n.input(2));
          assertTrue(zp.dtype() == DType.INT8 || zp.dtype() == DType.INT32, e.name() + " " + zp.dtype());
          for (double z : zp.toDoubles()) {
            assertEquals(0.0, z, e.name() + ": " + n.describe());
          }
        }
      }
      assertTrue(qdq > 0, e.name());
    }
  }

  @Test
  void perChannelWeightsRoundTripWithinHalfAStep() {
    Graph g = residual();
    Tensor w = g.initializer(g.nodes().get(0).input(1));
    WeightQuantizer.Quantized q = WeightQuantizer.perChannel(w, 0, 127);
    double[] a = w.toDoubles();
    double[] b = q.dequantized().toDoubles();
    long per = a.length / w.shape()[0];
    for (int i = 0; i < a.length; i++) {
      double step = q.params().scale()[(int) (i / per)];
      assertTrue(Math.abs(a[i] - b[i]) <= step / 2 + 1e-7, "element " + i);
    }
  }

  /**
   * A MatMul (x · W + b, as in transformers) has no bias input: its bias correction lands in the Add
   * that reads it, as Δb = (W − Ŵ)ᵀ E[x], and the MatMul's quantized weights are unchanged.
   */
  @Test
  void matMulBiasCorrectionFoldsIntoItsBiasAdd() {
    dev.hwc.compiler.GraphBuilder b = new dev.hwc.compiler.GraphBuilder("mm_bias", 2);
    String x = b.input("x", 1, 4, 8);
    String w = b.constant("w", Tensor.ofFloats(new long[] {8, 6}, randomFloats(48, 5)));
    String bias = b.constant("b", Tensor.ofFloats(new long[] {6}, 0.1f, -0.2f, 0.3f, 0f, 0.5f, -0.5f));
    b.output(b.add(b.matMul(x, w), bias));
    Graph g = b.build().edit().opset(13).build();
    QuantScheme s = QuantScheme.of(ProfileLoader.builtin("x86-int8"));
    StaticQuantizer.Plan plan = StaticQuantizer.plan(g, s, Set.of());
    float[] mean = {1, -2, 0.5f, 3, 0, 1, -1, 2};
    Map<String, double[]> r = ranges(plan);
    Graph plain = StaticQuantizer.apply(g, plan, r, s);
    Graph corrected = StaticQuantizer.apply(g, plan, r, Map.of("x", mean), s);
    Node mm = g.nodes().stream().filter(n -> n.op().equals("MatMul")).findFirst().orElseThrow();
    Node add = g.nodes().stream().filter(n -> n.op().equals("Add")).findFirst().orElseThrow();
    String biasName = add.input(1);
    Tensor wq = WeightQuantizer.perChannel(g.initializer(mm.input(1)), 1, 127).dequantized();
    float[] delta = BiasCorrection.gemm(g.initializer(mm.input(1)), wq, mean, false);
    float[] before = plain.initializer(biasName).toFloats();
    float[] after = corrected.initializer(biasName).toFloats();
    double moved = 0;
    for (int i = 0; i < 6; i++) {
      assertEquals(before[i] + delta[i], after[i], 1e-6, "column " + i);
      moved += Math.abs(delta[i]);
    }
    assertTrue(moved > 0, "the weights' rounding moves the mean output");
    assertEquals(List.of(), GraphValidator.validate(corrected));
  }

  private static float[] randomFloats(int n, long seed) {
    java.util.Random r = new java.util.Random(seed);
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) r.nextGaussian();
    }
    return f;
  }
}

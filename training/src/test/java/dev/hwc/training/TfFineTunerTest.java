package dev.hwc.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.build.Compression;
import dev.hwc.build.FineTuner;
import dev.hwc.common.BadInputException;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.prune.PrunableWeights;
import dev.hwc.compiler.prune.Sparsity;
import dev.hwc.compiler.zoo.WellLogNet;
import dev.hwc.hwtests.welllog.WellLogGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Distillation of a pruned tiny well-log net from its unpruned self: the pruned zeros stay exactly
 * zero, the loss falls, and on strips it never saw the student agrees with the teacher more than the
 * pruned model did.
 */
class TfFineTunerTest {
  static final long[] SHAPE = {1, 1, 64, 32};

  static SampleSet strips(long base, int n) {
    WellLogGenerator gen = new WellLogGenerator(32, 64);
    List<Map<String, Tensor>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Map.of(WellLogNet.INPUT, Tensor.ofFloats(SHAPE, gen.generate(base + i).image())));
    }
    return SampleSet.of(out);
  }

  /** Mean squared difference of the mask probabilities against the teacher's, over the samples. */
  static double distance(Graph student, Graph teacher, SampleSet s) {
    double sum = 0;
    long n = 0;
    for (int i = 0; i < s.size(); i++) {
      float[] a = Trainer.infer(student, s.get(i), List.of(WellLogNet.OUTPUT), 1).get(WellLogNet.OUTPUT).toFloats();
      float[] b = Trainer.infer(teacher, s.get(i), List.of(WellLogNet.OUTPUT), 1).get(WellLogNet.OUTPUT).toFloats();
      for (int k = 0; k < a.length; k++) {
        sum += (a[k] - b[k]) * (a[k] - b[k]);
        n++;
      }
    }
    return sum / n;
  }

  static long zeros(Graph g) {
    long z = 0;
    for (PrunableWeights.Weight w : PrunableWeights.of(g)) {
      for (float v : g.initializer(w.name()).toFloats()) {
        z += v == 0f ? 1 : 0;
      }
    }
    return z;
  }

  @Test
  void distillationKeepsTheZerosAndRecoversTheTeacher() {
    Graph teacher = TrainerTest.train(WellLogNet.build(TrainerTest.TINY, 3), 40).graph();
    Compression c = new Compression(new Compression.Pruning(Compression.Kind.UNSTRUCTURED, 0.7, null, null),
        new Compression.FineTune(60, true, 0, 0, 3e-3, 2, null));
    Graph pruned = c.apply(teacher, PassContext.defaults());
    long prunedZeros = zeros(pruned);
    assertTrue(prunedZeros > 0);

    FineTuner tuner = FineTuner.load();
    assertInstanceOf(TfFineTuner.class, tuner, "found through ServiceLoader");
    FineTuner.Result r = tuner.fineTune(new FineTuner.Request(pruned, teacher, strips(1000, 8), c.fineTune(), null));

    assertEquals(60, r.steps());
    assertEquals(prunedZeros, zeros(r.graph()), "every pruned weight is still exactly zero");
    for (PrunableWeights.Weight w : PrunableWeights.of(pruned)) {
      float[] before = w.tensor().toFloats();
      float[] after = r.graph().initializer(w.name()).toFloats();
      for (int i = 0; i < before.length; i++) {
        if (before[i] == 0f) {
          assertEquals(0f, after[i], w.name() + "[" + i + "]");
        }
      }
    }
    assertTrue(r.lossAfter() < 0.7 * r.lossBefore(), "loss " + r.lossBefore() + " -> " + r.lossAfter());
    SampleSet unseen = strips(5000, 4);
    double pruneGap = distance(pruned, teacher, unseen);
    double tunedGap = distance(r.graph(), teacher, unseen);
    assertTrue(tunedGap < 0.7 * pruneGap, "squared distance to the teacher on unseen strips " + pruneGap + " -> " + tunedGap);
  }

  /**
   * The last third of the steps with x86-int8's rounding simulated, and the soft-IoU term weighted by
   * the pruned model's measured IoU per mask: the loss still falls, the pruned zeros hold, the student
   * ends nearer the teacher than the pruned model, and the summary says what ran.
   */
  @Test
  void quantizationAwareDistillationWithTheSoftIouTerm() {
    Graph teacher = TrainerTest.train(WellLogNet.build(TrainerTest.TINY, 3), 40).graph();
    Compression c = new Compression(new Compression.Pruning(Compression.Kind.UNSTRUCTURED, 0.6, null, null),
        new Compression.FineTune(60, true, 0, 0, 3e-3, 2, null, 0.5, 20, 0.5));
    Graph pruned = c.apply(teacher, PassContext.defaults());
    long prunedZeros = zeros(pruned);

    FineTuner.Result r = FineTuner.load().fineTune(
        new FineTuner.Request(pruned, teacher, strips(1000, 8), c.fineTune(), null, FakeQuantTest.X86));

    assertEquals(60, r.steps());
    assertEquals(prunedZeros, zeros(r.graph()), "fake quantization rounds in the forward pass only; the zeros hold");
    // the soft-IoU term against one-hot masks has a floor (the teacher itself is not one-hot): a smaller fall
    assertTrue(r.lossAfter() < 0.8 * r.lossBefore(), "loss " + r.lossBefore() + " -> " + r.lossAfter());
    assertTrue(r.summary().contains("the last 20 steps with the target's int8 rounding simulated"), r.summary());
    assertTrue(r.summary().contains("soft-IoU term on " + WellLogNet.OUTPUT), r.summary());
    SampleSet unseen = strips(5000, 4);
    double pruneGap = distance(pruned, teacher, unseen);
    double tunedGap = distance(r.graph(), teacher, unseen);
    assertTrue(tunedGap < 0.7 * pruneGap, "squared distance to the teacher on unseen strips " + pruneGap + " -> " + tunedGap);
  }

  @Test
  void softIouWeightsFollowTheMeasuredIou() {
    float[] w = TfFineTuner.iouWeights(new double[] {0.99, 0.95, 0.90}, 1.5);
    assertEquals(1.5, w[0] + w[1] + w[2], 1e-6);
    assertEquals(1.5 * 0.01 / 0.16, w[0], 1e-6); // in proportion to 1 - IoU: 0.01, 0.05, 0.10
    assertEquals(1.5 * 0.05 / 0.16, w[1], 1e-6);
    assertEquals(1.5 * 0.10 / 0.16, w[2], 1e-6);
    float[] same = TfFineTuner.iouWeights(new double[] {1, 1}, 1);
    assertEquals(0.5, same[0], 1e-6);
  }

  /**
   * Channel pruning leaves no zeros to hold but new, smaller weight shapes (the attention's and the
   * skip concatenations' consumers cut with them): distillation trains that graph as it is, keeps every
   * weight's shape and the MACs, and moves the student towards the teacher on strips it never saw.
   */
  @Test
  void distillationTrainsAChannelPrunedGraphInItsNewShapes() {
    Graph teacher = TrainerTest.train(WellLogNet.build(TrainerTest.TINY, 3), 40).graph();
    Compression c = new Compression(new Compression.Pruning(Compression.Kind.CHANNEL, 0.3, null, null),
        new Compression.FineTune(60, true, 0, 0, 3e-3, 2, null));
    Graph pruned = c.apply(teacher, PassContext.defaults());
    long prunedMacs = Sparsity.macs(pruned).dense();
    assertTrue(prunedMacs < 0.85 * Sparsity.macs(teacher).dense(), "channels removed: MACs " + prunedMacs);

    FineTuner.Result r = FineTuner.load().fineTune(new FineTuner.Request(pruned, teacher, strips(1000, 8), c.fineTune(), null));

    assertEquals(60, r.steps());
    int weights = 0;
    for (PrunableWeights.Weight w : PrunableWeights.of(pruned)) {
      Tensor after = r.graph().initializer(w.name());
      assertEquals(java.util.Arrays.toString(w.tensor().shape()), java.util.Arrays.toString(after.shape()), w.name());
      weights++;
    }
    assertTrue(weights > 5);
    assertEquals(prunedMacs, Sparsity.macs(r.graph()).dense());
    assertTrue(r.lossAfter() < 0.7 * r.lossBefore(), "loss " + r.lossBefore() + " -> " + r.lossAfter());
    SampleSet unseen = strips(5000, 4);
    double pruneGap = distance(pruned, teacher, unseen);
    double tunedGap = distance(r.graph(), teacher, unseen);
    assertTrue(tunedGap < 0.7 * pruneGap, "squared distance to the teacher on unseen strips " + pruneGap + " -> " + tunedGap);
  }

  /** Class weights: share^-rare, capped at 10x the commonest's, the average pixel weighing 1. */
  @Test
  void rareClassesWeighTheirShareToThePowerMinusRare() {
    // NHWC probabilities of 100 pixels over 3 classes: 81 of class 0, 16 of class 1, 1 of class 2, 2 of class 2
    float[] p = new float[300];
    for (int i = 0; i < 100; i++) {
      p[3 * i + (i < 81 ? 0 : i < 97 ? 1 : 2)] = 1;
    }
    List<Map<String, float[]>> t = List.of(Map.of("m", p));
    float[] flat = TfFineTuner.classWeights(t, "m", 3, 0);
    assertEquals(1f, flat[0], 1e-6);
    assertEquals(1f, flat[2], 1e-6);
    float[] sqrt = TfFineTuner.classWeights(t, "m", 3, 0.5);
    assertEquals(Math.sqrt(0.81 / 0.16), sqrt[1] / sqrt[0], 1e-5);
    assertEquals(Math.sqrt(0.81 / 0.03), sqrt[2] / sqrt[0], 1e-5);
    float[] inv = TfFineTuner.classWeights(t, "m", 3, 1);
    assertEquals(0.81 / 0.16, inv[1] / inv[0], 1e-5);
    assertEquals(10, inv[2] / inv[0], 1e-5, "capped at 10x the commonest");
    assertEquals(1, 0.81 * inv[0] + 0.16 * inv[1] + 0.03 * inv[2], 1e-5, "the average pixel weighs 1");
  }

  @Test
  void opsTheBackendCannotLowerAreListedInOneLine() {
    GraphBuilder b = new GraphBuilder("erf", 0);
    String x = b.input("x", 1, 4);
    String y = b.node("Erf", Attributes.EMPTY, b.gemm(x, 4));
    b.output(b.node("Sqrt", Attributes.EMPTY, y));
    Graph g = b.build();
    Compression.FineTune spec = Compression.FineTune.distill(5);
    BadInputException e = assertThrows(BadInputException.class, () -> new TfFineTuner().fineTune(
        new FineTuner.Request(g, g, SampleSet.random(g, 2, 0), spec, null)));
    assertTrue(e.getMessage().contains("cannot lower 2 op types of this model: Erf, Sqrt"), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"));
  }
}

package dev.hwc.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.zoo.WellLogNet;
import dev.hwc.hwtests.welllog.WellLogGenerator;
import dev.hwc.hwtests.welllog.WellLogStrip;
import dev.hwc.training.welllog.WellLogBatches;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A few training steps on a tiny well-log net lower the loss, repeat exactly, and keep the graph's structure. */
class TrainerTest {
  static final WellLogNet.Config TINY = new WellLogNet.Config(64, 32, new int[] {4, 8, 8}, 1, 4);

  static Trainer.Outcome train(Graph g, int steps) {
    WellLogGenerator gen = new WellLogGenerator(32, 64);
    Trainer.Options o = new Trainer.Options(steps, 5e-3, 2, 0.5, 5.0, 1, 0);
    SegmentationLoss loss = new SegmentationLoss(WellLogNet.OUTPUT, new float[] {1, 4, 6}, new int[] {1, 2}, 0.5, 0.5, 1.0);
    return new Trainer(o, null).train(g, Map.of(WellLogNet.INPUT, new long[] {2, 1, 64, 32}), n -> true, loss,
        new WellLogBatches(gen, 2, 0));
  }

  @Test
  void fewStepsLowerTheLossAndRepeat() {
    Graph g = WellLogNet.build(TINY, 1);
    Trainer.Outcome a = train(g, 30);
    List<Trainer.StepLog> log = a.log();
    double first = (log.get(0).loss() + log.get(1).loss() + log.get(2).loss()) / 3;
    double last = (log.get(27).loss() + log.get(28).loss() + log.get(29).loss()) / 3;
    assertTrue(last < first * 0.9, "loss " + first + " -> " + last);

    assertEquals(g.nodes(), a.graph().nodes(), "same structure");
    assertEquals(g.initializers().keySet(), a.graph().initializers().keySet());
    String w0 = g.initializers().keySet().iterator().next();
    assertNotEquals(g.initializer(w0), a.graph().initializer(w0), "new weights");

    Trainer.Outcome b = train(g, 30);
    for (String name : g.initializers().keySet()) {
      assertArrayEquals(a.graph().initializer(name).toFloats(), b.graph().initializer(name).toFloats(), 0f,
          name + " repeats bit for bit with one thread");
    }
  }

  @Test
  void trainedWeightsRunInTheLoweredGraphAtBatchOne() {
    Graph trained = train(WellLogNet.build(TINY, 2), 3).graph();
    WellLogStrip s = new WellLogGenerator(32, 64).generate(9);
    Map<String, Tensor> out = Trainer.infer(trained, Map.of(WellLogNet.INPUT, Tensor.ofFloats(new long[] {1, 1, 64, 32},
        s.image())), List.of(WellLogNet.OUTPUT), 1);
    float[] p = out.get(WellLogNet.OUTPUT).toFloats();
    for (int i = 0; i < 64 * 32; i++) {
      assertEquals(1.0, p[i] + p[i + 64 * 32] + p[i + 2 * 64 * 32], 1e-4, "softmax over the mask channels");
    }
  }

  @Test
  void learningRateWarmsUpThenDecays() {
    Trainer t = new Trainer(new Trainer.Options(100, 1.0, 10, 0.1, 0, 1, 0), null);
    assertEquals(0.1, t.learningRate(0), 1e-12);
    assertEquals(1.0, t.learningRate(9), 1e-12);
    assertEquals(1.0, t.learningRate(10), 1e-12);
    assertEquals(0.1, t.learningRate(100), 1e-9);
    assertTrue(t.learningRate(50) < 1 && t.learningRate(50) > 0.1);
  }
}

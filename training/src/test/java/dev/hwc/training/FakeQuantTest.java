package dev.hwc.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.build.FineTuner;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.zoo.WellLogNet;
import dev.hwc.profiles.ProfileLoader;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Fake quantization: the forward pass rounds as the target's quantizer does (x86-int8: symmetric int8
 * weights in [-127, 127] per output channel, uint8 activations with a zero point), the gradient passes
 * straight through, and the gate switches it off exactly.
 */
class FakeQuantTest {
  static final FineTuner.Int8 X86 = FineTuner.Int8.of(ProfileLoader.builtin("x86-int8"));

  static float[] random(int n, long seed, float lo, float hi) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = lo + (hi - lo) * r.nextFloat();
    }
    return v;
  }

  /** Runs y = fq(x) and d sum(y * c) / dx for a gate value; returns {y, dx}. */
  static float[][] run(boolean weight, float[] x, long[] shape, float[] c, float gateValue) {
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      Ops tf = Ops.create(g);
      FakeQuant fq = new FakeQuant(X86);
      Placeholder<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
      Operand<TFloat32> y = weight ? fq.weight(tf, in, shape.length, shape.length - 1) : fq.activation(tf, in, shape.length);
      Operand<TFloat32> loss = tf.reduceSum(tf.math.mul(y, tf.constant(Shape.of(shape),
          org.tensorflow.ndarray.buffer.DataBuffers.of(c, true, false))), tf.constant(new int[] {0, 1}));
      Output<?>[] grad = g.addGradients(loss.asOutput(), new Output<?>[] {in.asOutput()});
      try (Session s = new Session(g);
          TFloat32 xt = TfTensors.of(x, shape);
          TFloat32 gt = TFloat32.scalarOf(gateValue);
          Result r = s.runner().feed(in, xt).feed(fq.gateOrNull(), gt).fetch(y).fetch(grad[0]).run()) {
        return new float[][] {TfTensors.floats(r.get(0)), TfTensors.floats(r.get(1))};
      }
    }
  }

  @Test
  void weightsRoundPerChannelAndGradientsPassStraightThrough() {
    long[] shape = {6, 4}; // 4 output channels (last axis), each its own scale
    float[] w = random(24, 1, -1f, 1f);
    for (int i = 0; i < 6; i++) {
      w[i * 4 + 2] *= 0.01f; // a channel 100x smaller keeps its own resolution
    }
    float[] c = random(24, 2, -2f, 2f);
    float[][] on = run(true, w, shape, c, 1f);
    for (int ch = 0; ch < 4; ch++) {
      double max = 0;
      for (int i = 0; i < 6; i++) {
        max = Math.max(max, Math.abs(w[i * 4 + ch]));
      }
      double scale = max / 127;
      for (int i = 0; i < 6; i++) {
        int k = i * 4 + ch;
        double expect = Math.max(-127, Math.min(127, Math.rint(w[k] / scale))) * scale;
        assertEquals(expect, on[0][k], 1e-6 * max + 1e-9, "w[" + k + "]");
        assertTrue(Math.abs(on[0][k] - w[k]) <= scale / 2 + 1e-7, "error at most half a step");
      }
    }
    int moved = 0;
    for (int k = 0; k < 24; k++) {
      assertEquals(c[k], on[1][k], 1e-6, "straight-through gradient at " + k);
      moved += on[0][k] != w[k] ? 1 : 0;
    }
    assertTrue(moved > 12, "rounding changed " + moved + " of 24 weights");
    float[][] off = run(true, w, shape, c, 0f);
    for (int k = 0; k < 24; k++) {
      assertEquals(w[k], off[0][k], 0f, "gate 0 is the identity");
      assertEquals(c[k], off[1][k], 1e-6);
    }
  }

  @Test
  void activationsRoundOnTheBatchRangeWithAZeroPoint() {
    long[] shape = {5, 8};
    float[] x = random(40, 3, -0.3f, 2.0f);
    x[7] = 0f;
    float[] c = random(40, 4, -1f, 1f);
    float[][] on = run(false, x, shape, c, 1f);
    double lo = 0;
    double hi = 0;
    for (float v : x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    double scale = (hi - lo) / 255;
    double zp = Math.rint(-lo / scale);
    for (int k = 0; k < 40; k++) {
      double q = Math.max(0, Math.min(255, Math.rint(x[k] / scale) + zp));
      assertEquals((q - zp) * scale, on[0][k], 1e-5, "x[" + k + "]");
      assertEquals(c[k], on[1][k], 1e-6, "straight-through gradient at " + k);
    }
    assertEquals(0f, on[0][7], 0f, "0 is exactly representable");
  }

  /**
   * The lowered well-log net with fake quantization: gate 0 gives the plain lowering's outputs
   * exactly; gate 1 moves them a little (int8 rounding of every convolution's weights and inputs), not a lot.
   */
  @Test
  void loweredNetIsExactWithTheGateOffAndCloseWithItOn() {
    Graph g = WellLogNet.build(TrainerTest.TINY, 3);
    float[] image = random(64 * 32, 5, 0f, 1f);
    Tensor in = Tensor.ofFloats(new long[] {1, 1, 64, 32}, image);
    float[] plain = Trainer.infer(g, Map.of(WellLogNet.INPUT, in), List.of(WellLogNet.OUTPUT), 1).get(WellLogNet.OUTPUT).toFloats();
    float[] off = fakeQuantized(g, in, 0f);
    float[] on = fakeQuantized(g, in, 1f);
    double maxOff = 0;
    double maxOn = 0;
    for (int i = 0; i < plain.length; i++) {
      maxOff = Math.max(maxOff, Math.abs(off[i] - plain[i]));
      maxOn = Math.max(maxOn, Math.abs(on[i] - plain[i]));
    }
    assertEquals(0, maxOff, 1e-6);
    assertTrue(maxOn > 1e-5 && maxOn < 0.2, "int8 rounding moved the mask probabilities by at most " + maxOn);
  }

  static float[] fakeQuantized(Graph g, Tensor in, float gate) {
    try (Lowered l = Lowered.lower(g, Map.of(), name -> true, new FakeQuant(X86));
        Session s = new Session(l.tfGraph())) {
      assertTrue(l.fakeQuantGate() != null, "the convolutions were rounded");
      List<org.tensorflow.Tensor> owned = new java.util.ArrayList<>();
      try {
        Session.Runner r = s.runner();
        TFloat32 x = TfTensors.of(in);
        owned.add(x);
        r.feed(l.input(WellLogNet.INPUT), x);
        Map<String, float[]> w = l.initialValues();
        for (Parameter p : l.parameters()) {
          TFloat32 t = TfTensors.of(w.get(p.name()), p.tfShape());
          owned.add(t);
          r.feed(p.placeholder(), t);
        }
        TFloat32 gt = TFloat32.scalarOf(gate);
        owned.add(gt);
        r.feed(l.fakeQuantGate(), gt);
        try (Result res = r.fetch(l.value(WellLogNet.OUTPUT, Layout.IR)).run()) {
          return TfTensors.floats(res.get(0));
        }
      } finally {
        owned.forEach(org.tensorflow.Tensor::close);
      }
    }
  }
}

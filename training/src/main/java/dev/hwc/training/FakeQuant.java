package dev.hwc.training;

import dev.hwc.build.FineTuner;
import dev.hwc.profiles.ActivationQuant;
import dev.hwc.profiles.WeightQuant;
import java.util.OptionalInt;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.ReduceMin;
import org.tensorflow.types.TFloat32;

/**
 * Fake quantization for quantization-aware fine-tuning: a value is replaced by its int8 rounding
 * (quantize, then dequantize, in float) in the forward pass, while the gradient passes through as if
 * nothing were rounded (the straight-through estimator of Bengio, Léonard and Courville, 2013, as in
 * Jacob et al., "Quantization and Training of Neural Networks for Efficient Integer-Arithmetic-Only
 * Inference", 2018): {@code y = x + gate * stopGradient(q(x) - x)}. The scalar {@code gate},
 * fed per step, switches the rounding on (1) or off (0) in one lowered graph.
 *
 * <ul>
 *   <li>weights: the target's weight rule (symmetric or not, per output channel where the target lists
 *       the op's axis, else one scale per tensor), the scale from the weight's own range, as the
 *       quantizer computes it;</li>
 *   <li>activations: one scale per tensor (and a zero point when asymmetric) from the batch's own
 *       minimum and maximum, 0 always inside the range, as calibration's min/max does over its samples.</li>
 * </ul>
 * Which values are rounded (the weights and the activation input of Conv, ConvTranspose, Gemm and a
 * MatMul by a constant, unless the target keeps the op in float) is the lowering table's choice.
 */
public final class FakeQuant {
  private final FineTuner.Int8 rules;
  private Placeholder<TFloat32> gate;

  public FakeQuant(FineTuner.Int8 rules) {
    this.rules = rules;
  }

  /** Whether the target quantizes this op (it is not among the ops it keeps in float). */
  public boolean quantizes(String op) {
    return !rules.floatOps().contains(op);
  }

  /** The IR-layout per-channel axis of an op's weight, or empty for one scale per tensor. */
  public OptionalInt axisFor(String op) {
    return rules.weights().axisFor(op);
  }

  /** The scalar fed 1 while rounding, 0 otherwise; made on first use. */
  Placeholder<TFloat32> gate(Ops tf) {
    if (gate == null) {
      gate = tf.withName("fake_quant_gate").placeholder(TFloat32.class,
          Placeholder.shape(org.tensorflow.ndarray.Shape.scalar()));
    }
    return gate;
  }

  /** The gate placeholder, or null when no value was rounded. */
  public Placeholder<TFloat32> gateOrNull() {
    return gate;
  }

  /**
   * A weight in TensorFlow layout, fake-quantized: one scale per index of {@code channelAxis} (-1: one
   * for the whole tensor).
   */
  Operand<TFloat32> weight(Ops tf, Operand<TFloat32> w, int rank, int channelAxis) {
    WeightQuant q = rules.weights();
    int[] axes = reduceAxes(rank, channelAxis);
    Operand<TFloat32> lo = tf.reduceMin(w, tf.constant(axes), ReduceMin.keepDims(true));
    Operand<TFloat32> hi = tf.reduceMax(w, tf.constant(axes), ReduceMax.keepDims(true));
    return straightThrough(tf, w, rounded(tf, w, lo, hi, q.symmetric(), q.min(), q.max()));
  }

  /** An activation, fake-quantized with one scale over the whole tensor (the batch's range). */
  Operand<TFloat32> activation(Ops tf, Operand<TFloat32> x, int rank) {
    ActivationQuant q = rules.activations();
    int[] axes = reduceAxes(rank, -1);
    Operand<TFloat32> lo = tf.reduceMin(x, tf.constant(axes));
    Operand<TFloat32> hi = tf.reduceMax(x, tf.constant(axes));
    return straightThrough(tf, x, rounded(tf, x, lo, hi, q.symmetric(), q.min(), q.max()));
  }

  private Operand<TFloat32> straightThrough(Ops tf, Operand<TFloat32> x, Operand<TFloat32> q) {
    return tf.math.add(x, tf.math.mul(gate(tf), tf.stopGradient(tf.math.sub(q, x))));
  }

  /**
   * x rounded onto the integer grid [qmin, qmax] that covers [lo, hi] (widened to hold 0): symmetric,
   * scale max(|lo|, |hi|) / qmax and zero point 0; else scale (hi - lo) / (qmax - qmin) and the zero
   * point that maps 0 exactly.
   */
  static Operand<TFloat32> rounded(Ops tf, Operand<TFloat32> x, Operand<TFloat32> lo, Operand<TFloat32> hi,
      boolean symmetric, int qmin, int qmax) {
    Operand<TFloat32> zero = tf.constant(0f);
    Operand<TFloat32> l = tf.math.minimum(lo, zero);
    Operand<TFloat32> h = tf.math.maximum(hi, zero);
    Operand<TFloat32> scale;
    Operand<TFloat32> zp;
    if (symmetric) {
      scale = tf.math.div(tf.math.maximum(tf.math.neg(l), h), tf.constant((float) qmax));
      zp = zero;
    } else {
      scale = tf.math.div(tf.math.sub(h, l), tf.constant((float) (qmax - qmin)));
      zp = tf.math.round(tf.math.sub(tf.constant((float) qmin), tf.math.div(l, tf.math.maximum(scale, tf.constant(1e-12f)))));
    }
    scale = tf.math.maximum(scale, tf.constant(1e-12f)); // an all-zero tensor rounds to itself
    Operand<TFloat32> qv = tf.clipByValue(tf.math.add(tf.math.round(tf.math.div(x, scale)), zp),
        tf.constant((float) qmin), tf.constant((float) qmax));
    return tf.math.mul(tf.math.sub(qv, zp), scale);
  }

  private static int[] reduceAxes(int rank, int keep) {
    int[] axes = new int[keep < 0 ? rank : rank - 1];
    int j = 0;
    for (int i = 0; i < rank; i++) {
      if (i != keep) {
        axes[j++] = i;
      }
    }
    return axes;
  }
}

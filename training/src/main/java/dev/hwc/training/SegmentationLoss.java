package dev.hwc.training;

import dev.hwc.compiler.ir.Node;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A loss for masks with thin structures: class-weighted cross-entropy over every pixel plus a
 * Tversky term (Dice when alpha = beta = 0.5) on the chosen channels, each channel's true/false
 * positives summed over the whole batch so that a strip without that structure does not divide by
 * zero. The target is fed as one-hot [N, H, W, C] (channels last) under the name {@link #TARGET}.
 *
 * <p>When the mask output is produced by a Softmax over channels, the loss reads its logits and uses
 * LogSoftmax (exact gradients); otherwise it takes log(p + 1e-7).
 *
 * @param output the mask output (NCHW in the IR)
 * @param classWeights cross-entropy weight per channel
 * @param overlapChannels channels the Tversky term covers
 * @param alpha Tversky weight of false positives
 * @param beta Tversky weight of false negatives
 * @param overlapWeight the Tversky term's weight beside the cross-entropy
 */
public record SegmentationLoss(String output, float[] classWeights, int[] overlapChannels, double alpha, double beta,
    double overlapWeight) implements LossGraph.Builder {
  public static final String TARGET = "target";

  @Override
  public LossGraph build(Lowered model) {
    Ops tf = model.tf();
    long[] s = model.graph().type(output).shape().sizes();
    int channels = (int) s[1];
    if (classWeights.length != channels) {
      throw new IllegalArgumentException("output '" + output + "' has " + channels + " channels, "
          + classWeights.length + " class weights given");
    }
    Placeholder<TFloat32> target = tf.withName("target_onehot").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(s[0], s[2], s[3], s[1])));
    // Everything is computed on [pixels, C]: TensorFlow's C++ gradient of LogSoftmax sums over axis 1,
    // which is right only for 2-D inputs.
    Operand<TFloat32> y = tf.reshape(target, tf.constant(new int[] {-1, channels}));
    Node producer = model.graph().producer(output);
    Operand<TFloat32> logp;
    if (producer != null && producer.op().equals("Softmax") && softmaxOverChannels(model, producer)) {
      logp = tf.nn.logSoftmax(tf.reshape(model.value(producer.input(0), Layout.NHWC), tf.constant(new int[] {-1, channels})));
    } else {
      logp = tf.math.log(tf.math.add(tf.reshape(model.value(output, Layout.NHWC), tf.constant(new int[] {-1, channels})),
          tf.constant(1e-7f)));
    }
    Operand<TFloat32> weights = tf.constant(classWeights);
    Operand<TFloat32> wy = tf.math.mul(y, weights);
    Operand<TFloat32> ce = tf.math.div(
        tf.math.neg(tf.reduceSum(tf.math.mul(wy, logp), tf.constant(new int[] {0, 1}))),
        tf.reduceSum(wy, tf.constant(new int[] {0, 1})));

    Operand<TFloat32> p = tf.math.exp(logp);
    Operand<TFloat32> tp = tf.reduceSum(tf.math.mul(p, y), tf.constant(0));
    Operand<TFloat32> sumP = tf.reduceSum(p, tf.constant(0));
    Operand<TFloat32> sumY = tf.reduceSum(y, tf.constant(0));
    Operand<TFloat32> fp = tf.math.sub(sumP, tp);
    Operand<TFloat32> fn = tf.math.sub(sumY, tp);
    Operand<TFloat32> smooth = tf.constant(1f);
    Operand<TFloat32> tversky = tf.math.div(tf.math.add(tp, smooth), tf.math.add(tf.math.add(tp, smooth),
        tf.math.add(tf.math.mul(fp, tf.constant((float) alpha)), tf.math.mul(fn, tf.constant((float) beta)))));
    float[] mask = new float[channels];
    for (int ch : overlapChannels) {
      mask[ch] = 1f / overlapChannels.length;
    }
    Operand<TFloat32> overlap = tf.math.sub(tf.constant(1f),
        tf.reduceSum(tf.math.mul(tversky, tf.constant(mask)), tf.constant(0)));
    Operand<TFloat32> loss = tf.math.add(ce, tf.math.mul(overlap, tf.constant((float) overlapWeight)));
    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    metrics.put("ce", ce);
    metrics.put("tversky", overlap);
    return new LossGraph(loss, Map.of(TARGET, target), metrics);
  }

  private static boolean softmaxOverChannels(Lowered model, Node softmax) {
    int r = model.graph().type(softmax.input(0)).shape().rank();
    long axis = softmax.attrs().getInt("axis", model.graph().opset() < 13 ? 1 : -1);
    return r == 4 && (axis == 1 || axis == -3);
  }

  /** One-hot channels-last targets [N, H, W, C] from class maps [N][H * W]. */
  public static float[] oneHot(byte[][] classes, int channels) {
    int hw = classes[0].length;
    float[] out = new float[classes.length * hw * channels];
    for (int n = 0; n < classes.length; n++) {
      for (int i = 0; i < hw; i++) {
        out[(n * hw + i) * channels + classes[n][i]] = 1f;
      }
    }
    return out;
  }
}

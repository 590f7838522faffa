package dev.hwc.training;

import dev.hwc.compiler.ir.Node;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Output matching against a teacher, one term per graph output, summed:
 * <ul>
 *   <li>an output made by a Softmax over the channels of an NCHW value (masks, class maps): the
 *       KL divergence from the teacher's probabilities to the student's, per pixel, read from the
 *       student's logits (LogSoftmax, exact gradients), each pixel weighted by its teacher class's
 *       weight (so rare classes, the masks that fail first, count more); optionally plus a soft-IoU
 *       term per class against the teacher's argmax mask, {@code 1 - sum(t q) / (sum(t) + sum(q) -
 *       sum(t q))} over the batch's pixels (t the teacher's one-hot argmax, q the student's
 *       probability), the classes' terms weighted by {@code iouWeights} (the metric the masks are
 *       judged by, made differentiable);</li>
 *   <li>an output made by a Sigmoid: the binary KL divergence per element, from the logits;</li>
 *   <li>any other output: the mean squared error divided by the teacher's variance, so that outputs
 *       of different scales weigh alike.</li>
 * </ul>
 * Targets are fed under the output's name: channels last [N, H, W, C] for softmax masks, the IR
 * layout otherwise. Each term is logged as a metric under the output's name.
 */
public final class DistillationLoss implements LossGraph.Builder {
  /** How one output is matched. */
  public enum Kind { SOFTMAX_CHANNELS, SIGMOID, MSE }

  /**
   * @param output the output's name
   * @param kind how it is matched
   * @param classWeights per channel weight (SOFTMAX_CHANNELS), else null
   * @param scale the MSE divisor (teacher variance), else 1
   * @param weight the term's weight in the sum
   * @param iouWeights per channel weight of the soft-IoU term (SOFTMAX_CHANNELS), null for none
   */
  public record Term(String output, Kind kind, float[] classWeights, double scale, double weight, float[] iouWeights) {
    /** Without a soft-IoU term. */
    public Term(String output, Kind kind, float[] classWeights, double scale, double weight) {
      this(output, kind, classWeights, scale, weight, null);
    }
  }

  private final List<Term> terms;

  public DistillationLoss(List<Term> terms) {
    this.terms = List.copyOf(terms);
  }

  public List<Term> terms() {
    return terms;
  }

  /** The matching each output of a lowered-able graph gets (softmax over channels, sigmoid, else MSE). */
  public static Kind kindOf(dev.hwc.compiler.ir.Graph g, String output) {
    Node p = g.producer(output);
    if (p != null && p.op().equals("Softmax") && g.type(p.input(0)) != null
        && g.type(p.input(0)).shape().rank() == 4) {
      long axis = p.attrs().getInt("axis", g.opset() < 13 ? 1 : -1);
      if (axis == 1 || axis == -3) {
        return Kind.SOFTMAX_CHANNELS;
      }
    }
    if (p != null && p.op().equals("Sigmoid")) {
      return Kind.SIGMOID;
    }
    return Kind.MSE;
  }

  @Override
  public LossGraph build(Lowered model) {
    Ops tf = model.tf();
    Map<String, Placeholder<TFloat32>> targets = new LinkedHashMap<>();
    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    Operand<TFloat32> total = null;
    for (Term t : terms) {
      long[] s = model.graph().type(t.output()).shape().sizes();
      Operand<TFloat32> term;
      String ph = "teacher_" + LoweringContext.tfName(t.output());
      switch (t.kind()) {
        case SOFTMAX_CHANNELS -> {
          int c = (int) s[1];
          Placeholder<TFloat32> y = tf.withName(ph).placeholder(TFloat32.class,
              Placeholder.shape(Shape.of(s[0], s[2], s[3], s[1])));
          targets.put(t.output(), y);
          Node softmax = model.graph().producer(t.output());
          // [pixels, C]: TensorFlow's C++ gradient of LogSoftmax is right only for 2-D inputs
          Operand<TFloat32> logits = tf.reshape(model.value(softmax.input(0), Layout.NHWC), tf.constant(new int[] {-1, c}));
          Operand<TFloat32> p = tf.reshape(y, tf.constant(new int[] {-1, c}));
          Operand<TFloat32> logq = tf.nn.logSoftmax(logits);
          Operand<TFloat32> logp = tf.math.log(tf.math.add(p, tf.constant(1e-12f)));
          Operand<TFloat32> kl = tf.reduceSum(tf.math.mul(p, tf.math.sub(logp, logq)), tf.constant(1));
          Operand<TFloat32> w = tf.reduceSum(tf.math.mul(p, tf.constant(t.classWeights())), tf.constant(1));
          term = tf.math.div(tf.reduceSum(tf.math.mul(w, kl), tf.constant(0)), tf.reduceSum(w, tf.constant(0)));
          if (t.iouWeights() != null) {
            Operand<TFloat32> hard = tf.oneHot(tf.math.argMax(p, tf.constant(1)), tf.constant(c), tf.constant(1f),
                tf.constant(0f));
            Operand<TFloat32> q = tf.math.exp(logq);
            Operand<TFloat32> inter = tf.reduceSum(tf.math.mul(hard, q), tf.constant(0));
            Operand<TFloat32> union = tf.math.sub(tf.math.add(tf.reduceSum(hard, tf.constant(0)),
                tf.reduceSum(q, tf.constant(0))), inter);
            Operand<TFloat32> miss = tf.math.sub(tf.constant(1f), tf.math.div(inter, tf.math.add(union, tf.constant(1e-6f))));
            Operand<TFloat32> soft = tf.reduceSum(tf.math.mul(miss, tf.constant(t.iouWeights())), tf.constant(0));
            metrics.put(t.output() + ":soft-iou-loss", soft);
            term = tf.math.add(term, soft);
          }
        }
        case SIGMOID -> {
          Placeholder<TFloat32> y = tf.withName(ph).placeholder(TFloat32.class, Placeholder.shape(Shape.of(s)));
          targets.put(t.output(), y);
          Node sig = model.graph().producer(t.output());
          Operand<TFloat32> z = model.value(sig.input(0), Layout.IR);
          // binary cross-entropy from logits, minus the teacher's own entropy: the binary KL divergence
          Operand<TFloat32> bce = tf.math.add(tf.math.sub(tf.math.maximum(z, tf.constant(0f)), tf.math.mul(z, y)),
              tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(z)))));
          Operand<TFloat32> eps = tf.constant(1e-12f);
          Operand<TFloat32> ent = tf.math.neg(tf.math.add(tf.math.mul(y, tf.math.log(tf.math.add(y, eps))),
              tf.math.mul(tf.math.sub(tf.constant(1f), y), tf.math.log(tf.math.add(tf.math.sub(tf.constant(1f), y), eps)))));
          term = tf.math.mean(tf.reshape(tf.math.sub(bce, ent), tf.constant(new int[] {-1})), tf.constant(0));
        }
        default -> {
          Placeholder<TFloat32> y = tf.withName(ph).placeholder(TFloat32.class, Placeholder.shape(Shape.of(s)));
          targets.put(t.output(), y);
          Operand<TFloat32> d = tf.math.sub(model.value(t.output(), Layout.IR), y);
          term = tf.math.div(tf.math.mean(tf.reshape(tf.math.mul(d, d), tf.constant(new int[] {-1})), tf.constant(0)),
              tf.constant((float) Math.max(t.scale(), 1e-12)));
        }
      }
      metrics.putIfAbsent(t.output(), term);
      Operand<TFloat32> weighted = tf.math.mul(term, tf.constant((float) t.weight()));
      total = total == null ? weighted : tf.math.add(total, weighted);
    }
    if (total == null) {
      throw new LoweringException("the graph has no outputs to distill");
    }
    return new LossGraph(total, targets, metrics);
  }
}

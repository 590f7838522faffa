package dev.hwc.compiler.ops;

import dev.hwc.compiler.ir.Node;

/**
 * How an op takes part in integer quantization: one entry per op in the registry, beside its shape
 * rule. The target's profile says which of these its runtime runs in integer (and fixes the output
 * params of functions like Sigmoid); the quantizer reads the op's part here.
 *
 * @param kind the op's role in an integer graph
 * @param weightAxis for weighted ops, the axis of the weight (input 1) that holds output channels
 *     (per-channel scales), or -1 for per-tensor; null for ops without weights
 * @param onnxQdq whether hwc wraps it in DQ → op → Q for runtimes that fuse QDQ into integer kernels
 *     (ONNX Runtime's QLinearConv/QGemm/QLinearAdd..., TensorRT's explicit quantization); other
 *     integer ops are quantized only in full-integer formats (TFLite), whose converter lowers each one
 * @param meanAxis for weighted ops whose bias absorbs the weight's rounding error (bias correction), the
 *     axis of input 0 holding the features the weight reduces; null for ops without bias correction
 */
public record QuantRule(Kind kind, WeightAxis weightAxis, boolean onnxQdq, MeanAxis meanAxis) {
  public enum Kind {
    /** No integer kernel: runs in float between DequantizeLinear and QuantizeLinear. */
    FLOAT,
    /** An integer kernel with its own output params (calibrated, or fixed by the function). */
    INTEGER,
    /** Moves or selects data: the output keeps its input's params, nothing is rescaled. */
    SHARED,
    /** A clamp (Relu, Clip(0, c)): an asymmetric Q on its input stands for it, else an integer kernel. */
    CLAMP
  }

  /** The output-channel axis of a weighted node's weight of the given shape; -1 for per-tensor. */
  @FunctionalInterface
  public interface WeightAxis {
    int of(Node n, long[] weightShape);
  }

  /** The axis of a node's input 0 whose per-channel means bias correction needs; -1 when it has none. */
  @FunctionalInterface
  public interface MeanAxis {
    int of(dev.hwc.compiler.ir.Graph g, Node n);
  }

  public static final QuantRule FLOAT = new QuantRule(Kind.FLOAT, null, false, null);
  /** An integer kernel that ONNX Runtime and TensorRT fuse from QDQ. */
  public static final QuantRule INTEGER_QDQ = new QuantRule(Kind.INTEGER, null, true, null);
  /** An integer kernel of full-integer formats only (TFLite's int8 LOGISTIC, SOFTMAX, MEAN...). */
  public static final QuantRule INTEGER = new QuantRule(Kind.INTEGER, null, false, null);
  /**
   * No integer kernel of its own anywhere, but hwc wraps it in DQ -> op -> Q for runtimes that fuse
   * QDQ and rewrites the group into ops they fuse (HardSigmoid: a rescaled DQ, an Add and the Q's
   * saturation, see dev.hwc.compiler.quant.QdqHardActivations).
   */
  public static final QuantRule QDQ_REWRITTEN = new QuantRule(Kind.FLOAT, null, true, null);
  public static final QuantRule SHARED = new QuantRule(Kind.SHARED, null, false, null);
  public static final QuantRule CLAMP = new QuantRule(Kind.CLAMP, null, false, null);

  /** A weighted integer kernel (int8 weights per channel on {@code axis}, int32 bias). */
  public static QuantRule weighted(WeightAxis axis) {
    return new QuantRule(Kind.INTEGER, axis, true, null);
  }

  /** This rule with bias correction from the per-channel means of input 0 along {@code axis}. */
  public QuantRule withMeanAxis(MeanAxis axis) {
    return new QuantRule(kind, weightAxis, onnxQdq, axis);
  }

  /** The input-0 axis bias correction reads for n, or -1 when the op has none. */
  public int meanAxisOf(dev.hwc.compiler.ir.Graph g, Node n) {
    return meanAxis == null ? -1 : meanAxis.of(g, n);
  }

  /** Runs as an integer kernel in some format (its own params or a clamp's). */
  public boolean integer() {
    return kind == Kind.INTEGER || kind == Kind.CLAMP;
  }
}

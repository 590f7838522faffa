package dev.hwc.compiler.quant;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ops.OpRegistry;
import dev.hwc.compiler.ops.QuantRule;
import dev.hwc.common.BadInputException;
import dev.hwc.profiles.FixedRange;
import dev.hwc.profiles.Profile;
import dev.hwc.profiles.Quantization;
import java.util.Map;
import java.util.Set;

/**
 * The integer scheme a target allows, read from its profile: activation type and symmetry, int8
 * weights per channel, which ops run as integer kernels, which share their input's scale, which
 * have a fixed output range.
 *
 * @param activations the activation type (uint8 on ONNX Runtime x86, int8 on TensorRT and TFLite)
 * @param symmetricActivations zero point fixed (TensorRT: 0 everywhere)
 * @param weightMax largest int8 weight magnitude (127: weights are symmetric in [-127, 127])
 * @param channelAxis weight axis holding output channels, per op (Conv 0, MatMul 1...)
 * @param quantizedOps ops run as integer kernels when wrapped in DQ -> op -> Q
 * @param sharedScaleOps data-movement ops whose output keeps its input's quantization
 * @param fixedRanges ops whose output quantization the target fixes (Softmax on x86, Sigmoid on TFLite)
 * @param keepFloat ops the profile keeps in higher precision by default
 * @param fullInteger every op with an integer kernel is quantized, constant operands and graph outputs
 *     included, and weights are per-channel only where the profile lists the op's axis (TFLite's
 *     full-integer models; the target's runtime has no fused QDQ to rely on)
 * @param depthwiseChannelAlignment the channel multiple QDQ depthwise convs are padded to for the runtime's
 *     fast int8 depthwise kernel (16 on x86 ONNX Runtime); 0: none
 */
public record QuantScheme(
    DType activations,
    boolean symmetricActivations,
    int weightMax,
    Map<String, Integer> channelAxis,
    Set<String> quantizedOps,
    Set<String> sharedScaleOps,
    Map<String, FixedRange> fixedRanges,
    Set<String> keepFloat,
    boolean fullInteger,
    boolean floatAllowed,
    int depthwiseChannelAlignment) {

  /**
   * Ops hwc wraps in DQ → op → Q for runtimes that fuse QDQ (the registry's {@link QuantRule#onnxQdq()});
   * a profile may allow fewer.
   */
  public static final Set<String> SUPPORTED_OPS = registryOps(r -> r.onnxQdq());

  /** Ops with an int8 kernel in full-integer formats (TFLite), the registry's integer ops. */
  public static final Set<String> TFLITE_INT8_OPS = registryOps(QuantRule::integer);

  private static Set<String> registryOps(java.util.function.Predicate<QuantRule> which) {
    return OpRegistry.names().stream().filter(op -> which.test(OpRegistry.lookup(op).orElseThrow().quant()))
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  public static QuantScheme of(Profile p) {
    Quantization q = p.quantization();
    if (!q.enabled()) {
      throw new BadInputException("target '" + p.id() + "' has no integer quantization in its profile");
    }
    DType act = dtype(q.activations().dtype());
    DType w = dtype(q.weights().dtype());
    if (w != DType.INT8) {
      throw new BadInputException("target '" + p.id() + "' wants " + w.shortName() + " weights; hwc quantizes weights to int8 only");
    }
    boolean fullInteger = p.artifact() == dev.hwc.profiles.ArtifactFormat.TFLITE;
    Set<String> ops = new java.util.TreeSet<>(fullInteger ? TFLITE_INT8_OPS
        : q.fusedQdqOps().isEmpty() ? p.ops().keySet() : q.fusedQdqOps());
    if (!fullInteger) {
      ops.retainAll(SUPPORTED_OPS);
    }
    ops.removeAll(p.keepHigherPrecision());
    return new QuantScheme(act, q.activations().symmetric() || q.zeroPointMustBeZero(),
        Math.max(Math.abs(q.weights().min()), q.weights().max()), q.weights().channelAxis(), Set.copyOf(ops),
        Set.copyOf(q.sharedScaleOps()), q.fixedOutputRanges(), Set.copyOf(p.keepHigherPrecision()), fullInteger, p.allowsFloat(),
        q.depthwiseChannelAlignment());
  }

  /**
   * This scheme with more fixed output ranges: the ones an artifact format's int8 kernels impose
   * (TFLite's LOGISTIC and SOFTMAX), which its backend declares; the profile's own entries win.
   */
  public QuantScheme withFixedRanges(Map<String, FixedRange> more) {
    Map<String, FixedRange> all = new java.util.LinkedHashMap<>(more);
    all.putAll(fixedRanges);
    return new QuantScheme(activations, symmetricActivations, weightMax, channelAxis, quantizedOps, sharedScaleOps,
        Map.copyOf(all), keepFloat, fullInteger, floatAllowed, depthwiseChannelAlignment);
  }

  private static DType dtype(String name) {
    switch (name) {
      case "int8": return DType.INT8;
      case "uint8": return DType.UINT8;
      case "int16": return DType.INT16;
      default: throw new BadInputException("quantized type '" + name + "' is not supported");
    }
  }

  /** Params for an activation observed in [lo, hi] under this scheme. */
  public QuantParams activationParams(double lo, double hi) {
    return QuantParams.forRange(activations, lo, hi, symmetricActivations);
  }
}

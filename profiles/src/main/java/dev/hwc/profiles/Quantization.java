package dev.hwc.profiles;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A target's integer-quantization rules. Absent for float-only targets, which get {@link #none()}: then
 * {@link #enabled()} is false, {@code weights} and {@code activations} are null and the other fields are
 * empty defaults.
 *
 * @param bias storage type of the bias of weighted ops: {@code int32} (scale = input scale x weight scale,
 *     zero point 0: TFLite, ONNX Runtime) or {@code fp32} (the target adds the bias in float: TensorRT)
 * @param zeroPoint {@code zero}: every zero point must be 0 (TensorRT); {@code any}: asymmetric allowed
 * @param fixedOutputRanges IR op name to the output parameters the target fixes for it
 * @param sharedScaleOps IR op names whose inputs and output must share scale and zero point
 * @param fusedQdqOps IR op names the runtime fuses into an integer kernel when wrapped DQ -> op -> Q
 * @param depthwiseChannelAlignment a channel count (e.g. 16) that the runtime's fast int8 depthwise kernel
 *     wants a multiple of; hwc pads the channels of larger QDQ depthwise convs to it (exact: zero filters,
 *     sliced back). Absent or 0: no padding (a runtime whose depthwise kernel takes any channel count).
 */
public record Quantization(
    WeightQuant weights,
    ActivationQuant activations,
    String bias,
    String zeroPoint,
    Map<String, FixedRange> fixedOutputRanges,
    List<String> sharedScaleOps,
    List<String> fusedQdqOps,
    Integer depthwiseChannelAlignment) {

  public static final List<String> QUANT_DTYPES = List.of("int8", "uint8", "int16");
  public static final List<String> BIAS_DTYPES = List.of("int32", "fp32");
  public static final List<String> ZERO_POINTS = List.of("zero", "any");

  private static final Quantization NONE = new Quantization(null, null, null, null, null, null, null, null);

  public Quantization {
    bias = bias == null ? "int32" : bias;
    zeroPoint = zeroPoint == null ? "any" : zeroPoint;
    fixedOutputRanges = Copies.map(fixedOutputRanges);
    sharedScaleOps = Copies.list(sharedScaleOps);
    fusedQdqOps = Copies.list(fusedQdqOps);
    depthwiseChannelAlignment = depthwiseChannelAlignment == null ? 0 : depthwiseChannelAlignment;
  }

  /** The rules of a float-only target: nothing is quantized. */
  public static Quantization none() {
    return NONE;
  }

  public boolean enabled() {
    return weights != null && activations != null;
  }

  /** True when every zero point must be 0 (TensorRT). */
  public boolean zeroPointMustBeZero() {
    return "zero".equals(zeroPoint);
  }

  public Optional<FixedRange> fixedRange(String op) {
    return Optional.ofNullable(fixedOutputRanges.get(op));
  }

  public boolean sharesScale(String op) {
    return sharedScaleOps.contains(op);
  }

  public boolean fusesQdq(String op) {
    return fusedQdqOps.contains(op);
  }

  /** The representable range {min, max} of an integer storage type from {@link #QUANT_DTYPES}. */
  static int[] rangeOf(String dtype) {
    return switch (dtype) {
      case "int8" -> new int[] {-128, 127};
      case "uint8" -> new int[] {0, 255};
      case "int16" -> new int[] {-32768, 32767};
      default -> throw new IllegalArgumentException("not a quantized type: " + dtype);
    };
  }
}

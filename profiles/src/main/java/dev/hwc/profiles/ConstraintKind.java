package dev.hwc.profiles;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The fixed vocabulary of per-op limits ({@code ops.<Op>.limits} in a profile). The compiler's legality
 * checker interprets each kind against an IR node in ONNX layout; a profile naming any other kind is
 * rejected. Kinds marked (n) take an integer value and are written {@code {kind: n}}; the others are written
 * as the bare name.
 *
 * <ul>
 *   <li>{@code sameDilation}: dilation must be equal in x and y.
 *   <li>{@code noFusedActivation}: the target op cannot carry a fused activation; the activation stays a
 *       separate op.
 *   <li>{@code noBatchAxis}: the op may not act over axis 0 (reduce, pad, pack, concat over batch).
 *   <li>{@code maxElements} (n): the data input has at most n elements.
 *   <li>{@code inputRank} (n): the data input has exactly rank n.
 *   <li>{@code maxInputRank} (n): the data input has rank at most n.
 *   <li>{@code maxNonUnitDims} (n): at most n dimensions of the data input are larger than 1 (Edge TPU
 *       Softmax: "1-D input", which a [1, 1001] tensor satisfies and exact rank 1 would not).
 *   <li>{@code reduceAxisMultipleOf} (n): a reduction over the channel axis needs a multiple of n channels.
 *   <li>{@code constantWeights}: weights and bias must be initializers (compile-time constants).
 *   <li>{@code oneDimOutput}: the output has one dimension larger than 1 (Edge TPU FullyConnected).
 *   <li>{@code alphaOneDim}: the PRelu slope is 1-D (one value per channel or a scalar).
 *   <li>{@code maxInputs} (n): at most n inputs.
 *   <li>{@code symmetricPads}: begin and end padding equal on every spatial axis.
 *   <li>{@code maxKernel} (n): every kernel dimension at most n.
 *   <li>{@code maxStride} (n): every stride (for Slice: every step) at most n.
 *   <li>{@code integerScaleFactors}: Resize/Upsample output size is an integer multiple of the input size.
 *   <li>{@code staticShape}: this op's input and output shapes must be fully known at build time.
 * </ul>
 */
public enum ConstraintKind {
  SAME_DILATION("sameDilation", false, 0),
  NO_FUSED_ACTIVATION("noFusedActivation", false, 0),
  NO_BATCH_AXIS("noBatchAxis", false, 0),
  MAX_ELEMENTS("maxElements", true, 1),
  INPUT_RANK("inputRank", true, 0),
  MAX_INPUT_RANK("maxInputRank", true, 0),
  MAX_NON_UNIT_DIMS("maxNonUnitDims", true, 0),
  REDUCE_AXIS_MULTIPLE_OF("reduceAxisMultipleOf", true, 1),
  CONSTANT_WEIGHTS("constantWeights", false, 0),
  ONE_DIM_OUTPUT("oneDimOutput", false, 0),
  ALPHA_ONE_DIM("alphaOneDim", false, 0),
  MAX_INPUTS("maxInputs", true, 1),
  SYMMETRIC_PADS("symmetricPads", false, 0),
  MAX_KERNEL("maxKernel", true, 1),
  MAX_STRIDE("maxStride", true, 1),
  INTEGER_SCALE_FACTORS("integerScaleFactors", false, 0),
  STATIC_SHAPE("staticShape", false, 0);

  private final String yamlName;
  private final boolean takesValue;
  private final long minValue;

  ConstraintKind(String yamlName, boolean takesValue, long minValue) {
    this.yamlName = yamlName;
    this.takesValue = takesValue;
    this.minValue = minValue;
  }

  /** The name written in profiles, e.g. {@code maxElements}. */
  public String yamlName() {
    return yamlName;
  }

  /** Whether the kind needs an integer value ({@code {maxElements: 16000}}). */
  public boolean takesValue() {
    return takesValue;
  }

  /** The smallest value that makes sense for this kind; meaningless when {@link #takesValue()} is false. */
  public long minValue() {
    return minValue;
  }

  public static Optional<ConstraintKind> byName(String name) {
    return Arrays.stream(values()).filter(k -> k.yamlName.equals(name)).findFirst();
  }

  /** Every kind's YAML name, in declaration order. */
  public static List<String> names() {
    return Arrays.stream(values()).map(ConstraintKind::yamlName).toList();
  }
}

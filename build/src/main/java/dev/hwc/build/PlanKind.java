package dev.hwc.build;

import java.util.Locale;

/** What a judged plan is: a float build, or one of the int8 plans the search tries. */
public enum PlanKind {
  /** The optimized float graph as it is. */
  FP32,
  /** fp16 weights (ONNX: fp16 compute with a keep-list; TFLite: fp16 weights behind DEQUANTIZE). */
  FP16,
  /** Calibrated static int8 (QDQ ONNX, or full-integer TFLite). */
  STATIC,
  /**
   * The static plan with the convs on the float graph input that ONNX Runtime runs slower in int8
   * kept float ({@link OrtConvSpeed}); tried only when the speed check runs, which decides.
   */
  STATIC_FLOAT_INPUT_CONV,
  /** Dynamic int8 (ONNX Runtime's MatMulInteger; TFLite's dynamic range). */
  DYNAMIC,
  /** Dynamic int8 after smoothing outlier activation channels into the weights. */
  DYNAMIC_SMOOTHED;

  /** The name report.json uses: "fp32", "fp16", "static", "static-float-input-conv", "dynamic", "dynamic-smoothed". */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @Override
  public String toString() {
    return id();
  }
}

package dev.hwc.profiles;

/**
 * Output quantization parameters a target fixes for an op, whatever the calibration says: real value =
 * (q - zeroPoint) x scale. Example: TFLite int8 LOGISTIC (ONNX Sigmoid) has scale 1/256 (0.00390625) and
 * zero point -128, so the output covers [0, 1).
 */
public record FixedRange(double scale, int zeroPoint) {}

/**
 * Calibration on a real runtime: runs a float graph on ONNX Runtime sample by sample and feeds the
 * observed activations to the compiler's range collectors (and per-channel means for bias
 * correction, per-channel absolute maxima for smoothing).
 *
 * <p>May depend on: compiler (IR, collectors, sample sets), the ONNX backend.
 */
package dev.hwc.backends.calib;

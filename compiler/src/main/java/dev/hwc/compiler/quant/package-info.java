/**
 * Quantization as graph rewrites: the scheme a target allows ({@link dev.hwc.compiler.quant.QuantScheme},
 * from its profile plus what its artifact format's kernels fix), static QDQ plans and their application
 * ({@link dev.hwc.compiler.quant.StaticQuantizer}), dynamic int8, weight-only int8, SmoothQuant-style
 * smoothing, bias correction and fp16 conversion; range collectors in {@code calib}. Each op's role
 * (integer kernel, shared params, clamp) comes from its registry entry. Depends on the IR, the op
 * registry and the profiles; runs no runtime (calibration runs in the backends).
 */
package dev.hwc.compiler.quant;

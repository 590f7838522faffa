/**
 * The TFLite backend ({@link dev.hwc.backends.tflite.TfliteBackend}): lowers an IR graph (float, or a
 * quantized plan) to a TFLite program in NHWC ({@link dev.hwc.backends.tflite.TfliteLowering} with the
 * per-op rules of {@code TfliteOps}, the state of one lowering in {@code Lowerer}), writes it as a
 * flatbuffer ({@link dev.hwc.backends.tflite.TflWriter}), judges it for the Edge TPU
 * ({@link dev.hwc.backends.tflite.EdgeTpuReport}), cuts it into Edge TPU segments and CPU parts
 * ({@link dev.hwc.backends.tflite.EdgeTpuSegments}, deploy.json) and runs it in the TFLite interpreter
 * ({@link dev.hwc.backends.tflite.TfliteRuntime}; a deployment's chain of parts:
 * {@link dev.hwc.backends.tflite.Deployment}).
 *
 * <p>Each lowering rule declares the builtins it emits with their float and int8 versions
 * ({@link dev.hwc.backends.tflite.TfliteBuiltin}) and the output params TFLite's int8 kernel fixes; those
 * declarations are the only place these TFLite facts are written (see docs/targets.md). Depends on the
 * compiler's IR and passes, the profiles, and the TFLite schema and interpreter libraries.
 */
package dev.hwc.backends.tflite;

/**
 * Backends: what turns an IR graph into an artifact a target runs, and the runtimes that run it.
 *
 * <ul>
 *   <li>{@link dev.hwc.backends.TargetBackend}: the backend SPI, one per artifact format (found with
 *       {@link java.util.ServiceLoader}): its rewrites ({@code prepare}), what it cannot lower
 *       ({@code unsupported}), the lowering that returns the artifact with its facts in one pass
 *       ({@link dev.hwc.backends.Lowered}: ops, versions, inserted ops, notes, and for a target that
 *       partitions once its {@link dev.hwc.backends.PartitionReport}), and its integer scheme;
 *   <li>{@link dev.hwc.backends.TargetLegality}: the one legality judgement {@code inspect} prints and
 *       {@code build} enforces and reports (the backend first, then the profile's limits);
 *   <li>{@link dev.hwc.backends.Emitter} (and {@link dev.hwc.backends.LoweringEmitter}, which keeps the
 *       facts of what it wrote), {@link dev.hwc.backends.Runtime} and {@link dev.hwc.backends.RuntimeSession}
 *       for checking and timing artifacts.
 * </ul>
 *
 * <p>Subpackages: {@code onnx} (ONNX writer and ONNX Runtime), {@code tflite} (NHWC lowering, flatbuffer
 * writer, Edge TPU mapping report, TFLite interpreter), {@code tensorrt} (detection only), {@code calib}
 * (calibration on ONNX Runtime). May depend on {@code dev.hwc.profiles}, {@code dev.hwc.common} and
 * {@code dev.hwc.compiler}; nothing here depends on hwtests, the build or the CLI.
 */
package dev.hwc.backends;

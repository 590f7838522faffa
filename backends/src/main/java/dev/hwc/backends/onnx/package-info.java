/**
 * The ONNX backend ({@link dev.hwc.backends.onnx.OnnxBackend}, also for TensorRT targets, whose engine is
 * built from the ONNX file): the ONNX writer ({@link dev.hwc.backends.onnx.OnnxEmitter}) and ONNX Runtime
 * sessions on the CPU and CUDA ({@link dev.hwc.backends.onnx.OnnxRuntime},
 * {@link dev.hwc.backends.onnx.OnnxCudaRuntime}). Depends on the compiler's IR and the ONNX protobuf classes.
 */
package dev.hwc.backends.onnx;

/**
 * The ONNX backend: the emitter that writes hwc's graph as an ONNX model (fp32, fp16, QDQ int8,
 * dynamic int8), and ONNX Runtime Java (CPU, and CUDA where a device exists) as a runtime.
 *
 * <p>May depend on: the dev.hwc.backends interfaces, compiler (IR, ONNX protos), ONNX Runtime Java.
 */
package dev.hwc.backends.onnx;

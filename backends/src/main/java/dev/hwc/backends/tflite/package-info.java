/**
 * The TFLite backend: the lowering of hwc's graph to a TFLite program in NHWC (op rules, layouts,
 * quantization parameters), the flatbuffer writer, the Edge TPU mapping report, and the TFLite
 * interpreter (XNNPACK, through the JavaCPP presets) as a runtime.
 *
 * <p>May depend on: the dev.hwc.backends interfaces, compiler, profiles, the TFLite schema classes
 * and the JavaCPP TFLite presets.
 */
package dev.hwc.backends.tflite;

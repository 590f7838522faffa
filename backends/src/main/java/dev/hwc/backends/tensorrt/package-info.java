/**
 * The TensorRT runtime entry: registered so builds and benchmarks can name it, never available
 * here (no bindings, no CUDA device); it says what is missing instead of faking a result.
 *
 * <p>May depend on: the dev.hwc.backends interfaces.
 */
package dev.hwc.backends.tensorrt;

package dev.hwc.backends;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A real runtime that loads an artifact and runs it: ONNX Runtime, the TFLite interpreter,
 * TensorRT. Registered with {@code java.util.ServiceLoader}. A runtime this machine lacks says why
 * through {@link #unavailableReason()} and is skipped, never faked.
 */
public interface Runtime {
  /** Runtime id, as named in profiles: "onnxruntime", "tflite", "tensorrt". */
  String id();

  /** Version string of the loaded runtime library. */
  String version();

  /** Empty when the runtime can run here, else the reason it cannot. */
  Optional<String> unavailableReason();

  /** Loads an artifact. */
  RuntimeSession open(Path artifact, SessionOptions options) throws Exception;

  /**
   * Loads a serialized ONNX model held in memory, or returns null when this runtime does not take
   * ONNX bytes (then the caller writes a file); {@code label} names it in messages.
   */
  default RuntimeSession openOnnxBytes(byte[] model, String label, SessionOptions options) throws Exception {
    return null;
  }
}

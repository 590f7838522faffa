package dev.hwc.backends.onnx;

import ai.onnxruntime.OrtEnvironment;
import dev.hwc.backends.Runtime;
import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import java.nio.file.Path;
import java.util.Optional;

/** ONNX Runtime through its Java API (CPU execution provider). */
public final class OnnxRuntime implements Runtime {
  private static volatile String failure;

  @Override
  public String id() {
    return "onnxruntime";
  }

  /** The native library's version, e.g. "1.29.0"; "unavailable" when it does not load here. */
  @Override
  public String version() {
    return unavailableReason().isPresent() ? "unavailable" : environment().getVersion();
  }

  /** Empty when the native library loads on this machine; else why it does not. */
  @Override
  public Optional<String> unavailableReason() {
    if (failure == null) {
      try {
        environment();
        failure = "";
      } catch (RuntimeException | LinkageError e) {
        String m = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        failure = "ONNX Runtime native library did not load: " + e.getClass().getSimpleName()
            + (m.isEmpty() ? "" : " " + m);
      }
    }
    return failure.isEmpty() ? Optional.empty() : Optional.of(failure);
  }

  @Override
  public RuntimeSession open(Path artifact, SessionOptions options) throws Exception {
    return OrtSession.open(artifact, options);
  }

  static OrtEnvironment environment() {
    return OrtEnvironment.getEnvironment();
  }
}

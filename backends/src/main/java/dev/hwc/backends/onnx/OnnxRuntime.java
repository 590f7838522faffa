package dev.hwc.backends.onnx;

import ai.onnxruntime.OrtEnvironment;
import dev.hwc.backends.NativeLogs;
import dev.hwc.backends.Runtime;
import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/** ONNX Runtime through its Java API (CPU execution provider). */
public final class OnnxRuntime implements Runtime {
  private static volatile String failure;
  private static OrtEnvironment env;

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
  public RuntimeSession openOnnxBytes(byte[] model, String label, SessionOptions options) throws Exception {
    return OrtSession.open(model, label, options);
  }

  @Override
  public RuntimeSession open(Path artifact, SessionOptions options) throws Exception {
    return OrtSession.open(artifact, options);
  }

  /**
   * The process's ONNX Runtime environment: natives from hwc's cache ({@link OrtNatives}), logs as quiet as
   * {@link NativeLogs} says. ONNX Runtime's telemetry writes {@code mat-debug-PID.log} and {@code .ses} into
   * the temporary folder unless {@code ORT_DISABLE_TELEMETRY=1} is in the environment when it starts (the
   * hwc launcher and the harness's child processes set it); without it, this process's empty
   * {@code mat-debug} file is removed here.
   */
  static synchronized OrtEnvironment environment() {
    if (env == null) {
      OrtNatives.prepare();
      OrtEnvironment e = OrtEnvironment.getEnvironment(NativeLogs.ort(), "hwc");
      try {
        e.setTelemetry(false);
      } catch (ai.onnxruntime.OrtException ex) {
        // telemetry stays as ONNX Runtime set it
      }
      if (System.getenv("ORT_DISABLE_TELEMETRY") == null) {
        String tmp = System.getenv("TMPDIR");
        Path log = Path.of(tmp == null || tmp.isEmpty() ? "/tmp" : tmp, "mat-debug-" + ProcessHandle.current().pid() + ".log");
        try {
          if (Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS) && Files.size(log) == 0) {
            Files.delete(log);
          }
        } catch (java.io.IOException ex) {
          // left as it is
        }
      }
      env = e;
    }
    return env;
  }
}

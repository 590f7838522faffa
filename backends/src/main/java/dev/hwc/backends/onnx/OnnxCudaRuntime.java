package dev.hwc.backends.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.hwc.backends.Runtime;
import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import dev.hwc.common.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * ONNX Runtime Java on its CUDA execution provider. Available only where the loaded ONNX Runtime
 * build has the CUDA provider (the {@code onnxruntime_gpu} jar, not the CPU jar hwc ships with) and
 * an NVIDIA device is present; elsewhere {@link #unavailableReason()} says which is missing.
 */
public final class OnnxCudaRuntime implements Runtime {
  /** The device node the NVIDIA driver creates for the first GPU. */
  static final Path NVIDIA_DEVICE = Path.of("/dev/nvidia0");

  @Override
  public String id() {
    return "onnxruntime-cuda";
  }

  @Override
  public String version() {
    return new OnnxRuntime().version();
  }

  @Override
  public Optional<String> unavailableReason() {
    Optional<String> ort = new OnnxRuntime().unavailableReason();
    if (ort.isPresent()) {
      return ort;
    }
    var providers = OrtEnvironment.getAvailableProviders();
    if (!providers.contains(OrtProvider.CUDA)) {
      return Optional.of("this ONNX Runtime build has no CUDA execution provider (it has " + providers
          + "); it needs the onnxruntime_gpu jar and an NVIDIA GPU");
    }
    if (!Files.exists(NVIDIA_DEVICE)) {
      return Optional.of("no NVIDIA GPU here (" + NVIDIA_DEVICE + " is missing)");
    }
    return Optional.empty();
  }

  @Override
  public RuntimeSession open(Path artifact, SessionOptions options) throws Exception {
    Optional<String> why = unavailableReason();
    if (why.isPresent()) {
      throw new BadInputException("runtime onnxruntime-cuda cannot run here: " + why.get());
    }
    return OrtSession.open(artifact, options, true);
  }
}

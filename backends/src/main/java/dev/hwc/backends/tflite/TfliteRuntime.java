package dev.hwc.backends.tflite;

import dev.hwc.backends.Runtime;
import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import dev.hwc.common.BadInputException;
import java.nio.file.Path;
import java.util.Optional;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorflowlite.global.tensorflowlite;

/**
 * The TFLite interpreter through JavaCPP ({@code org.bytedeco:tensorflow-lite}) with the XNNPACK
 * delegate on and the session's thread count honoured. Its native library is unpacked and loaded
 * on first use; where that fails, {@link #unavailableReason()} says why.
 */
public final class TfliteRuntime implements Runtime {
  private static volatile String failure;

  @Override
  public String id() {
    return "tflite";
  }

  /** The interpreter library's version, e.g. "2.21.0"; "unavailable" when it does not load here. */
  @Override
  public String version() {
    return unavailableReason().isPresent() ? "unavailable" : tensorflowlite.TfLiteVersion().getString();
  }

  @Override
  public Optional<String> unavailableReason() {
    if (failure == null) {
      try {
        Loader.load(tensorflowlite.class);
        failure = "";
      } catch (RuntimeException | LinkageError e) {
        String m = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        failure = "TFLite native library did not load: " + e.getClass().getSimpleName() + (m.isEmpty() ? "" : " " + m);
      }
    }
    return failure.isEmpty() ? Optional.empty() : Optional.of(failure);
  }

  @Override
  public RuntimeSession open(Path artifact, SessionOptions options) {
    unavailableReason().ifPresent(why -> {
      throw new BadInputException("runtime tflite cannot run here: " + why);
    });
    if (artifact.getFileName().toString().endsWith(".json")) { // a segmented deployment's deploy.json
      Deployment d = Deployment.load(artifact, options);
      return options.sourceIo() ? d.sourceIo() : d;
    }
    TfliteSession s = TfliteSession.open(artifact, options);
    if (!options.sourceIo()) {
      return s;
    }
    try {
      return new SourceIoSession(s, artifact);
    } catch (java.io.IOException | RuntimeException e) {
      s.close();
      throw new BadInputException("cannot read the IO of " + artifact + ": " + e.getMessage());
    }
  }
}

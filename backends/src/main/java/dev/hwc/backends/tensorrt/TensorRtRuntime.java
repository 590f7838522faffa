package dev.hwc.backends.tensorrt;

import dev.hwc.backends.Runtime;
import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import dev.hwc.common.BadInputException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The TensorRT runtime entry. hwc does not carry the TensorRT bindings yet (the JavaCPP presets and
 * NVIDIA's libraries are large and need a CUDA machine), so this runtime is never available: its
 * {@link #unavailableReason()} says what this machine lacks (an NVIDIA device, libnvinfer) or, where
 * both are present, that the backend itself is still to come. Nothing is ever faked.
 */
public final class TensorRtRuntime implements Runtime {
  /** Folders searched for libnvinfer besides LD_LIBRARY_PATH. */
  static final List<String> LIBRARY_DIRS = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
      "/usr/lib64", "/usr/lib", "/usr/local/lib", "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib",
      "/usr/local/tensorrt/lib", "/opt/tensorrt/lib");

  private final Path root;

  public TensorRtRuntime() {
    this(Path.of("/"));
  }

  /** A runtime that looks for devices and libraries under {@code root} instead of "/" (for tests). */
  TensorRtRuntime(Path root) {
    this.root = root;
  }

  @Override
  public String id() {
    return "tensorrt";
  }

  @Override
  public String version() {
    return "unavailable";
  }

  @Override
  public Optional<String> unavailableReason() {
    boolean device = Files.exists(root.resolve("dev/nvidia0"));
    Optional<Path> lib = findLibrary();
    if (!device && lib.isEmpty()) {
      return Optional.of("no CUDA device (/dev/nvidia0 is missing) and no TensorRT library (libnvinfer.so) here");
    }
    if (!device) {
      return Optional.of("no CUDA device here (/dev/nvidia0 is missing; TensorRT found at " + lib.get() + ")");
    }
    if (lib.isEmpty()) {
      return Optional.of("a CUDA device is present but no TensorRT library (libnvinfer.so) was found");
    }
    return Optional.of("CUDA device and " + lib.get() + " found, but this hwc has no TensorRT backend yet");
  }

  /** The first libnvinfer.so* in LD_LIBRARY_PATH or the usual folders. */
  Optional<Path> findLibrary() {
    List<String> dirs = new ArrayList<>();
    String ld = System.getenv("LD_LIBRARY_PATH");
    if (ld != null && root.equals(Path.of("/"))) {
      for (String d : ld.split(":")) {
        if (!d.isBlank()) {
          dirs.add(d);
        }
      }
    }
    dirs.addAll(LIBRARY_DIRS);
    for (String d : dirs) {
      Path dir = root.resolve(d.startsWith("/") ? d.substring(1) : d);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "libnvinfer.so*")) {
        for (Path p : s) {
          return Optional.of(p);
        }
      } catch (IOException e) {
        // an unreadable folder holds nothing we can use
      }
    }
    return Optional.empty();
  }

  @Override
  public RuntimeSession open(Path artifact, SessionOptions options) {
    throw new BadInputException("runtime tensorrt cannot run here: " + unavailableReason().orElseThrow());
  }
}

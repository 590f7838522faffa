package dev.hwc.backends.tensorrt;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.SessionOptions;
import dev.hwc.common.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TensorRT entry is never faked: it says what is missing, on a made-up root folder. */
class TensorRtRuntimeTest {
  @TempDir Path root;

  @Test
  void bareMachineLacksBoth() {
    String why = new TensorRtRuntime(root).unavailableReason().orElseThrow();
    assertTrue(why.contains("no CUDA device") && why.contains("libnvinfer"), why);
  }

  @Test
  void deviceWithoutLibrary() throws Exception {
    Files.createDirectories(root.resolve("dev"));
    Files.createFile(root.resolve("dev/nvidia0"));
    String why = new TensorRtRuntime(root).unavailableReason().orElseThrow();
    assertTrue(why.contains("no TensorRT library"), why);
  }

  @Test
  void deviceAndLibraryStillSaySoAndNeverOpen() throws Exception {
    Files.createDirectories(root.resolve("dev"));
    Files.createFile(root.resolve("dev/nvidia0"));
    Files.createDirectories(root.resolve("usr/lib/x86_64-linux-gnu"));
    Files.createFile(root.resolve("usr/lib/x86_64-linux-gnu/libnvinfer.so.10"));
    TensorRtRuntime rt = new TensorRtRuntime(root);
    String why = rt.unavailableReason().orElseThrow();
    assertTrue(why.contains("libnvinfer.so.10") && why.contains("no TensorRT backend"), why);
    assertThrows(BadInputException.class, () -> rt.open(root.resolve("m.onnx"), SessionOptions.DEFAULT));
  }
}

package dev.hwc.hwtests.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed example model is exactly what its code makes (the emitter is deterministic). */
class MakeExampleModelsTest {
  @Test
  void committedSmallCnnMatchesItsGenerator() throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    Path file = root.resolve("examples/smallcnn/smallcnn.onnx");
    byte[] fresh = MakeExampleModels.smallCnnBytes();
    if (Boolean.getBoolean("hwc.regenerate")) {
      MakeExampleModels.main(new String[] {root.toString()});
    }
    assertTrue(Files.exists(file), file + " is missing; regenerate it with -Dhwc.regenerate=true");
    assertArrayEquals(fresh, Files.readAllBytes(file),
        "examples/smallcnn/smallcnn.onnx differs from its generator; regenerate it with -Dhwc.regenerate=true");
  }
}

package dev.hwc.hwtests.welllog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.data.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data committed beside the bundled model is what the generator makes today. */
class WellLogExamplesTest {
  @TempDir Path dir;

  @Test
  void committedDataRegenerates() throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    Path committed = root.resolve("examples/welllog");
    WellLogExamples.write(dir);
    for (String f : new String[] {"calib/strips.npz", "eval/strips.npz"}) {
      assertArrayEquals(Files.readAllBytes(committed.resolve(f)), Files.readAllBytes(dir.resolve("examples/welllog").resolve(f)),
          f + " differs from the generator's output; rerun WellLogExamples");
    }
    assertTrue(Files.size(committed.resolve("strips.png")) > 10_000);
    assertTrue(Files.size(committed.resolve("masks.png")) > 1_000);
    assertTrue(Npy.readNpz(committed.resolve("eval/strips.npz")).containsKey("image"));
  }
}

package dev.hwc.cli.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hwc.compiler.data.Npy;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** The .npy and .npz readers on the same bytes. Seeds: {@code NpyReaderFuzzTestInputs/fuzz/}. */
public class NpyReaderFuzzTest {
  private static final Path DIR = FuzzProperty.tempDir("hwc-fuzz-npy");
  private static final Path NPY = DIR.resolve("x.npy");
  private static final Path NPZ = DIR.resolve("x.npz");

  /** Entry point of Jazzer's standalone driver (bench/fuzz.sh). */
  public static void fuzzerTestOneInput(byte[] data) {
    FuzzProperty.write(NPY, data);
    FuzzProperty.write(NPZ, data);
    FuzzProperty.resultOrBadInput(() -> Npy.read(NPY));
    FuzzProperty.resultOrBadInput(() -> Npy.readNpz(NPZ));
  }

  @FuzzTest(maxDuration = "30s")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void fuzz(byte[] data) {
    fuzzerTestOneInput(data);
  }
}

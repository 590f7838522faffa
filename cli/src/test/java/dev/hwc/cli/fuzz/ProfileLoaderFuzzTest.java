package dev.hwc.cli.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hwc.compiler.analysis.UserProfiles;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * A user's profile YAML, loaded as {@code --profile} loads it (op names checked against the registry, built-in
 * ids refused). Seeds: {@code ProfileLoaderFuzzTestInputs/fuzz/}.
 */
public class ProfileLoaderFuzzTest {
  private static final Path DIR = FuzzProperty.tempDir("hwc-fuzz-profile");
  private static final Path FILE = DIR.resolve("p.yaml");

  /** Entry point of Jazzer's standalone driver (bench/fuzz.sh). */
  public static void fuzzerTestOneInput(byte[] data) {
    FuzzProperty.write(FILE, data);
    FuzzProperty.resultOrBadInput(() -> UserProfiles.load(FILE, false));
  }

  @FuzzTest(maxDuration = "30s")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void fuzz(byte[] data) {
    fuzzerTestOneInput(data);
  }
}

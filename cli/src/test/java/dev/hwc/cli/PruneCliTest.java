package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad --prune and --low-rank values: one line naming the problem, exit 2, nothing written. */
class PruneCliTest {
  @TempDir Path dir;

  @Test
  void badSpecsAreOneLineAndExit2() throws Exception {
    String[][] cases = {
        {"--prune", "sideways:0.5", "--prune 'sideways:0.5': unknown kind"},
        {"--prune", "channel:1.5", "--prune 'channel:1.5': amount must be between 0 and 1"},
        {"--prune", "4:4", "--prune '4:4': N:M needs 1 <= N < M"},
        {"--low-rank", "1.5", "--low-rank 1.5: expected the kept energy"}};
    for (String[] c : cases) {
      Path out = dir.resolve("out");
      CliTest.Result r = CliTest.hwc("build", "--target", "x86-fp32", c[0], c[1], "-o", out.toString());
      assertEquals(2, r.code(), r.out() + r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertTrue(r.err().contains(c[2]), r.err());
      assertTrue(!Files.exists(out), "nothing written");
    }
  }
}

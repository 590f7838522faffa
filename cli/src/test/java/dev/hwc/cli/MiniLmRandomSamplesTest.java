package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * all-MiniLM-L6-v2 built with no --eval: hwc checks it on seeded random samples, which must be legal
 * inputs (token_type_ids index a 2-row embedding, so they may only be 0 or 1; ids stay within the
 * word table; the attention mask is 0 or 1). Before, ONNX Runtime failed the check with "indices
 * element out of data bounds" on every ONNX target.
 */
class MiniLmRandomSamplesTest {
  @TempDir Path dir;

  private Path model() throws Exception {
    Path p = dir.resolve("all-minilm-l6-v2.onnx");
    try (InputStream in = MiniLmRandomSamplesTest.class.getResourceAsStream("/all-minilm-l6-v2.onnx")) {
      Files.copy(in, p);
    }
    return p;
  }

  @Test
  void buildsForTheOnnxTargetsWithoutEvalData() throws Exception {
    Path model = model();
    String[][] builds = {
        {"--target", "x86-fp32"},
        {"--target", "cpu-fallback"},
        {"--target", "cuda-fp16"},
        {"--target", "x86-int8", "--calib", "random", "--scheme", "dynamic"},
    };
    int i = 0;
    for (String[] b : builds) {
      Path out = dir.resolve("out" + i++);
      String[] args = new String[b.length + 6];
      args[0] = "build";
      System.arraycopy(b, 0, args, 1, b.length);
      args[b.length + 1] = model.toString();
      args[b.length + 2] = "--bench-seconds";
      args[b.length + 3] = "0";
      args[b.length + 4] = "-o";
      args[b.length + 5] = out.toString();
      CliTest.Result r = CliTest.hwc(args);
      assertEquals(0, r.code(), String.join(" ", b) + ": " + r.err() + r.out());
      assertTrue(r.out().contains("seeded random"), r.out());
      assertTrue(Files.exists(out.resolve("report.json")), String.join(" ", b));
    }
  }
}

package dev.hwc.cli.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hwc.compiler.analysis.ModelStats;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.onnx.OnnxFrontend;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.ops.ShapeInference;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The ONNX reader as {@code hwc inspect} drives it: parse, translate, infer shapes, validate, count MACs.
 * The model lies in a folder with a small external-data file ({@code w.bin}) so that external-data
 * references are exercised too. Seeds: {@code OnnxReaderFuzzTestInputs/fuzz/}.
 */
public class OnnxReaderFuzzTest {
  private static final Path DIR = FuzzProperty.tempDir("hwc-fuzz-onnx");
  private static final Path MODEL = DIR.resolve("model.onnx");

  static {
    FuzzProperty.write(DIR.resolve("w.bin"), new byte[64]);
  }

  /** Entry point of Jazzer's standalone driver (bench/fuzz.sh). */
  public static void fuzzerTestOneInput(byte[] data) {
    FuzzProperty.write(MODEL, data);
    FuzzProperty.resultOrBadInput(() -> {
      Graph g = GraphValidator.check(ShapeInference.run(new OnnxFrontend().read(MODEL)));
      ModelStats.of(g);
    });
  }

  @FuzzTest(maxDuration = "30s")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void fuzz(byte[] data) {
    fuzzerTestOneInput(data);
  }
}

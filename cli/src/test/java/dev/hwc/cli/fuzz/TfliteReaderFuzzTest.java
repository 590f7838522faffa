package dev.hwc.cli.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hwc.compiler.analysis.ModelStats;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.compiler.tflite.TfliteFrontend;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The TFLite reader as {@code hwc inspect} drives it: read the flatbuffer from a file, import it
 * (layouts, quantization, custom ops), infer shapes, validate, count MACs. Seeds
 * ({@code TfliteReaderFuzzTestInputs/fuzz/}): float, int8 and fp16 models written by hwc's own
 * TFLite emitter, see {@link WriteSeeds}.
 */
public class TfliteReaderFuzzTest {
  private static final Path DIR = FuzzProperty.tempDir("hwc-fuzz-tflite");
  private static final Path MODEL = DIR.resolve("model.tflite");

  /** Entry point of Jazzer's standalone driver (bench/fuzz.sh). */
  public static void fuzzerTestOneInput(byte[] data) {
    FuzzProperty.write(MODEL, data);
    FuzzProperty.resultOrBadInput(() -> {
      Graph g = GraphValidator.check(ShapeInference.run(new TfliteFrontend().read(MODEL)));
      ModelStats.of(g);
    });
  }

  @FuzzTest(maxDuration = "30s")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void fuzz(byte[] data) {
    fuzzerTestOneInput(data);
  }
}

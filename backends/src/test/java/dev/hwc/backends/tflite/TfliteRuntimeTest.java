package dev.hwc.backends.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.BoundRun;
import dev.hwc.backends.Runtime;
import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.common.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TFLite interpreter through JavaCPP, on tiny models written with the flatbuffer schema classes. */
class TfliteRuntimeTest {
  @TempDir Path dir;

  @Test
  void isRegisteredAndAvailable() {
    Runtime rt = ServiceLoader.load(Runtime.class).stream().map(ServiceLoader.Provider::get)
        .filter(r -> r.id().equals("tflite")).findFirst().orElseThrow();
    assertEquals(java.util.Optional.empty(), rt.unavailableReason());
    assertTrue(rt.version().matches("\\d+\\.\\d+\\.\\d+.*"), rt.version());
  }

  @Test
  void fullyConnectedMatchesAHandComputation() throws Exception {
    Path model = TinyTflite.write(dir.resolve("fc.tflite"), TinyTflite.fullyConnectedModel());
    float[] x = {1, -2, 0.5f, 3};
    // y_j = sum_i x_i W[j][i] + b_j, by hand:
    // y0 = 1*1 + -2*2 + 0.5*3 + 3*4 + 0.5    = 1 - 4 + 1.5 + 12 + 0.5 = 11
    // y1 = 1*-1 + -2*0 + 0.5*1 + 3*0 - 1     = -1 + 0.5 - 1          = -1.5
    // y2 = 1*0.5 + -2*0.25 + 0.5*-0.5 + 3*2 + 3 = 0.5 - 0.5 - 0.25 + 6 + 3 = 8.75
    float[] expected = {11f, -1.5f, 8.75f};
    try (TfliteSession s = TfliteSession.open(model, new SessionOptions(1, true))) {
      assertEquals("x", s.inputs().get(0).name());
      assertEquals(DType.FLOAT, s.inputs().get(0).dtype());
      assertEquals("[1,4]", s.inputs().get(0).shape().toString());
      Map<String, Tensor> out = s.run(Map.of("x", Tensor.ofFloats(new long[] {1, 4}, x)));
      Tensor y = out.get("y");
      assertArrayEquals(new long[] {1, 3}, y.shape());
      assertArrayEquals(expected, y.toFloats(), 1e-6f);
      assertTrue(s.delegatedKernels() > 0, "XNNPACK should take the FULLY_CONNECTED: " + s.describe());
      assertTrue(s.describe().contains("XNNPACK"), s.describe());
      // a bound run gives the same outputs on the next read
      try (BoundRun r = s.bind(Map.of("x", Tensor.ofFloats(new long[] {1, 4}, x)))) {
        r.run();
        r.run();
      }
      assertArrayEquals(expected, s.run(Map.of("x", Tensor.ofFloats(new long[] {1, 4}, x))).get("y").toFloats(), 1e-6f);
    }
  }

  @Test
  void convStackRunsWithTheThreadCountAsked() throws Exception {
    Path model = TinyTflite.write(dir.resolve("conv.tflite"), TinyTflite.convStack(16, 8, 2, 1));
    try (TfliteSession s = TfliteSession.open(model, new SessionOptions(2, true))) {
      assertTrue(s.describe().endsWith("2 threads"), s.describe());
      float[] in = new float[16 * 16 * 8];
      java.util.Random r = new java.util.Random(3);
      for (int i = 0; i < in.length; i++) {
        in[i] = (float) r.nextGaussian();
      }
      Tensor y = s.run(Map.of("image", Tensor.ofFloats(new long[] {1, 16, 16, 8}, in))).get("features");
      assertArrayEquals(new long[] {1, 16, 16, 8}, y.shape());
      double sum = 0;
      for (float v : y.toFloats()) {
        assertTrue(v >= 0, "ReLU output must be non-negative");
        sum += v;
      }
      assertTrue(sum > 0, "random inputs through random convs should not give all zeros");
    }
  }

  @Test
  void badInputsAndFilesAreOneLineErrors() throws Exception {
    Path model = TinyTflite.write(dir.resolve("fc.tflite"), TinyTflite.fullyConnectedModel());
    try (TfliteSession s = TfliteSession.open(model, SessionOptions.DEFAULT)) {
      BadInputException e = assertThrows(BadInputException.class,
          () -> s.run(Map.of("x", Tensor.ofFloats(new long[] {1, 3}, 1, 2, 3))));
      assertTrue(e.getMessage().contains("has shape"), e.getMessage());
      e = assertThrows(BadInputException.class, () -> s.run(Map.of()));
      assertTrue(e.getMessage().contains("missing input 'x'"), e.getMessage());
    }
    Path junk = Files.write(dir.resolve("junk.tflite"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    BadInputException e = assertThrows(BadInputException.class, () -> TfliteSession.open(junk, SessionOptions.DEFAULT));
    assertTrue(e.getMessage().contains("not a valid .tflite"), e.getMessage());
  }
}

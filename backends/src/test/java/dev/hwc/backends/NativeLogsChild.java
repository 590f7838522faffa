package dev.hwc.backends;

import dev.hwc.backends.onnx.OrtSession;
import dev.hwc.backends.tflite.TfliteSession;
import dev.hwc.backends.tflite.TinyTflite;
import dev.hwc.common.BadInputException;
import ai.onnxruntime.OrtException;
import dev.hwc.compiler.ir.Tensor;
import java.nio.file.Path;
import java.util.Map;

/**
 * A child JVM for {@link NativeLogsTest}: opens a TFLite model with XNNPACK (TFLite says at INFO that it
 * created the delegate) and runs an ONNX Gather with an index out of range (ONNX Runtime logs an error), then says "done".
 */
public final class NativeLogsChild {
  private NativeLogsChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    try (TfliteSession s = TfliteSession.open(TinyTflite.write(dir.resolve("fc.tflite"), TinyTflite.fullyConnectedModel()),
        SessionOptions.DEFAULT)) {
      System.out.println("tflite " + s.inputs().size());
    }
    try (OrtSession s = OrtSession.open(Path.of(args[1]), SessionOptions.DEFAULT)) {
      s.run(Map.of("x", Tensor.ofFloats(new long[] {4}, 1, 2, 3, 4), "i", Tensor.ofLongs(new long[] {1}, 26)));
    } catch (OrtException | BadInputException e) {
      System.out.println("onnx rejected");
    }
    System.out.println("done");
  }
}

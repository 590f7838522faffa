package dev.hwc.hwtests.bench;

import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.tflite.TinyTflite;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Graph;
import java.io.IOException;
import java.nio.file.Path;

/** Models the harness tests measure. */
final class TestModels {
  private TestModels() {}

  /**
   * SmallModels' plain conv stack (conv-bn-relu ×3 with a stride-2 stage, pool, classifier) at a size
   * where a second thread clearly pays: 3×96×96 input, 32/64/64 channels, about 135 M MACs (the zoo's
   * 32×32 models take ~0.1 ms, where thread hand-off eats the gain).
   */
  static Graph convStack() {
    GraphBuilder b = new GraphBuilder("plain_conv_stack_96", 5);
    String x = b.input("image", 1, 3, 96, 96);
    x = b.relu(b.batchNorm(b.conv(x, 32, 3, 1)));
    x = b.relu(b.batchNorm(b.conv(x, 64, 3, 2)));
    x = b.relu(b.batchNorm(b.conv(x, 64, 3, 1)));
    x = b.flatten(b.globalAveragePool(x));
    b.output(b.softmax(b.gemm(x, 10), 1));
    return b.build();
  }

  static Path convStackOnnx(Path dir) throws IOException {
    Path p = dir.resolve("convstack.onnx");
    new OnnxEmitter().emit(convStack(), p);
    return p;
  }

  /** A 3-layer 3×3 conv stack in TFLite (NHWC 1×32×32×16), written with the flatbuffer schema classes. */
  static Path convStackTflite(Path dir) throws IOException {
    return TinyTflite.write(dir.resolve("convstack.tflite"), TinyTflite.convStack(32, 16, 3, 9));
  }
}

package dev.hwc.backends.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.zoo.SmallModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The six small CNNs (random weights, fixed seeds): emitted as built and after the standard fp32
 * pipeline, both run on ONNX Runtime on the same inputs; every output must agree.
 */
class SmallModelsOnOrtTest {
  @TempDir Path dir;

  static Stream<SmallModels.Entry> models() {
    return SmallModels.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void optimizedModelMatchesTheBuiltOneOnOnnxRuntime(SmallModels.Entry entry) throws Exception {
    Graph built = entry.factory().apply(11);
    Graph optimized = Pipeline.standard().run(built, PassContext.forTests());
    assertEquals(List.of(), GraphValidator.validate(optimized));
    long bn = built.nodes().stream().filter(n -> n.op().equals("BatchNormalization")).count();
    assertEquals(built.nodes().size() - bn, optimized.nodes().size(), "every BatchNormalization folds away");

    Path a = dir.resolve(entry.name() + ".onnx");
    Path b = dir.resolve(entry.name() + "-opt.onnx");
    OnnxEmitter emitter = new OnnxEmitter();
    emitter.emit(built, a);
    emitter.emit(optimized, b);
    assertArrayEquals(Files.readAllBytes(b), emitter.toBytes(Pipeline.standard().run(built)), "deterministic");

    double worst = 0;
    try (OrtSession before = OrtSession.open(a, SessionOptions.DEFAULT);
        OrtSession after = OrtSession.open(b, SessionOptions.DEFAULT)) {
      for (long seed = 0; seed < 3; seed++) {
        Map<String, Tensor> feed = randomInputs(built, seed);
        Map<String, Tensor> want = before.run(feed);
        Map<String, Tensor> got = after.run(feed);
        assertEquals(List.copyOf(want.keySet()), List.copyOf(got.keySet()));
        for (String out : want.keySet()) {
          worst = Math.max(worst, OnnxRoundTripTest.maxAbsDiff(want.get(out), got.get(out)));
        }
      }
    }
    System.out.printf("%s: %d -> %d nodes, worst max abs diff over outputs %.3g%n",
        entry.name(), built.nodes().size(), optimized.nodes().size(), worst);
    assertTrue(worst <= 1e-5, entry.name() + " differs by " + worst);
  }

  private static Map<String, Tensor> randomInputs(Graph g, long seed) {
    Random r = new Random(seed);
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (Value v : g.inputs()) {
      long[] shape = v.shape().sizes();
      float[] data = new float[(int) v.shape().numElements()];
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) r.nextGaussian();
      }
      feed.put(v.name(), Tensor.ofFloats(shape, data));
    }
    return feed;
  }
}

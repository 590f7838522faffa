package dev.hwc.hwtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.onnx.OnnxRuntime;
import dev.hwc.backends.onnx.OrtChain;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ops.ShapeInference;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model large enough to be checked in parts has its reference computed on a thread beside the build; a build
 * that ends before its first comparison closes the evaluation, and that thread must stop rather than run on
 * until the process exits.
 */
class EvaluationCloseTest {
  @TempDir Path dir;

  /** A chain of Tanh nodes just above the size at which the check runs in parts. */
  private static Graph chain(int nodes) {
    GraphBuilder b = new GraphBuilder("chain", 1);
    String x = b.input("x", 1, 4);
    for (int i = 0; i < nodes; i++) {
      x = b.node("Tanh", Attributes.EMPTY, x);
    }
    b.output(x);
    return ShapeInference.run(b.build());
  }

  private static SampleSet samples() {
    return SampleSet.of(List.of(Map.of("x", Tensor.ofFloats(new long[] {1, 4}, new float[] {0.5f, -1f, 2f, 0f}))));
  }

  private static Thread referenceThread() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("hwc-reference-outputs") && t.isAlive())
        .findFirst().orElse(null);
  }

  @Test
  void closingStopsTheReferenceComputedBesideTheBuild() throws Exception {
    Graph g = chain(OrtChain.THRESHOLD_NODES + OrtChain.PART_NODES);
    Path model = dir.resolve("chain.onnx");
    new OnnxEmitter().emit(g, model);

    Evaluation eval = new Evaluation(new OnnxRuntime(), model, g, new OnnxRuntime(), samples(),
        OutputKind.infer(g, Map.of()));
    Thread t = referenceThread();
    assertNotNull(t, "a model checked in parts has its reference computed on a thread of its own");
    eval.close();
    t.join(120_000);
    assertFalse(t.isAlive(), "the reference thread stops once the evaluation is closed");
    assertThrows(CancellationException.class, () -> eval.compare(model, 1),
        "a closed evaluation has no reference to judge against");
  }

  @Test
  void anEvaluationLeftOpenComputesItsReferenceInParts() throws Exception {
    Graph g = chain(OrtChain.THRESHOLD_NODES + OrtChain.PART_NODES);
    Path model = dir.resolve("chain.onnx");
    new OnnxEmitter().emit(g, model);

    try (Evaluation eval = new Evaluation(new OnnxRuntime(), model, g, new OnnxRuntime(), samples(),
        OutputKind.infer(g, Map.of()))) {
      List<OutputFidelity> f = eval.compare(model, g, 1);
      assertEquals(1, f.size());
      assertEquals(0.0, f.get(0).maxAbs(), "the same model, in parts on both sides: the same numbers");
    }
  }
}

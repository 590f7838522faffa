package dev.hwc.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.Runtime;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.onnx.OnnxRuntime;
import dev.hwc.backends.tflite.TfliteRuntime;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.quant.QuantScheme;
import dev.hwc.compiler.quant.calib.Calibration;
import dev.hwc.compiler.zoo.ThinStructureModel;
import dev.hwc.hwtests.Evaluation;
import dev.hwc.hwtests.OutputKind;
import dev.hwc.profiles.Profile;
import dev.hwc.profiles.ProfileLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The int8 plan search on small graphs with hand-set weights, on ONNX Runtime (and the TFLite
 * interpreter for the integer-only case): the guard rejects a plan that loses a thin mask, and the
 * fallback's doubling-then-bisecting finds exactly the layers that must stay float.
 */
class Int8SearchTest {
  @TempDir Path dir;

  /**
   * One shared feature map (as in {@link ThinStructureModel}): channel 0 spans about 0..110 (200 x
   * brightness), channels 1..k about ±0.4 (x - 0.51, a thin-line detector). {@code k} thin heads
   * each read their own small channel: under the feature map's one per-tensor int8 scale that
   * channel rounds to zero and the head's line mask vanishes, unless the head runs in float (a float
   * reader takes the exact float value). {@code dense} dense heads read channel 0 and survive int8.
   * The feature conv and the dense heads lose nothing in int8.
   */
  record Model(Graph graph, List<String> thinHeads, List<String> allConvs) {}

  static Model model(int k, int dense) {
    GraphBuilder b = new GraphBuilder("k_thin_heads", 0, 13);
    int s = ThinStructureModel.SIZE;
    String x = b.input("image", 1, 1, s, s);
    float[] fw = new float[1 + k];
    float[] fb = new float[1 + k];
    fw[0] = 200f;
    for (int i = 1; i <= k; i++) {
      fw[i] = 1f;
      fb[i] = -0.51f;
    }
    String f = b.node("Conv", Attributes.EMPTY, x, b.constant("features_w", Tensor.ofFloats(new long[] {1 + k, 1, 1, 1}, fw)),
        b.constant("features_b", Tensor.ofFloats(new long[] {1 + k}, fb)));
    List<String> thin = new ArrayList<>();
    List<String> convs = new ArrayList<>(List.of(f));
    for (int i = 1; i <= k; i++) {
      float[] w = new float[1 + k];
      w[i] = 400f; // line where just brighter: 400 (x - 0.51) - 2
      String logit = b.node("Conv", Attributes.EMPTY, f, b.constant("line" + i + "_w", Tensor.ofFloats(new long[] {1, 1 + k, 1, 1}, w)),
          b.constant("line" + i + "_b", Tensor.ofFloats(new long[] {1}, -2f)));
      b.output(b.nodeNamed("line" + i, "Sigmoid", Attributes.EMPTY, logit));
      thin.add(logit);
      convs.add(logit);
    }
    for (int j = 1; j <= dense; j++) {
      float[] w = new float[1 + k];
      w[0] = -0.1f; // background where dark: 6 - 0.1 * 200 x
      String logit = b.node("Conv", Attributes.EMPTY, f, b.constant("dense" + j + "_w", Tensor.ofFloats(new long[] {1, 1 + k, 1, 1}, w)),
          b.constant("dense" + j + "_b", Tensor.ofFloats(new long[] {1}, 5f + j)));
      b.output(b.nodeNamed("dense" + j, "Sigmoid", Attributes.EMPTY, logit));
      convs.add(logit);
    }
    Graph g = b.build();
    // node names of the convs writing those values
    return new Model(g, thin.stream().map(v -> g.producer(v).name()).toList(),
        convs.stream().map(v -> g.producer(v).name()).toList());
  }

  private static SampleSet samples(int n, long seed) {
    return SampleSet.of(ThinStructureModel.samples(n, seed));
  }

  /** Every fallback step the listener saw: how many layers were kept float, and whether the plan passed. */
  static final class Steps implements BuildListener {
    final List<Integer> kept = new ArrayList<>();
    final List<Boolean> passed = new ArrayList<>();
    int judged;

    @Override
    public void fallbackStep(int keptFloat, Plan plan) {
      kept.add(keptFloat);
      passed.add(plan.passed());
    }

    @Override
    public void planJudged(Plan plan) {
      judged++;
    }
  }

  private Int8Search search(Model m, Profile p, Runtime runtime, ArtifactWriter writer, BuildListener listener)
      throws Exception {
    Path model = dir.resolve("model.onnx");
    new OnnxEmitter().emit(m.graph(), model);
    Evaluation eval = new Evaluation(new OnnxRuntime(), model, runtime, samples(12, 2),
        OutputKind.infer(m.graph(), java.util.Map.of()));
    return new Int8Search(QuantScheme.of(p), Gate.of(p, null, null), eval, samples(40, 1), Calibration.PERCENTILE,
        Files.createDirectories(dir.resolve("work")), listener, writer);
  }

  @ParameterizedTest(name = "{0} thin heads among {1} dense")
  @CsvSource({"1, 3, '1'", "3, 3, '1 2 4 3'", "5, 2, '1 2 4 8 6 5'"})
  void fallbackKeepsExactlyTheLayersThatMustStayFloat(int k, int dense, String expectedSteps) throws Exception {
    Model m = model(k, dense);
    Profile x86 = ProfileLoader.builtin("x86-int8");
    Steps steps = new Steps();
    Int8Search search = search(m, x86, new OnnxRuntime(), ArtifactWriter.onnx(steps), steps);
    Int8Search.Candidate c = search.staticPlan(m.graph(), Set.of());

    Int8Search.Candidate allInt8 = search.log().get(0);
    assertFalse(allInt8.passed(), "the guard rejects the all-int8 plan");
    assertTrue(allInt8.keptFloat().isEmpty());
    for (var o : allInt8.fidelity()) {
      if (o.output().startsWith("line")) {
        assertTrue(o.minIoU() <= 0.1, "every thin mask vanishes in int8: " + o);
      } else {
        assertTrue(o.minIoU() >= 0.99, "every dense mask survives int8: " + o);
      }
    }

    assertTrue(c.passed(), "the fallback repairs it");
    assertEquals(new LinkedHashSet<>(m.thinHeads()), new LinkedHashSet<>(c.keptFloat()),
        "exactly the thin heads stay float");
    List<Integer> expected = java.util.Arrays.stream(expectedSteps.split(" ")).map(Integer::valueOf).toList();
    assertEquals(expected, steps.kept, "doubling until the gate passes, then bisecting to the fewest");
    for (int i = 0; i < steps.kept.size(); i++) {
      assertEquals(steps.kept.get(i) >= k, steps.passed.get(i), "a step passes exactly when it keeps k layers: " + steps.kept);
    }
    int layers = search.log().get(0).quantizedLayers();
    assertTrue(layers >= m.allConvs().size(), "every conv is a layer of the plan: " + layers);
    assertEquals(layers - k, c.quantizedLayers(), "the rest stays int8");
    assertEquals(1 + expected.size(), steps.judged, "one judged plan per step, plus the first");
    assertEquals(search.log().size(), steps.judged);
  }

  @Test
  void keepFloatIsHonouredAndAPassingPlanNeedsNoFallback() throws Exception {
    Model m = model(2, 2);
    Profile x86 = ProfileLoader.builtin("x86-int8");
    Steps steps = new Steps();
    Int8Search search = search(m, x86, new OnnxRuntime(), ArtifactWriter.onnx(steps), steps);
    Int8Search.Candidate c = search.staticPlan(m.graph(), new LinkedHashSet<>(m.thinHeads()));
    assertTrue(c.passed(), "the thin heads asked float: the first plan passes");
    assertEquals(m.thinHeads(), c.keptFloat());
    assertEquals(1, search.log().size());
    assertTrue(steps.kept.isEmpty(), "no fallback");
  }

  /** The Edge TPU is integer-only: the guard still rejects the plan, and nothing can be kept in float. */
  @Test
  void integerOnlyTargetGetsNoFallback() throws Exception {
    Model m = model(1, 1);
    Profile edge = ProfileLoader.builtin("edgetpu");
    Steps steps = new Steps();
    List<String> said = new ArrayList<>();
    BuildListener listener = new BuildListener() {
      @Override
      public void info(String message) {
        said.add(message);
      }

      @Override
      public void fallbackStep(int keptFloat, Plan plan) {
        steps.fallbackStep(keptFloat, plan);
      }
    };
    Int8Search search = search(m, edge, new TfliteRuntime(), ArtifactWriter.forTarget(edge, false, null, listener),
        listener);
    Int8Search.Candidate c = search.staticPlan(m.graph(), Set.of());
    assertFalse(c.passed(), c.fidelity().toString());
    assertEquals(1, search.log().size(), "one plan: no layer may stay float");
    assertTrue(steps.kept.isEmpty());
    assertTrue(said.stream().anyMatch(s -> s.contains("integer-only")), said.toString());
    assertTrue(c.written().tflite() != null && c.written().tflite().ops() > 0, "a TFLite plan carries its lowering's facts");
  }
}

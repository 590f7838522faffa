package dev.hwc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.onnx.OnnxBackend;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.onnx.OrtSession;
import dev.hwc.backends.tflite.TfliteBackend;
import dev.hwc.backends.tflite.TfliteRuntime;
import dev.hwc.common.BadInputException;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.data.RandomInputs;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.quant.QuantScheme;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.profiles.FixedRange;
import dev.hwc.profiles.Profile;
import dev.hwc.profiles.ProfileLoader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.SubGraph;

/** The backend SPI on real graphs: which backend serves a profile, what a lowering reports, what legality says. */
class TargetBackendTest {
  @TempDir Path dir;

  private static final Profile EDGETPU = ProfileLoader.builtin("edgetpu");
  private static final Profile ARM = ProfileLoader.builtin("arm64-int8");

  @Test
  void eachArtifactFormatHasOneBackend() {
    assertTrue(TargetBackend.of(EDGETPU) instanceof TfliteBackend);
    assertTrue(TargetBackend.of(ARM) instanceof TfliteBackend);
    assertTrue(TargetBackend.of(ProfileLoader.builtin("x86-int8")) instanceof OnnxBackend);
    assertTrue(TargetBackend.of(ProfileLoader.builtin("cuda-int8")) instanceof OnnxBackend, "TensorRT builds from ONNX");
  }

  /** LOGISTIC/SOFTMAX (1/256, -128) and TANH (1/128, 0) come from the TFLite rules, not the profiles. */
  @Test
  void tfliteFixedOutputParamsAreDeclaredOnceAndJoinTheScheme() {
    for (Profile p : List.of(EDGETPU, ARM)) {
      Map<String, FixedRange> f = TargetBackend.of(p).quantScheme(p).fixedRanges();
      assertEquals(new FixedRange(1.0 / 256, -128), f.get("Sigmoid"), p.id());
      assertEquals(new FixedRange(1.0 / 256, -128), f.get("Softmax"), p.id());
      assertEquals(new FixedRange(1.0 / 128, 0), f.get("Tanh"), p.id());
      assertEquals(3, f.size(), f::toString);
    }
    Profile x86 = ProfileLoader.builtin("x86-int8");
    QuantScheme s = TargetBackend.of(x86).quantScheme(x86);
    assertEquals(Map.of("Softmax", new FixedRange(1.0 / 256, 0)), s.fixedRanges(), "ONNX Runtime's own, from its profile");
  }

  /** The lowering's facts are the artifact's: every op with the version the flatbuffer's opcode carries. */
  @Test
  void oneLoweringGivesTheArtifactAndItsFacts() {
    Graph g = Pipeline.standard().run(SmallModels.depthwiseSeparable(3), PassContext.forTests());
    TargetBackend b = TargetBackend.of(EDGETPU);
    Graph plan = TargetLegality.representativeInt8Plan(b.prepare(g, EDGETPU), b.quantScheme(EDGETPU));
    Lowered l = b.lower(plan, EDGETPU, TargetBackend.Options.DEFAULT);
    Model m = Model.getRootAsModel(ByteBuffer.wrap(l.bytes()));
    SubGraph sg = m.subgraphs(0);
    assertEquals(sg.operatorsLength(), l.ops().size());
    for (int i = 0; i < l.ops().size(); i++) {
      var code = m.operatorCodes((int) sg.operators(i).opcodeIndex());
      assertEquals(l.ops().get(i).name(), org.tensorflow.lite.schema.BuiltinOperator.name(code.builtinCode()), "op " + i);
      assertEquals(l.ops().get(i).version(), code.version(), "op " + i + " " + l.ops().get(i));
    }
    PartitionReport r = l.partition().orElseThrow();
    assertEquals(l.ops().size(), r.opsTotal());
    assertEquals(-1, r.splitIndex(), r.summary());
    assertEquals("CONV_2D", l.ops().get(0).name().equals("PAD") ? l.ops().get(1).name() : l.ops().get(0).name());
    assertTrue(l.ops().stream().anyMatch(o -> o.name().equals("CONV_2D") && o.version() == 3), "int8 CONV_2D is v3");
    TargetLegality.Result judged = TargetLegality.of(l);
    assertTrue(judged.allSupported(), judged.toString());
    assertTrue(b.lower(g, ProfileLoader.builtin("arm64-int8"), TargetBackend.Options.DEFAULT).partition().isEmpty(),
        "no partition report where the target does not partition once");
  }

  private static Graph convPrelu() {
    GraphBuilder b = new GraphBuilder("conv_prelu", 5);
    String x = b.conv(b.input("image", 1, 3, 12, 12), 6, 3, 1);
    String slope = b.constant("slope", Tensor.ofFloats(new long[] {6, 1, 1}, 0.1f, 0.2f, 0.3f, -0.1f, 0.05f, 0.25f));
    x = b.node("PRelu", Attributes.EMPTY, x, slope);
    return Pipeline.standard().run(b.output(b.conv(x, 4, 3, 1)).build(), PassContext.forTests());
  }

  /** PRELU in fp32 TFLite computes what ONNX Runtime computes, per channel slope in NHWC. */
  @Test
  void preluLowersAndRunsLikeOnnxRuntime() throws Exception {
    Graph g = convPrelu();
    Path onnx = dir.resolve("prelu.onnx");
    new OnnxEmitter().emit(g, onnx);
    Path tfl = dir.resolve("prelu.tflite");
    Profile fp32Arm = ARM;
    Lowered l = TargetBackend.of(fp32Arm).emit(g, fp32Arm, new TargetBackend.Options(false, "fp32", false), tfl);
    assertTrue(l.ops().stream().anyMatch(o -> o.name().equals("PRELU") && o.version() == 1), l.ops()::toString);
    double worst = 0;
    try (OrtSession ort = OrtSession.open(onnx, SessionOptions.DEFAULT);
        RuntimeSession t = new TfliteRuntime().open(tfl, SessionOptions.SOURCE_IO)) {
      for (int seed = 0; seed < 3; seed++) {
        Map<String, Tensor> feed = RandomInputs.random(g.inputs(), seed);
        Map<String, Tensor> want = ort.run(feed);
        Map<String, Tensor> got = t.run(feed);
        for (String out : want.keySet()) {
          double[] a = want.get(out).toDoubles();
          double[] c = got.get(out).toDoubles();
          for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - c[i]));
          }
        }
      }
    }
    assertTrue(worst <= 1e-4, "PRELU differs from ONNX Runtime by " + worst);
    for (Profile p : List.of(ARM, EDGETPU)) {
      assertTrue(TargetLegality.check(g, p).allSupported(), p.id());
    }
  }

  /** An op without a TFLite rule: legality names it, and the lowering refuses it with the same op. */
  @Test
  void anOpTheBackendCannotLowerIsWhatLegalityAndTheLoweringBothName() {
    GraphBuilder b = new GraphBuilder("neg", 1);
    String x = b.node("Neg", Attributes.EMPTY, b.relu(b.conv(b.input("image", 1, 3, 8, 8), 4, 3, 1)));
    Graph g = Pipeline.standard().run(b.output(x).build(), PassContext.forTests());
    for (Profile p : List.of(ARM, EDGETPU)) {
      TargetLegality.Result r = TargetLegality.check(g, p);
      TargetLegality.Verdict v = r.firstUnsupported().orElseThrow();
      assertEquals("Neg", v.op(), p.id());
      assertEquals("the TFLite backend cannot lower Neg", v.reasons().get(0), p.id());
      assertEquals(TargetLegality.Unit.NODES, r.unit());
    }
    BadInputException e = assertThrows(BadInputException.class,
        () -> TargetBackend.of(ARM).lower(g, ARM, TargetBackend.Options.DEFAULT));
    assertTrue(e.getMessage().contains("cannot lower Neg (1 node)"), e.getMessage());
  }

  /** A rule that refuses one node as it is (a grouped convolution) makes that node unsupported, with the rule's reason. */
  @Test
  void aRuleThatRefusesANodeMakesItUnsupported() {
    GraphBuilder b = new GraphBuilder("grouped", 1);
    String x = b.conv(b.conv(b.input("image", 1, 4, 8, 8), 8, 3, 1), 8, 3, 1, 2);
    Graph g = Pipeline.standard().run(b.output(x).build(), PassContext.forTests());
    TargetLegality.Result r = TargetLegality.check(g, ARM);
    assertEquals(1, r.count(TargetLegality.Status.UNSUPPORTED), r.toString());
    TargetLegality.Verdict v = r.firstUnsupported().orElseThrow();
    assertEquals("Conv", v.op());
    assertEquals(g.nodes().get(1).name(), v.node());
    assertTrue(v.reasons().get(0).startsWith("grouped convolution (group 2)"), v.reasons()::toString);
  }

  /** Every small model on every built-in profile: a verdict for every node (or lowered op), never a crash. */
  @Test
  void everySmallModelIsJudgedOnEveryProfile() {
    for (SmallModels.Entry e : SmallModels.all()) {
      Graph g = Pipeline.standard().run(e.factory().apply(2), PassContext.forTests());
      for (String id : ProfileLoader.builtinIds()) {
        Profile p = ProfileLoader.builtin(id);
        TargetLegality.Result r = TargetLegality.check(g, p);
        assertEquals(p.partitioning().isFirstUnsupportedToCpu() ? TargetLegality.Unit.TFLITE_OPS : TargetLegality.Unit.NODES,
            r.unit(), e.name() + " on " + id);
        java.util.Set<String> names = new java.util.HashSet<>();
        g.nodes().forEach(n -> names.add(n.name()));
        if (r.unit() == TargetLegality.Unit.NODES) {
          assertEquals(g.nodes().size(), r.verdicts().size(), e.name() + " on " + id);
        }
        assertTrue(!r.verdicts().isEmpty() && r.verdicts().stream().allMatch(v -> v.node().isEmpty()
            || names.contains(v.node())), e.name() + " on " + id + ": " + r);
      }
    }
  }
}

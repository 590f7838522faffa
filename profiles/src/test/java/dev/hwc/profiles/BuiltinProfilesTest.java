package dev.hwc.profiles;

import dev.hwc.common.BadInputException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BuiltinProfilesTest {

  static List<String> ids() {
    return ProfileLoader.builtinIds();
  }

  @Test
  void theSevenBuiltinsAreListedSorted() {
    assertEquals(
        List.of("arm64-int8", "cpu-fallback", "cuda-fp16", "cuda-int8", "edgetpu", "x86-fp32", "x86-int8"),
        ProfileLoader.builtinIds());
  }

  @ParameterizedTest
  @MethodSource("ids")
  void everyBuiltinLoadsWithItsIdAndSource(String id) {
    Profile p = ProfileLoader.builtin(id);
    assertEquals(id, p.id());
    assertEquals("builtin:" + id, p.source());
    assertFalse(p.description().isBlank());
    assertFalse(p.ops().isEmpty());
    assertTrue(p.supports("Conv"), id + " supports Conv");
    // the loader only lets known constraint kinds through
    p.ops().values().forEach(rule -> rule.limits().forEach(Constraint::type));
  }

  @ParameterizedTest
  @MethodSource("ids")
  void everyBuiltinNamesItsSources(String id) throws java.io.IOException {
    try (var in = getClass().getClassLoader().getResourceAsStream("profiles/" + id + ".yaml")) {
      String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(text.startsWith("#"), id + " starts with a comment");
      assertTrue(text.contains("Source"), id + " names its sources");
    }
  }

  @ParameterizedTest
  @MethodSource("ids")
  void recordsAreImmutable(String id) {
    Profile p = ProfileLoader.builtin(id);
    assertThrows(UnsupportedOperationException.class, () -> p.ops().put("Foo", OpRule.plain()));
    assertThrows(UnsupportedOperationException.class, () -> p.keepHigherPrecision().add("Foo"));
    assertThrows(UnsupportedOperationException.class, () -> p.precisions().weights().add("fp64"));
  }

  @Test
  void builtinsAreCached() {
    assertSame(ProfileLoader.builtin("edgetpu"), ProfileLoader.builtin("edgetpu"));
  }

  @Test
  void edgeTpuFacts() {
    Profile p = ProfileLoader.builtin("edgetpu");
    assertEquals(ArtifactFormat.TFLITE, p.artifact());
    assertEquals("tflite", p.runtime());
    assertEquals(8388608L, p.memory().onChipParamBytes());
    assertTrue(p.isIntegerOnly());
    assertFalse(p.allowsFloat());
    assertEquals(List.of("int8"), p.precisions().weights());
    assertEquals(List.of("int8"), p.precisions().activations());
    assertEquals(List.of("int8", "uint8"), p.precisions().io());
    assertTrue(p.partitioning().isFirstUnsupportedToCpu());
    assertTrue(p.keepHigherPrecision().isEmpty());

    Quantization q = p.quantization();
    assertTrue(q.enabled());
    assertEquals("int8", q.weights().dtype());
    assertTrue(q.weights().symmetric());
    assertEquals(-127, q.weights().min());
    assertEquals(127, q.weights().max());
    assertEquals(OptionalInt.of(0), q.weights().axisFor("Conv"));
    assertEquals(OptionalInt.empty(), q.weights().axisFor("Gemm"));
    assertFalse(q.activations().symmetric());
    assertTrue(q.activations().perTensor());
    assertEquals(-128, q.activations().min());
    assertEquals(127, q.activations().max());
    assertEquals("int32", q.bias());
    // LOGISTIC/SOFTMAX/TANH fixed params are TFLite kernel facts, declared once by the TFLite backend
    // (asserted in dev.hwc.backends.TargetBackendTest), not repeated in TFLite profiles
    assertTrue(q.fixedOutputRanges().isEmpty());
    assertTrue(q.sharesScale("MaxPool"));
    assertTrue(q.sharesScale("Concat"));

    OpRule softmax = p.op("Softmax").orElseThrow();
    assertEquals("SOFTMAX", softmax.lowersTo());
    assertEquals(2, softmax.opVersion());
    assertEquals(OptionalLong.of(16000), softmax.value(ConstraintKind.MAX_ELEMENTS));
    assertEquals(OptionalLong.of(1), softmax.value(ConstraintKind.MAX_NON_UNIT_DIMS));
    OpRule conv = p.op("Conv").orElseThrow();
    assertEquals("CONV_2D", conv.lowersTo());
    assertEquals(3, conv.opVersion());
    assertTrue(conv.has(ConstraintKind.SAME_DILATION));
    assertTrue(conv.has(ConstraintKind.CONSTANT_WEIGHTS));
    assertEquals(4, p.op("Gemm").orElseThrow().opVersion());
    assertTrue(p.op("Gemm").orElseThrow().has(ConstraintKind.ONE_DIM_OUTPUT));
    assertTrue(p.op("MaxPool").orElseThrow().has(ConstraintKind.NO_FUSED_ACTIVATION));
    assertTrue(p.op("PRelu").orElseThrow().has(ConstraintKind.ALPHA_ONE_DIM));
    assertEquals(OptionalLong.of(4), p.op("ReduceMean").orElseThrow().value(ConstraintKind.REDUCE_AXIS_MULTIPLE_OF));
    assertTrue(p.op("ReduceMean").orElseThrow().has(ConstraintKind.NO_BATCH_AXIS));

    for (String unsupported : List.of("Erf", "Pow", "Sqrt", "Where", "Equal", "Div", "LayerNormalization", "Gather",
        "Cast", "Shape", "Transpose", "HardSwish")) {
      assertFalse(p.supports(unsupported), "edgetpu must not list " + unsupported);
    }
    ShapeLimits s = p.shapes();
    assertTrue(s.staticShapes());
    assertEquals(1, s.maxBatch());
    assertEquals(3, s.maxNonUnitDims());
    assertEquals(4, s.maxRank());
    assertEquals(0.98, p.gate().minCosine());
  }

  @Test
  void cudaInt8IsSymmetricWithZeroZeroPoints() {
    Profile p = ProfileLoader.builtin("cuda-int8");
    assertEquals(ArtifactFormat.TENSORRT, p.artifact());
    assertEquals("tensorrt", p.runtime());
    Quantization q = p.quantization();
    assertEquals("zero", q.zeroPoint());
    assertTrue(q.zeroPointMustBeZero());
    assertTrue(q.activations().symmetric());
    assertEquals("int8", q.activations().dtype());
    assertTrue(q.weights().symmetric());
    assertTrue(q.weights().perChannel());
    assertEquals(OptionalInt.of(1), q.weights().axisFor("ConvTranspose"));
    assertEquals(OptionalInt.of(0), q.weights().axisFor("Gemm"));
    assertEquals("fp32", q.bias());
    assertEquals(List.of("fp32", "fp16"), p.precisions().io());
    assertTrue(p.partitioning().isWholeGraph());
    assertTrue(p.keepHigherPrecision().containsAll(List.of("Softmax", "LayerNormalization", "Erf")));
    assertTrue(p.allowsFloat());
    assertTrue(p.supports("Erf"));
    assertTrue(p.supports("LayerNormalization"));
  }

  @Test
  void cudaFp16IsFloatOnly() {
    Profile p = ProfileLoader.builtin("cuda-fp16");
    assertFalse(p.isQuantized());
    assertSame(Quantization.none(), p.quantization());
    assertEquals(List.of("fp16", "fp32"), p.precisions().activations());
    assertTrue(p.keepsHigherPrecision("Softmax"));
    assertTrue(p.keepsHigherPrecision("Resize"));
    assertTrue(p.keepsHigherPrecision("LayerNormalization"));
    assertFalse(p.keepsHigherPrecision("Conv"));
  }

  @Test
  void x86Int8IsU8S8WithOrtFusions() {
    Profile p = ProfileLoader.builtin("x86-int8");
    assertEquals(ArtifactFormat.ONNX, p.artifact());
    assertEquals("onnxruntime", p.runtime());
    Quantization q = p.quantization();
    assertEquals("uint8", q.activations().dtype());
    assertFalse(q.activations().symmetric());
    assertEquals(0, q.activations().min());
    assertEquals(255, q.activations().max());
    assertEquals("int8", q.weights().dtype());
    assertTrue(q.weights().symmetric());
    assertEquals(OptionalInt.of(0), q.weights().axisFor("Conv"));
    assertEquals("int32", q.bias());
    for (String fused : List.of("Conv", "MatMul", "Gemm", "Add", "Mul", "Concat", "AveragePool", "GlobalAveragePool",
        "LeakyRelu", "Sigmoid", "Softmax")) {
      assertTrue(q.fusesQdq(fused), fused);
    }
    assertFalse(q.fusesQdq("Relu"));
    assertTrue(q.sharesScale("Reshape"));
    assertTrue(q.sharesScale("MaxPool"));
    assertTrue(p.partitioning().isPerOpFallback());
    assertTrue(p.supports("Erf"));
  }

  @Test
  void x86Fp32HasNoInt8() {
    Profile p = ProfileLoader.builtin("x86-fp32");
    assertFalse(p.isQuantized());
    for (List<String> dtypes : List.of(p.precisions().weights(), p.precisions().activations(), p.precisions().io())) {
      assertEquals(List.of("fp32"), dtypes);
    }
    assertFalse(p.precisions().allowsActivations("int8"));
    assertEquals(63, p.ops().size()); // 57 ONNX ops (LSTM, GRU, RNN, If, Loop, Scan among them) and 6 ONNX Runtime contrib ops
    assertTrue(p.offersContrib("com.microsoft:Attention"));
  }

  @Test
  void arm64Int8FollowsTheTfliteSpecWithFloatFallback() {
    Profile p = ProfileLoader.builtin("arm64-int8");
    assertEquals(ArtifactFormat.TFLITE, p.artifact());
    assertTrue(p.allowsFloat());
    assertEquals(List.of("int8", "uint8", "fp32"), p.precisions().io());
    assertEquals(-127, p.quantization().weights().min());
    assertTrue(p.quantization().fixedOutputRanges().isEmpty(), "the TFLite backend declares them");
    assertTrue(p.partitioning().isPerOpFallback());
    assertTrue(p.keepsHigherPrecision("Div"));
    assertEquals("FULLY_CONNECTED", p.op("Gemm").orElseThrow().lowersTo());
  }

  @Test
  void cpuFallbackAllowsEverything() {
    Profile p = ProfileLoader.builtin("cpu-fallback");
    assertEquals("onnxruntime", p.runtime());
    assertFalse(p.shapes().staticShapes());
    assertTrue(p.precisions().allowsActivations("fp32"));
    assertTrue(p.precisions().allowsWeights("int8"));
    assertTrue(p.isQuantized());
    // every op of x86-fp32 but the packed-QKV Attention (an int8 plan keeps the projections as MatMuls)
    java.util.Set<String> fp32 = new java.util.TreeSet<>(ProfileLoader.builtin("x86-fp32").ops().keySet());
    fp32.remove("com.microsoft:Attention");
    assertEquals(fp32, new java.util.TreeSet<>(p.ops().keySet()));
    assertTrue(p.offersContrib("com.microsoft:MultiHeadAttention"));
  }

  @Test
  void unknownBuiltinListsTheKnownOnes() {
    BadInputException e = assertThrows(BadInputException.class, () -> ProfileLoader.builtin("edgtpu"));
    assertEquals("unknown profile 'edgtpu'; did you mean 'edgetpu'? (built-in: arm64-int8, cpu-fallback, cuda-fp16, "
        + "cuda-int8, edgetpu, x86-fp32, x86-int8)", e.getMessage());
  }

  @Test
  void constraintVocabularyIsDocumentedByName() {
    assertEquals(ConstraintKind.values().length, ConstraintKind.names().stream().distinct().count());
    assertEquals(ConstraintKind.MAX_ELEMENTS, ConstraintKind.byName("maxElements").orElseThrow());
    assertTrue(ConstraintKind.MAX_ELEMENTS.takesValue());
    assertFalse(ConstraintKind.SAME_DILATION.takesValue());
    assertTrue(ConstraintKind.byName("maxElemnts").isEmpty());
    assertEquals("maxElements=16000", Constraint.of(ConstraintKind.MAX_ELEMENTS, 16000).toString());
  }
}

package dev.hwc.backends.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.compiler.passes.FuseAttention;
import dev.hwc.compiler.passes.FuseGelu;
import dev.hwc.compiler.passes.FuseSkipLayerNorm;
import dev.hwc.compiler.passes.Pass;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.profiles.Profile;
import dev.hwc.profiles.ProfileLoader;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transformer fusions of the ONNX Runtime targets on a small BERT-style encoder block written the way
 * exporters write it (opset 11: additive mask from a [B, S] 0/1 mask, attention spelled out in MatMul,
 * Reshape, Transpose, Softmax; LayerNorm spelled out; erf GELU): each fusion alone and all of them as the
 * backend's prepare runs them, fused and unfused graphs both run on ONNX Runtime on the same inputs (a
 * padded batch of two), within 1e-4 max abs.
 */
class TransformerFusionOnOrtTest {
  static final long H = 32;
  static final long HEADS = 4;
  static final long FFN = 64;

  @TempDir Path dir;

  /** One post-LN encoder block; symbolic batch and sequence dims. */
  static Graph bertBlock(float maskValue) {
    GraphBuilder b = new GraphBuilder("bert_block", 7, 11);
    Shape bs = Shape.of(List.of(Dim.symbol("batch"), Dim.symbol("seq")));
    String x = b.input("x", DType.FLOAT, Shape.of(List.of(Dim.symbol("batch"), Dim.symbol("seq"), Dim.of(H))));
    String mask = b.input("mask", DType.INT64, bs);
    String m = b.node("Unsqueeze", Attributes.of("axes", new long[] {1}), mask);
    m = b.node("Unsqueeze", Attributes.of("axes", new long[] {2}), m);
    m = b.node("Cast", Attributes.of("to", (long) DType.FLOAT.onnxCode), m);
    m = b.node("Sub", Attributes.EMPTY, b.constant("one", Tensor.scalar(1f)), m);
    m = b.mul(m, b.constant("neg", Tensor.scalar(maskValue)));
    long h = H / HEADS;
    String q = dense(b, x, H);
    String k = dense(b, x, H);
    String v = dense(b, x, H);
    String qh = b.transpose(b.reshape(q, 0, 0, HEADS, h), 0, 2, 1, 3);
    String kh = b.transpose(b.reshape(k, 0, 0, HEADS, h), 0, 2, 3, 1);
    String vh = b.transpose(b.reshape(v, 0, 0, HEADS, h), 0, 2, 1, 3);
    String s = b.node("Div", Attributes.EMPTY, b.matMul(qh, kh), b.constant("sqrt_h", Tensor.scalar((float) Math.sqrt(h))));
    String p = b.softmax(b.add(s, m), 3);
    String ctx = b.reshape(b.transpose(b.matMul(p, vh), 0, 2, 1, 3), 0, 0, H);
    String ln1 = layerNorm(b, b.add(dense(b, ctx, H), x));
    String f = dense(b, ln1, FFN);
    String e = b.node("Erf", Attributes.EMPTY, b.node("Div", Attributes.EMPTY, f, b.constant("sqrt2", Tensor.scalar((float) Math.sqrt(2)))));
    String gelu = b.mul(b.mul(f, b.add(e, b.constant("one", Tensor.scalar(1f)))), b.constant("half", Tensor.scalar(0.5f)));
    String out = layerNorm(b, b.add(dense(b, gelu, H), ln1));
    b.output(out);
    return b.build();
  }

  /** Add(bias, MatMul(x, W)), as PyTorch exports a Linear on a 3-D input. */
  private static String dense(GraphBuilder b, String x, long out) {
    long in = b.type(x).shape().dim(2).size();
    String w = b.constant("w", b.randomNormal(1 / Math.sqrt(in), in, out));
    return b.add(b.constant("bias", b.randomNormal(0.1, out)), b.matMul(x, w));
  }

  /** The spelled-out LayerNorm of opsets below 17. */
  private static String layerNorm(GraphBuilder b, String x) {
    long n = b.type(x).shape().dim(2).size();
    Attributes last = Attributes.of("axes", new long[] {-1});
    String d = b.node("Sub", Attributes.EMPTY, x, b.node("ReduceMean", last, x));
    String var = b.node("ReduceMean", last, b.node("Pow", Attributes.EMPTY, d, b.constant("two", Tensor.scalar(2f))));
    String sd = b.node("Sqrt", Attributes.EMPTY, b.add(var, b.constant("eps", Tensor.scalar(1e-12f))));
    String y = b.node("Div", Attributes.EMPTY, d, sd);
    y = b.mul(y, b.constant("gamma", b.randomUniform(0.5, 1.5, n)));
    return b.add(y, b.constant("beta", b.randomNormal(0.1, n)));
  }

  static Map<String, Integer> histogram(Graph g) {
    Map<String, Integer> h = new TreeMap<>();
    for (Node n : g.nodes()) {
      h.merge(dev.hwc.compiler.ops.OpRegistry.key(n), 1, Integer::sum);
    }
    return h;
  }

  /** Batch of two, 6 positions, the second sentence padded after 3 tokens. */
  private static Map<String, Tensor> feed() {
    Random r = new Random(3);
    float[] x = new float[(int) (2 * 6 * H)];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    Map<String, Tensor> f = new LinkedHashMap<>();
    f.put("x", Tensor.ofFloats(new long[] {2, 6, H}, x));
    f.put("mask", Tensor.ofLongs(new long[] {2, 6}, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0));
    return f;
  }

  private double onOrt(Graph before, Graph after) throws Exception {
    Tensor[] r = bothOnOrt(before, after);
    double d = OnnxRoundTripTest.maxAbsDiff(r[0], r[1]);
    System.out.printf("%s -> %s: max abs diff on ORT %.3g%n", histogram(before), histogram(after), d);
    return d;
  }

  /** The first output of both graphs on ONNX Runtime, on the same inputs. */
  private Tensor[] bothOnOrt(Graph before, Graph after) throws Exception {
    assertEquals(List.of(), GraphValidator.validate(after));
    Path a = dir.resolve("before.onnx");
    Path b = dir.resolve("after.onnx");
    new OnnxEmitter().emit(before, a);
    new OnnxEmitter().emit(after, b);
    // both without ONNX Runtime's graph optimizations: on this small graph its own fusions would otherwise
    // form the same kernels on both sides, and each side runs exactly the ops written
    Map<String, Tensor> want;
    Map<String, Tensor> got;
    try (OrtSession ref = OrtSession.open(a, new dev.hwc.backends.SessionOptions(0, false, false));
        OrtSession fused = OrtSession.open(b, new dev.hwc.backends.SessionOptions(0, false, false))) {
      want = ref.run(feed());
      got = fused.run(feed());
    }
    return new Tensor[] {want.values().iterator().next(), got.values().iterator().next()};
  }

  private double alone(Pass pass, Graph g, Map<String, Integer> want) throws Exception {
    Graph out = ShapeInference.run(PassContext.forTests().run(new dev.hwc.compiler.passes.EliminateDeadNodes(),
        PassContext.forTests().run(pass, g)));
    Map<String, Integer> h = histogram(out);
    want.forEach((op, n) -> assertEquals(n, h.getOrDefault(op, 0), op + " in " + h));
    return onOrt(g, out);
  }

  @Test
  void attentionBecomesOneAttentionOpWithPackedWeights() throws Exception {
    Graph g = bertBlock(-10000f);
    double d = alone(new FuseAttention(true), g,
        Map.of("com.microsoft:Attention", 1, "Softmax", 0, "Transpose", 0, "Reshape", 0, "MatMul", 3));
    assertTrue(d <= 1e-4, "max abs " + d);
  }

  @Test
  void attentionBecomesMultiHeadAttentionBetweenTheProjections() throws Exception {
    Graph g = bertBlock(-10000f);
    double d = alone(new FuseAttention(false), g,
        Map.of("com.microsoft:MultiHeadAttention", 1, "Softmax", 0, "Transpose", 0, "MatMul", 6));
    assertTrue(d <= 1e-4, "max abs " + d);
  }

  @Test
  void theExportersLowestFloatMaskIsKeptAsTheFilterValue() throws Exception {
    Graph g = bertBlock(-Float.MAX_VALUE);
    Graph out = PassContext.forTests().run(new FuseAttention(true), g);
    Node att = out.nodes().stream().filter(n -> n.op().equals("Attention")).findFirst().orElseThrow();
    assertEquals(-Float.MAX_VALUE, att.attrs().getFloat("mask_filter_value", 0));
    double d = onOrt(g, ShapeInference.run(out));
    assertTrue(d <= 1e-4, "max abs " + d);
  }

  @Test
  void residualAddAndSpelledOutLayerNormBecomeSkipLayerNormalization() throws Exception {
    Graph g = bertBlock(-10000f);
    // both blocks: the dense layer's bias moves into the fused op (4 dense Adds left: q, k, v, FFN-in)
    double d = alone(new FuseSkipLayerNorm(), g,
        Map.of("com.microsoft:SkipLayerNormalization", 2, "ReduceMean", 0, "Pow", 0, "Sqrt", 0));
    assertTrue(d <= 1e-4, "max abs " + d);
  }

  @Test
  void erfGeluWithItsBiasBecomesBiasGelu() throws Exception {
    Graph g = bertBlock(-10000f);
    double d = alone(FuseGelu.contrib(), g, Map.of("com.microsoft:BiasGelu", 1, "Erf", 0));
    assertTrue(d <= 1e-4, "max abs " + d);
  }

  /**
   * The int8 plans' GELU: the fused exact GELU rewritten as ONNX Runtime's FastGelu (tanh approximation,
   * bias kept as its second input) stays within the approximation's error of the unfused erf block on ONNX
   * Runtime, and is not exact (the tanh form really runs).
   */
  @Test
  void fusedGeluBecomesFastGeluWithItsBias() throws Exception {
    Graph g = bertBlock(-10000f);
    Graph biasGelu = ShapeInference.run(PassContext.forTests().run(new dev.hwc.compiler.passes.EliminateDeadNodes(),
        PassContext.forTests().run(FuseGelu.contrib(), g)));
    Graph fast = PassContext.forTests().run(FuseGelu.tanhContrib(), biasGelu);
    Map<String, Integer> h = histogram(fast);
    assertEquals(1, h.getOrDefault("com.microsoft:FastGelu", 0), h.toString());
    assertEquals(0, h.getOrDefault("com.microsoft:BiasGelu", 0), h.toString());
    Node n = fast.nodes().stream().filter(x -> x.op().equals("FastGelu")).findFirst().orElseThrow();
    assertEquals(2, n.inputs().size(), "the dense layer's bias stays fused");
    assertTrue(fast.isInitializer(n.input(1)), n.describe());
    double d = onOrt(g, fast);
    assertTrue(d > 1e-6 && d <= 2e-3, "FastGelu vs the erf GELU block: max abs " + d);
    // the exact standard-op form is left alone (only ONNX Runtime's fused GELU is rewritten)
    assertSame(g, PassContext.forTests().run(FuseGelu.tanhContrib(), g));
  }

  @Test
  void prepareFusesTheWholeBlockForEachOnnxRuntimeTarget() throws Exception {
    Graph g = bertBlock(-10000f);
    OnnxBackend backend = new OnnxBackend();
    Graph fp32 = backend.prepare(g, ProfileLoader.builtin("x86-fp32"));
    assertEquals(Map.of("com.microsoft:Attention", 1, "com.microsoft:SkipLayerNormalization", 2,
        "com.microsoft:BiasGelu", 1, "MatMul", 3, "Cast", 1), histogram(fp32));
    assertTrue(onOrt(g, fp32) <= 1e-4);
    for (String id : List.of("x86-int8", "cpu-fallback")) {
      Graph q = backend.prepare(g, ProfileLoader.builtin(id));
      assertEquals(Map.of("com.microsoft:MultiHeadAttention", 1, "com.microsoft:SkipLayerNormalization", 2,
          "com.microsoft:BiasGelu", 1, "MatMul", 6, "Cast", 1), histogram(q), id);
      assertTrue(onOrt(g, q) <= 1e-4, id);
      for (Node n : q.nodes()) { // every fused op is legal on the target that asked for it
        assertEquals(List.of(), dev.hwc.compiler.analysis.Legality.reasons(q, n, ProfileLoader.builtin(id)), n.describe());
      }
    }
  }

  /**
   * The dynamic int8 plan of x86-int8 (which offers QAttention): MultiHeadAttention and its three Q/K/V
   * MatMuls become one QAttention with the packed int8 QKV weight, behind the DynamicQuantizeLinear the
   * three MatMuls shared. Same int8 weights (per column) and the same input quantization as the plan without
   * it, so both agree on ONNX Runtime within 1e-4; keeping one projection float keeps the attention as it was.
   */
  @Test
  void dynamicInt8AttentionBecomesQAttention() throws Exception {
    Graph g = new OnnxBackend().prepare(bertBlock(-10000f), ProfileLoader.builtin("x86-int8"));
    Graph plain = dev.hwc.compiler.quant.DynamicQuantizer.apply(g, java.util.Set.of(), false).graph();
    dev.hwc.compiler.quant.DynamicQuantizer.Result packed = dev.hwc.compiler.quant.DynamicQuantizer.apply(g,
        java.util.Set.of(), true);
    Map<String, Integer> h = histogram(packed.graph());
    assertEquals(1, h.getOrDefault("com.microsoft:QAttention", 0), h.toString());
    assertEquals(0, h.getOrDefault("com.microsoft:MultiHeadAttention", 0), h.toString());
    assertEquals(3, h.getOrDefault("MatMulInteger", 0), h.toString()); // output projection, FFN in and out
    assertEquals(4, h.getOrDefault("DynamicQuantizeLinear", 0), h.toString());
    assertEquals(6, packed.matMuls().size(), packed.matMuls().toString()); // q, k, v count as quantized layers
    double d = onOrt(plain, packed.graph());
    assertTrue(d <= 1e-4, "QAttention vs MatMulInteger + MultiHeadAttention: max abs " + d);
    Tensor[] vsFloat = bothOnOrt(g, packed.graph());
    double c = cosine(vsFloat[0].toFloats(), vsFloat[1].toFloats());
    System.out.printf("dynamic int8 with QAttention vs float: cosine %.5f, max abs %.3g%n", c,
        OnnxRoundTripTest.maxAbsDiff(vsFloat[0], vsFloat[1]));
    assertTrue(c >= 0.99, "int8 vs float: cosine " + c);

    String qProj = g.producer(g.nodes().stream().filter(n -> n.op().equals("MultiHeadAttention")).findFirst()
        .orElseThrow().input(0)).name();
    Graph kept = dev.hwc.compiler.quant.DynamicQuantizer.apply(g, java.util.Set.of(qProj), true).graph();
    assertEquals(1, histogram(kept).getOrDefault("com.microsoft:MultiHeadAttention", 0), histogram(kept).toString());
    assertEquals(0, histogram(kept).getOrDefault("com.microsoft:QAttention", 0), histogram(kept).toString());
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  /** With static shapes (--shape) the standard passes make the mask's two Unsqueezes one Reshape; still fused. */
  @Test
  void staticShapesAfterTheStandardPassesStillFuse() throws Exception {
    Graph g = ShapeInference.bindInputs(bertBlock(-10000f), Map.of("x", new long[] {2, 6, H}, "mask", new long[] {2, 6}));
    Graph std = dev.hwc.compiler.passes.Pipeline.standard().run(g, PassContext.forTests());
    assertTrue(std.nodes().stream().noneMatch(n -> n.op().equals("Unsqueeze")), histogram(std).toString());
    Graph fused = new OnnxBackend().prepare(std, ProfileLoader.builtin("x86-fp32"));
    assertEquals(1, histogram(fused).get("com.microsoft:Attention"), histogram(fused).toString());
    assertEquals(2, histogram(fused).get("com.microsoft:SkipLayerNormalization"), histogram(fused).toString());
    assertTrue(onOrt(g, fused) <= 1e-4);
  }

  @Test
  void contribOpsOffKeepsTheStandardOpGraph() throws Exception {
    String yaml;
    try (InputStream in = Profile.class.getResourceAsStream("/profiles/x86-fp32.yaml")) {
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Path file = dir.resolve("x86-fp32-standard.yaml");
    Files.writeString(file, yaml.replace("id: x86-fp32", "id: x86-fp32-standard").replace("contribOps: true", "contribOps: false"));
    Profile p = ProfileLoader.load(file);
    assertTrue(!p.offersContrib("com.microsoft:Attention"));
    Graph g = bertBlock(-10000f);
    assertSame(g, new OnnxBackend().prepare(g, p));
  }

  @Test
  void aProfileWithoutTheContribOpsDoesNotFuse() {
    Graph g = bertBlock(-10000f);
    assertSame(g, new OnnxBackend().prepare(g, ProfileLoader.builtin("cuda-fp16")));
  }
}

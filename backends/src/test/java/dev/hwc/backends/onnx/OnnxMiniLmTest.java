package dev.hwc.backends.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.onnx.OnnxFrontend;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.Pipeline;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * all-MiniLM-L6-v2 (fp32, 90 MB), a real model: imported, re-emitted unchanged, and run in ONNX
 * Runtime next to the original on real tokenized sentences.
 */
class OnnxMiniLmTest {
  @TempDir static Path dir;

  static final List<String> SENTENCES = List.of(
      "The quick brown fox jumps over the lazy dog.",
      "hwc compiles neural networks for the hardware they will run on.",
      "Quantization trades a little accuracy for a lot of speed.",
      "Is this the real life? Is this just fantasy?");

  static Path original;
  static Path emitted;
  static Graph graph;
  static OrtSession before;
  static OrtSession after;
  static Graph optimizedGraph;
  static OrtSession optimized;
  static HuggingFaceTokenizer tokenizer;

  static Path resource(String name) throws IOException {
    Path p = dir.resolve(name);
    try (InputStream in = OnnxMiniLmTest.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + name + " is missing from the classpath");
      }
      Files.copy(in, p);
    }
    return p;
  }

  @BeforeAll
  static void importAndEmit() throws Exception {
    original = resource("all-minilm-l6-v2.onnx");
    tokenizer = HuggingFaceTokenizer.newInstance(resource("all-minilm-l6-v2-tokenizer.json"));
    long t0 = System.nanoTime();
    graph = new OnnxFrontend().read(original);
    long t1 = System.nanoTime();
    emitted = dir.resolve("minilm-hwc.onnx");
    new OnnxEmitter().emit(graph, emitted);
    long t2 = System.nanoTime();
    before = OrtSession.open(original, SessionOptions.DEFAULT);
    after = OrtSession.open(emitted, SessionOptions.DEFAULT);
    long t3 = System.nanoTime();
    optimizedGraph = Pipeline.standard().run(graph, PassContext.forTests());
    Path optimizedFile = dir.resolve("minilm-hwc-optimized.onnx");
    new OnnxEmitter().emit(optimizedGraph, optimizedFile);
    optimized = OrtSession.open(optimizedFile, SessionOptions.DEFAULT);
    System.out.printf("MiniLM optimized by the standard pipeline: %d -> %d nodes, %d ms%n",
        graph.nodes().size(), optimizedGraph.nodes().size(), (System.nanoTime() - t3) / 1_000_000);
    System.out.printf(
        "MiniLM: %d nodes, %d initializers (%.1f MB), opset %d; import %d ms, emit %d ms,"
            + " two ORT loads %d ms; original %d bytes, emitted %d bytes%n",
        graph.nodes().size(), graph.initializers().size(), graph.parameterBytes() / 1e6,
        graph.opset(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000,
        Files.size(original), Files.size(emitted));
  }

  @AfterAll
  static void close() throws Exception {
    if (before != null) {
      before.close();
    }
    if (after != null) {
      after.close();
    }
    if (optimized != null) {
      optimized.close();
    }
    if (tokenizer != null) {
      tokenizer.close();
    }
  }

  @Test
  void importKeepsTheModelsInterface() {
    assertEquals(before.inputs(), after.inputs());
    assertEquals(before.outputs(), after.outputs());
    for (Value in : graph.inputs()) {
      assertEquals(DType.INT64, in.dtype(), in.toString());
    }
    assertEquals(graph.inputs().size(), before.inputs().size());
  }

  @Test
  void reEmittedModelMatchesTheOriginalOnRealSentences() throws Exception {
    assertMatchesOriginal("re-emitted", after);
  }

  @Test
  void optimizedModelHasFewerNodesAndMatchesTheOriginal() throws Exception {
    assertTrue(optimizedGraph.nodes().size() < graph.nodes().size(),
        graph.nodes().size() + " -> " + optimizedGraph.nodes().size());
    assertEquals(List.of(), dev.hwc.compiler.ops.GraphValidator.validate(optimizedGraph));
    assertMatchesOriginal("optimized", optimized);
  }

  /** Runs the original and a candidate on the tokenized sentences; every output within 1e-5 max abs (or the bound). */
  private static void assertMatchesOriginal(String what, OrtSession candidate) throws Exception {
    assertMatchesOriginal(what, candidate, 1e-5);
  }

  private static void assertMatchesOriginal(String what, OrtSession candidate, double bound) throws Exception {
    double worst = 0;
    long t0 = System.nanoTime();
    for (String s : SENTENCES) {
      Encoding enc = tokenizer.encode(s);
      long n = enc.getIds().length;
      Map<String, Tensor> all = Map.of(
          "input_ids", Tensor.ofLongs(new long[] {1, n}, enc.getIds()),
          "attention_mask", Tensor.ofLongs(new long[] {1, n}, enc.getAttentionMask()),
          "token_type_ids", Tensor.ofLongs(new long[] {1, n}, enc.getTypeIds()));
      Map<String, Tensor> feed = new LinkedHashMap<>();
      for (Value in : before.inputs()) {
        feed.put(in.name(), all.get(in.name()));
      }
      Map<String, Tensor> want = before.run(feed);
      Map<String, Tensor> got = candidate.run(feed);
      assertEquals(List.copyOf(want.keySet()), List.copyOf(got.keySet()));
      for (String out : want.keySet()) {
        double d = OnnxRoundTripTest.maxAbsDiff(want.get(out), got.get(out));
        System.out.printf("MiniLM %s: %d tokens, output %s %s max abs diff %.3g%n",
            what, n, out, java.util.Arrays.toString(want.get(out).shape()), d);
        assertTrue(d <= bound, out + " differs by " + d);
        worst = Math.max(worst, d);
      }
    }
    System.out.printf("MiniLM %s: %d sentences through both models in %d ms, worst max abs diff %.3g%n",
        what, SENTENCES.size(), (System.nanoTime() - t0) / 1_000_000, worst);
  }

  /**
   * The ONNX Runtime targets' transformer fusions on MiniLM (6 layers): every attention, residual LayerNorm
   * and GELU fused; the artifact matches the original within 1e-4 on the real sentences and on a padded
   * batch of two (the attention mask's zeros reach the fused attention).
   */
  @Test
  void transformerFusionsOnMiniLmMatchTheOriginal() throws Exception {
    for (String target : List.of("x86-fp32", "x86-int8")) {
      Graph fused = new OnnxBackend().prepare(optimizedGraph, dev.hwc.profiles.ProfileLoader.builtin(target));
      assertEquals(List.of(), dev.hwc.compiler.ops.GraphValidator.validate(fused));
      Map<String, Integer> ops = TransformerFusionOnOrtTest.histogram(fused);
      String attention = target.equals("x86-fp32") ? "com.microsoft:Attention" : "com.microsoft:MultiHeadAttention";
      assertEquals(6, ops.get(attention), target + ": " + ops);
      assertEquals(12, ops.get("com.microsoft:SkipLayerNormalization"), target + ": " + ops);
      assertEquals(6, ops.get("com.microsoft:BiasGelu"), target + ": " + ops);
      assertEquals(null, ops.get("Softmax"), target + ": " + ops);
      assertEquals(null, ops.get("Erf"), target + ": " + ops);
      System.out.printf("MiniLM fused for %s: %d -> %d nodes %s%n", target, optimizedGraph.nodes().size(),
          fused.nodes().size(), ops);
      Path file = dir.resolve("minilm-fused-" + target + ".onnx");
      new OnnxEmitter().emit(fused, file);
      try (OrtSession s = OrtSession.open(file, SessionOptions.DEFAULT)) {
        assertMatchesOriginal("fused for " + target, s, 1e-4);
        // a padded batch: the second sentence's last tokens masked
        Encoding a = tokenizer.encode(SENTENCES.get(1));
        Encoding b = tokenizer.encode(SENTENCES.get(0));
        int n = a.getIds().length;
        long[] ids = new long[2 * n];
        long[] mask = new long[2 * n];
        System.arraycopy(a.getIds(), 0, ids, 0, n);
        java.util.Arrays.fill(mask, 0, n, 1);
        System.arraycopy(b.getIds(), 0, ids, n, b.getIds().length);
        java.util.Arrays.fill(mask, n, n + b.getIds().length, 1);
        Map<String, Tensor> all = Map.of(
            "input_ids", Tensor.ofLongs(new long[] {2, n}, ids),
            "attention_mask", Tensor.ofLongs(new long[] {2, n}, mask),
            "token_type_ids", Tensor.ofLongs(new long[] {2, n}, new long[2 * n]));
        Map<String, Tensor> feed = new LinkedHashMap<>();
        for (Value in : before.inputs()) {
          feed.put(in.name(), all.get(in.name()));
        }
        Map<String, Tensor> want = before.run(feed);
        Map<String, Tensor> got = s.run(feed);
        for (String out : want.keySet()) {
          double d = OnnxRoundTripTest.maxAbsDiff(want.get(out), got.get(out));
          System.out.printf("MiniLM fused for %s, padded batch of 2 x %d: %s max abs diff %.3g%n", target, n, out, d);
          assertTrue(d <= 1e-4, out + " differs by " + d);
        }
      }
    }
  }

  @Test
  void emittingMiniLmIsDeterministic() throws Exception {
    byte[] a = new OnnxEmitter().toBytes(graph);
    assertTrue(java.util.Arrays.equals(a, Files.readAllBytes(emitted)));
  }
}

package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.SessionOptions;
import dev.hwc.backends.onnx.OrtSession;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.onnx.OnnxFrontend;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * all-MiniLM-L6-v2 to x86-int8 with the committed corpus (bench/minilm: 200 calibration sentences,
 * 100 eval sentences, tokenized with the model's own tokenizer): the artifact is at most 30% of the
 * fp32 file, and its mean-pooled sentence embeddings keep cosine >= 0.99 against fp32 on every eval
 * sentence, at least as faithful as the published int8 model (langchain4j's -q jar).
 */
class MiniLmInt8Test {
  @TempDir Path dir;

  private Path resource(String name) throws Exception {
    Path p = dir.resolve(name);
    try (InputStream in = MiniLmInt8Test.class.getResourceAsStream("/" + name)) {
      Files.copy(in, p);
    }
    return p;
  }

  @Test
  void dynamicInt8IsSmallAndFaithfulOnPooledEmbeddings() throws Exception {
    Path fp32 = resource("all-minilm-l6-v2.onnx");
    Path published = resource("all-minilm-l6-v2-q.onnx");
    Path corpus = Path.of("..", "bench", "minilm").toAbsolutePath().normalize();
    Path out = dir.resolve("minilm-int8");
    CliTest.Result r = CliTest.hwc("build", "--target", "x86-int8", fp32.toString(), "--scheme", "dynamic",
        "--calib", corpus.resolve("calib").toString(), "--eval", corpus.resolve("eval").toString(),
        "--bench-seconds", "0", "-o", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    Path ours = out.resolve("all-minilm-l6-v2_int8.onnx");
    double size = (double) Files.size(ours) / Files.size(fp32);
    assertTrue(size <= 0.30, "size ratio " + size);
    // x86-int8 offers QAttention: each layer's attention runs with its packed QKV projection in int8
    long qAttention = new OnnxFrontend().read(ours).nodes().stream().filter(n -> n.op().equals("QAttention")).count();
    assertEquals(6, qAttention, "QAttention nodes");
    // and its GELU as ONNX Runtime's FastGelu (the tanh form, bias fused): the pooled cosines below hold with it
    long fastGelu = new OnnxFrontend().read(ours).nodes().stream().filter(n -> n.op().equals("FastGelu")).count();
    assertEquals(6, fastGelu, "FastGelu nodes");

    SampleSet eval = SampleSet.load(corpus.resolve("eval"), new OnnxFrontend().read(fp32).inputs());
    double oursWorst = 1;
    double publishedWorst = 1;
    double oursSum = 0;
    double publishedSum = 0;
    try (OrtSession f = OrtSession.open(fp32, SessionOptions.DEFAULT);
        OrtSession q = OrtSession.open(ours, SessionOptions.DEFAULT);
        OrtSession p = OrtSession.open(published, SessionOptions.DEFAULT)) {
      for (int i = 0; i < eval.size(); i++) {
        Map<String, Tensor> in = eval.get(i);
        Tensor mask = in.get("attention_mask");
        float[] ref = pooled(f.run(in), mask);
        double a = cosine(ref, pooled(q.run(in), mask));
        double b = cosine(ref, pooled(p.run(in), mask));
        oursWorst = Math.min(oursWorst, a);
        publishedWorst = Math.min(publishedWorst, b);
        oursSum += a;
        publishedSum += b;
      }
    }
    System.out.printf("MiniLM int8 on %d eval sentences, pooled-embedding cosine vs fp32: hwc mean %.5f worst %.5f "
        + "(size %.3f of fp32); published int8 mean %.5f worst %.5f%n", eval.size(), oursSum / eval.size(), oursWorst,
        size, publishedSum / eval.size(), publishedWorst);
    assertTrue(oursWorst >= 0.99, "worst sentence cosine " + oursWorst);
    assertTrue(oursSum >= publishedSum && oursWorst >= publishedWorst,
        "at least as faithful as the published int8 model");
  }

  /** Mean of the token embeddings where the attention mask is 1. */
  static float[] pooled(Map<String, Tensor> outputs, Tensor mask) {
    Tensor h = outputs.get("last_hidden_state");
    long[] s = h.shape();
    int n = (int) s[1];
    int d = (int) s[2];
    float[] v = h.toFloats();
    long[] m = mask.toLongs();
    float[] out = new float[d];
    int count = 0;
    for (int t = 0; t < n; t++) {
      if (m[t] == 0) {
        continue;
      }
      count++;
      for (int j = 0; j < d; j++) {
        out[j] += v[t * d + j];
      }
    }
    for (int j = 0; j < d; j++) {
      out[j] /= Math.max(count, 1);
    }
    return out;
  }

  static double cosine(float[] a, float[] b) {
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
}

package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.SessionOptions;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.onnx.OrtSession;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.onnx.OnnxFrontend;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.compiler.prune.LowRankFactorization;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * all-MiniLM-L6-v2's FFN MatMuls (384x1536 and 1536x384, 12 of them) factorized at rank
 * {@value #RANK} by truncated SVD: parameters, and the mean-pooled sentence embeddings' cosine
 * against the original on the committed eval sentences, on ONNX Runtime. Latency and memory are
 * measured by bench/ (see bench/RESULTS.md), not here. With -Dhwc.lowrank.out=DIR the factorized
 * model is kept there; only then does this test run (about 8 minutes on 2 loaded cores: 12 SVDs of
 * 1536 x 384): {@code mvn -B test -pl cli -am -Dtest=MiniLmLowRankTest -Dhwc.lowrank.out=DIR}.
 */
@org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "hwc.lowrank.out", matches = ".+")
class MiniLmLowRankTest {
  static final int RANK = 192;
  @TempDir Path dir;

  @Test
  void ffnAtRank192() throws Exception {
    Path fp32 = dir.resolve("all-minilm-l6-v2.onnx");
    try (InputStream in = MiniLmLowRankTest.class.getResourceAsStream("/all-minilm-l6-v2.onnx")) {
      Files.copy(in, fp32);
    }
    Graph g = ShapeInference.run(new OnnxFrontend().read(fp32));
    List<LowRankFactorization.Factored> done = new ArrayList<>();
    Graph f = new LowRankFactorization(0, RANK, n -> {
      Tensor w = n.hasInput(1) ? g.initializer(n.input(1)) : null;
      return w != null && w.rank() == 2 && (w.shape()[0] == 1536 || w.shape()[1] == 1536);
    }).factorize(g, done);
    assertEquals(12, done.size(), "two FFN MatMuls in each of 6 layers: " + done);
    long saved = 12L * (384 * 1536 - RANK * (384 + 1536));
    assertEquals(g.parameterCount() - saved, f.parameterCount());
    Path lr = dir.resolve("all-minilm-l6-v2-lowrank" + RANK + ".onnx");
    new OnnxEmitter().emit(f, lr);
    String keep = System.getProperty("hwc.lowrank.out");
    if (keep != null) {
      Files.createDirectories(Path.of(keep));
      Files.copy(lr, Path.of(keep).resolve(lr.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(fp32, Path.of(keep).resolve(fp32.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Path corpus = Path.of("..", "bench", "minilm").toAbsolutePath().normalize();
    SampleSet eval = SampleSet.load(corpus.resolve("eval"), g.inputs());
    double worst = 1;
    double sum = 0;
    try (OrtSession a = OrtSession.open(fp32, SessionOptions.DEFAULT); OrtSession b = OrtSession.open(lr, SessionOptions.DEFAULT)) {
      for (int i = 0; i < eval.size(); i++) {
        Map<String, Tensor> in = eval.get(i);
        Tensor mask = in.get("attention_mask");
        double c = MiniLmInt8Test.cosine(MiniLmInt8Test.pooled(a.run(in), mask), MiniLmInt8Test.pooled(b.run(in), mask));
        worst = Math.min(worst, c);
        sum += c;
      }
    }
    System.out.printf("MiniLM FFN low-rank %d: parameters %d -> %d (%.1f%%), file %d -> %d bytes, nodes %d -> %d; "
            + "pooled-embedding cosine vs fp32 on %d eval sentences: mean %.4f worst %.4f; kept energy %.3f..%.3f%n",
        RANK, g.parameterCount(), f.parameterCount(), 100.0 * f.parameterCount() / g.parameterCount(), Files.size(fp32),
        Files.size(lr), g.nodes().size(), f.nodes().size(), eval.size(), sum / eval.size(), worst,
        done.stream().mapToDouble(LowRankFactorization.Factored::keptEnergy).min().orElse(0),
        done.stream().mapToDouble(LowRankFactorization.Factored::keptEnergy).max().orElse(0));
    assertTrue(Files.size(lr) < Files.size(fp32));
    // measured 12:38 UTC: mean 0.7039, worst 0.5785 (100 sentences): rank 192 of 384 keeps 78-85% of the energy,
    // and without fine-tuning that is far from the 0.99 an embedding model needs; the figure is asserted, not hidden
    assertTrue(worst > 0.5 && sum / eval.size() < 0.9, "rank " + RANK + ": worst " + worst + " mean " + sum / eval.size());
  }
}

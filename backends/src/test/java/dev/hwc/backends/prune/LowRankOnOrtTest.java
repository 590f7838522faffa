package dev.hwc.backends.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.SessionOptions;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.onnx.OrtSession;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.data.RandomInputs;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.prune.LowRankFactorization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Truncated-SVD factorization of an MLP's weights, run on ONNX Runtime against the original. */
class LowRankOnOrtTest {
  @TempDir Path dir;

  /**
   * A 3-layer MLP (Gemm transB, MatMul, Gemm): 96 -> 128 -> 96 -> 10, its first two weights of
   * exact rank 8 plus noise of relative size {@code noise}.
   */
  static Graph mlp(double noise) {
    GraphBuilder b = new GraphBuilder("mlp", 3);
    String x = b.input("x", 4, 96);
    x = b.relu(b.gemm(x, 128));
    x = b.relu(b.linear(x, 96, 1.0));
    b.output(b.gemm(x, 10));
    Graph g = b.build();
    Graph.Editor e = g.edit();
    Random r = new Random(5);
    int count = 0;
    for (var n : g.nodes()) {
      if (!(n.op().equals("Gemm") || n.op().equals("MatMul")) || count++ >= 2) {
        continue;
      }
      Tensor w = g.initializer(n.input(1));
      int rows = (int) w.shape()[0];
      int cols = (int) w.shape()[1];
      double[][] u = new double[rows][8];
      double[][] v = new double[8][cols];
      for (double[] row : u) {
        for (int j = 0; j < 8; j++) {
          row[j] = r.nextGaussian() / Math.sqrt(cols);
        }
      }
      for (double[] row : v) {
        for (int j = 0; j < cols; j++) {
          row[j] = r.nextGaussian();
        }
      }
      double[] out = new double[rows * cols];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          double s = 0;
          for (int k = 0; k < 8; k++) {
            s += u[i][k] * v[k][j];
          }
          out[i * cols + j] = s + noise * r.nextGaussian() / Math.sqrt(cols);
        }
      }
      e.putInitializer(n.input(1), Tensor.fromDoubles(w.dtype(), w.shape(), out));
    }
    return e.build();
  }

  @Test
  void anExactlyLowRankWeightFactorizesWithoutChangingTheOutputs() throws Exception {
    Graph g = mlp(0);
    List<LowRankFactorization.Factored> done = new ArrayList<>();
    Graph f = LowRankFactorization.byEnergy(0.999999, java.util.Set.of()).factorize(g, done);
    assertEquals(List.of(), GraphValidator.validate(f));
    System.out.println("factorized: " + done + "; parameters " + g.parameterCount() + " -> " + f.parameterCount());
    assertEquals(2, done.size(), "the two rank-8 weights; the 96x10 head would not shrink at its full rank");
    assertTrue(done.stream().allMatch(d -> d.rank() == 8), done.toString());
    // 96x128 and 128x96 at rank 8: 8 x (96 + 128) each instead of 12288
    assertEquals(g.parameterCount() - 2 * (96 * 128 - 8 * (96 + 128)), f.parameterCount());
    assertEquals(g.nodes().size() + 2, f.nodes().size(), "one more layer per factorized weight");
    assertTrue(maxAbs(g, f) <= 1e-4, "max abs " + maxAbs(g, f));
  }

  @Test
  void keptEnergyChoosesTheRankAndTheErrorFollows() throws Exception {
    Graph g = mlp(0.3);
    List<LowRankFactorization.Factored> loose = new ArrayList<>();
    List<LowRankFactorization.Factored> tight = new ArrayList<>();
    Graph a = LowRankFactorization.byEnergy(0.8, java.util.Set.of()).factorize(g, loose);
    Graph b = LowRankFactorization.byEnergy(0.95, java.util.Set.of()).factorize(g, tight);
    System.out.printf("energy 0.8: %s, max abs %.4g; energy 0.95: %s, max abs %.4g%n", loose, maxAbs(g, a), tight, maxAbs(g, b));
    assertTrue(loose.get(0).rank() < tight.get(0).rank());
    assertTrue(loose.stream().allMatch(d -> d.keptEnergy() >= 0.8));
    assertTrue(a.parameterCount() < b.parameterCount() && b.parameterCount() < g.parameterCount());
    assertTrue(maxAbs(g, a) > maxAbs(g, b), "less energy kept, larger error");
  }

  private double maxAbs(Graph g, Graph f) throws Exception {
    Path a = dir.resolve("a.onnx");
    Path b = dir.resolve("b.onnx");
    new OnnxEmitter().emit(g, a);
    new OnnxEmitter().emit(f, b);
    Map<String, Tensor> feed = RandomInputs.random(g.inputs(), 1);
    try (OrtSession x = OrtSession.open(a, SessionOptions.DEFAULT); OrtSession y = OrtSession.open(b, SessionOptions.DEFAULT)) {
      return ChannelPruningOnRuntimesTest.maxAbs(x.run(feed).get(g.outputs().get(0).name()),
          y.run(feed).get(g.outputs().get(0).name()));
    }
  }
}

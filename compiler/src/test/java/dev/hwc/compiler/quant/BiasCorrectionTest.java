package dev.hwc.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hwc.compiler.ir.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BiasCorrectionTest {
  /** Ŵ = 1 everywhere, W = Ŵ + diff. */
  private static Tensor[] pair(long[] shape, float... diff) {
    float[] w = new float[diff.length];
    float[] q = new float[diff.length];
    for (int i = 0; i < diff.length; i++) {
      q[i] = 1;
      w[i] = 1 + diff[i];
    }
    return new Tensor[] {Tensor.ofFloats(shape, w), Tensor.ofFloats(shape, q)};
  }

  @Test
  void convSumsOverInputChannelsAndKernelPositions() {
    // W - Ŵ, [Cout 2, Cin 2, 1, 2]: o0 = {in0: [0.1, 0.2], in1: [0, -0.1]}, o1 = {in0: [0.05, 0], in1: [0.3, 0.1]}
    Tensor[] w = pair(new long[] {2, 2, 1, 2}, 0.1f, 0.2f, 0f, -0.1f, 0.05f, 0f, 0.3f, 0.1f);
    // E[x] = [2, -1]: Δb0 = 0.3·2 + (-0.1)·(-1) = 0.7; Δb1 = 0.05·2 + 0.4·(-1) = -0.3
    assertArrayEquals(new float[] {0.7f, -0.3f}, BiasCorrection.conv(w[0], w[1], new float[] {2, -1}, 1), 1e-6f);
  }

  @Test
  void depthwiseConvReadsOneInputChannelPerOutput() {
    Tensor[] w = pair(new long[] {2, 1, 1, 1}, 0.5f, -0.25f);
    assertArrayEquals(new float[] {2, -2}, BiasCorrection.conv(w[0], w[1], new float[] {4, 8}, 2), 1e-6f);
    assertThrows(IllegalArgumentException.class, () -> BiasCorrection.conv(w[0], w[1], new float[] {4}, 2));
  }

  @Test
  void gemmWithTransposedWeights() {
    // B is [N 2, K 3]: diff rows {1, 0, 2} and {0, -1, 0}; E[x] = [1, 2, 3] -> [1 + 6, -2]
    Tensor[] b = pair(new long[] {2, 3}, 1, 0, 2, 0, -1, 0);
    assertArrayEquals(new float[] {7, -2}, BiasCorrection.gemm(b[0], b[1], new float[] {1, 2, 3}, true), 1e-6f);
    Tensor corrected = BiasCorrection.correctedBias(Tensor.ofFloats(new long[] {2}, 0.5f, 0.5f), new float[] {7, -2});
    assertArrayEquals(new float[] {7.5f, -1.5f}, corrected.toFloats());
  }

  @Test
  void correctionMakesTheMeanOutputOfAMatMulMatchTheFloatLayer() {
    Random r = new Random(1);
    int k = 4;
    int n = 3;
    float[] w = new float[k * n];
    float[] q = new float[k * n];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian();
      q[i] = Math.round(w[i] * 8) / 8f; // a coarse grid: a visible, biased error
    }
    int samples = 50;
    float[][] x = new float[samples][k];
    float[] mean = new float[k];
    for (float[] row : x) {
      for (int i = 0; i < k; i++) {
        row[i] = (float) (r.nextGaussian() + i); // non-zero means
        mean[i] += row[i] / samples;
      }
    }
    // the mean over samples of x·W - x·Ŵ, computed directly
    double[] want = new double[n];
    for (float[] row : x) {
      for (int j = 0; j < n; j++) {
        for (int i = 0; i < k; i++) {
          want[j] += (double) row[i] * (w[i * n + j] - q[i * n + j]) / samples;
        }
      }
    }
    float[] delta = BiasCorrection.matMul(Tensor.ofFloats(new long[] {k, n}, w), Tensor.ofFloats(new long[] {k, n}, q), mean);
    for (int j = 0; j < n; j++) {
      assertArrayEquals(new float[] {(float) want[j]}, new float[] {delta[j]}, 1e-5f);
    }
  }
}

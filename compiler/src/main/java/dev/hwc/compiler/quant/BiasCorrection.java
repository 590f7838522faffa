package dev.hwc.compiler.quant;

import dev.hwc.compiler.ir.Tensor;
import java.util.Arrays;

/**
 * Bias correction for quantized weights (Nagel et al., "Data-Free Quantization", 2019, §4.2): a layer
 * y = W·x + b whose weights become Ŵ (quantized, then dequantized) shifts its output's mean by
 * (Ŵ − W)·E[x]. Adding Δb = (W − Ŵ)·E[x] to the bias removes that shift: the corrected bias is
 * {@code b + Δb} ({@link #correctedBias}). E[x] is the mean of the layer's input per input channel
 * over the calibration samples (and, for a Conv, over every pixel), as the Calibrator collects it.
 * For a Conv every output pixel is taken to see all kernel positions, so pixels at a zero-padded
 * border get the correction of an interior pixel (the usual approximation).
 */
public final class BiasCorrection {
  private BiasCorrection() {}

  /**
   * Δb for a Conv with weights {@code [Cout, Cin/group, k1, k2, ...]}: Δb[o] = Σ_{i, k} (W − Ŵ)[o, i, k] ·
   * E[x][gᵢₙ(o) + i], where output channel o reads input channels from gᵢₙ(o) = (o / (Cout/group)) ·
   * Cin/group on.
   *
   * @param inputMean E[x] per input channel, Cin = (Cin/group) · group values
   */
  public static float[] conv(Tensor w, Tensor wHat, float[] inputMean, int group) {
    long[] s = checkSame(w, wHat);
    if (s.length < 2 || group < 1 || s[0] % group != 0) {
      throw new IllegalArgumentException("Conv weights " + Arrays.toString(s) + " with group " + group
          + " are not [Cout, Cin/group, kernel...]");
    }
    int cout = Math.toIntExact(s[0]);
    int cinPerGroup = Math.toIntExact(s[1]);
    if (inputMean.length != (long) cinPerGroup * group) {
      throw new IllegalArgumentException("Conv weights " + Arrays.toString(s) + " with group " + group + " read "
          + (long) cinPerGroup * group + " input channels, got " + inputMean.length + " means");
    }
    long kernel = 1;
    for (int d = 2; d < s.length; d++) {
      kernel *= s[d];
    }
    float[] a = w.toFloats();
    float[] q = wHat.toFloats();
    int outPerGroup = cout / group;
    float[] delta = new float[cout];
    for (int o = 0; o < cout; o++) {
      int firstIn = (o / outPerGroup) * cinPerGroup;
      double sum = 0;
      for (int i = 0; i < cinPerGroup; i++) {
        double diff = 0;
        long base = ((long) o * cinPerGroup + i) * kernel;
        for (long k = 0; k < kernel; k++) {
          diff += (double) a[(int) (base + k)] - q[(int) (base + k)];
        }
        sum += diff * inputMean[firstIn + i];
      }
      delta[o] = (float) sum;
    }
    return delta;
  }

  /**
   * Δb for a Gemm or MatMul whose second input holds the weights: {@code [K, N]}, or {@code [N, K]} when
   * {@code transB}. Δb[n] = Σ_k (B − B̂)[k, n] · E[x_k].
   *
   * @param inputMean E[x] per input feature, K values
   */
  public static float[] gemm(Tensor b, Tensor bHat, float[] inputMean, boolean transB) {
    long[] s = checkSame(b, bHat);
    if (s.length != 2) {
      throw new IllegalArgumentException("Gemm/MatMul weights must be 2-D, got " + Arrays.toString(s));
    }
    int k = Math.toIntExact(transB ? s[1] : s[0]);
    int n = Math.toIntExact(transB ? s[0] : s[1]);
    if (inputMean.length != k) {
      throw new IllegalArgumentException("weights " + Arrays.toString(s) + (transB ? " (transposed)" : "")
          + " read " + k + " input features, got " + inputMean.length + " means");
    }
    float[] a = b.toFloats();
    float[] q = bHat.toFloats();
    double[] sum = new double[n];
    for (int kk = 0; kk < k; kk++) {
      for (int nn = 0; nn < n; nn++) {
        int at = transB ? nn * k + kk : kk * n + nn;
        sum[nn] += ((double) a[at] - q[at]) * inputMean[kk];
      }
    }
    float[] delta = new float[n];
    for (int nn = 0; nn < n; nn++) {
      delta[nn] = (float) sum[nn];
    }
    return delta;
  }

  /** Δb for a MatMul with constant weights {@code [K, N]} (x · B). */
  public static float[] matMul(Tensor b, Tensor bHat, float[] inputMean) {
    return gemm(b, bHat, inputMean, false);
  }

  /** The corrected bias {@code bias + delta}, a 1-D float tensor; a null bias counts as zeros. */
  public static Tensor correctedBias(Tensor bias, float[] delta) {
    float[] out = delta.clone();
    if (bias != null) {
      float[] b = bias.toFloats();
      if (b.length != delta.length) {
        throw new IllegalArgumentException("bias has " + b.length + " values, correction " + delta.length);
      }
      for (int i = 0; i < out.length; i++) {
        out[i] = b[i] + delta[i];
      }
    }
    return Tensor.ofFloats(new long[] {out.length}, out);
  }

  private static long[] checkSame(Tensor w, Tensor wHat) {
    if (!Arrays.equals(w.shape(), wHat.shape())) {
      throw new IllegalArgumentException("weights " + Arrays.toString(w.shape()) + " and their quantized form "
          + Arrays.toString(wHat.shape()) + " differ in shape");
    }
    return w.shape();
  }
}

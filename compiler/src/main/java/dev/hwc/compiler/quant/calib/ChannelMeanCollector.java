package dev.hwc.compiler.quant.calib;

import dev.hwc.compiler.ir.Tensor;
import java.util.Arrays;

/**
 * The running mean of a tensor per channel along one axis (axis 1 for an NCHW Conv input, the last
 * axis for a MatMul input), over every sample and every other position: E[x_c], what bias correction
 * needs. Memory: one double per channel.
 */
public final class ChannelMeanCollector {
  private final int axis;
  private double[] sum;
  private long perChannel;
  private int rank = -1;

  /** @param axis the channel axis; negative counts from the end */
  public ChannelMeanCollector(int axis) {
    this.axis = axis;
  }

  /** Adds one tensor; every tensor must have the same rank and channel count. */
  public void add(Tensor t) {
    add(t.toFloats(), t.shape());
  }

  public void add(float[] values, long[] shape) {
    int a = axis < 0 ? axis + shape.length : axis;
    if (a < 0 || a >= shape.length) {
      throw new IllegalArgumentException("channel axis " + axis + " is out of range for shape " + Arrays.toString(shape));
    }
    int channels = Math.toIntExact(shape[a]);
    if (sum == null) {
      sum = new double[channels];
      rank = shape.length;
    } else if (sum.length != channels || rank != shape.length) {
      throw new IllegalArgumentException("channel mean over axis " + axis + ": shape " + Arrays.toString(shape)
          + " has " + channels + " channels, earlier tensors had " + sum.length + " (rank " + rank + ")");
    }
    long inner = 1;
    for (int i = a + 1; i < shape.length; i++) {
      inner *= shape[i];
    }
    long outer = channels == 0 ? 0 : values.length / (inner * channels);
    int k = 0;
    for (long o = 0; o < outer; o++) {
      for (int c = 0; c < channels; c++) {
        double s = 0;
        for (long i = 0; i < inner; i++) {
          s += values[k++];
        }
        sum[c] += s;
      }
    }
    perChannel += outer * inner;
  }

  /** The resolved channel axis as given (possibly negative). */
  public int axis() {
    return axis;
  }

  /** E[x_c] per channel; empty before any tensor. */
  public float[] mean() {
    if (sum == null) {
      return new float[0];
    }
    float[] out = new float[sum.length];
    for (int c = 0; c < out.length; c++) {
      out[c] = perChannel == 0 ? 0 : (float) (sum[c] / perChannel);
    }
    return out;
  }
}

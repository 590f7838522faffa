package dev.hwc.compiler.ops;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Tensor;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** Building blocks for the reference kernels: elementwise maps with broadcasting, index maps. */
final class Kernels {
  private Kernels() {}

  static Tensor unary(Tensor x, DoubleUnaryOperator f) {
    double[] v = x.toDoubles();
    for (int i = 0; i < v.length; i++) {
      v[i] = f.applyAsDouble(v[i]);
    }
    return Tensor.fromDoubles(x.dtype(), x.shape(), v);
  }

  static Tensor binary(Tensor a, Tensor b, DType out, DoubleBinaryOperator f) {
    long[] shape = ShapeMath.broadcast(a.shape(), b.shape());
    double[] av = a.toDoubles();
    double[] bv = b.toDoubles();
    int n = (int) ShapeMath.count(shape);
    int[] ai = broadcastIndex(a.shape(), shape);
    int[] bi = broadcastIndex(b.shape(), shape);
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = f.applyAsDouble(av[ai[i]], bv[bi[i]]);
    }
    return Tensor.fromDoubles(out, shape, r);
  }

  /** For each flat index of {@code out}, the flat index into a tensor of {@code in} broadcast to it. */
  static int[] broadcastIndex(long[] in, long[] out) {
    int n = (int) ShapeMath.count(out);
    int[] idx = new int[n];
    long[] inStrides = ShapeMath.strides(in);
    int offset = out.length - in.length;
    long[] coord = new long[out.length];
    for (int i = 0; i < n; i++) {
      long k = 0;
      for (int d = offset; d < out.length; d++) {
        if (in[d - offset] != 1) {
          k += coord[d] * inStrides[d - offset];
        }
      }
      idx[i] = (int) k;
      for (int d = out.length - 1; d >= 0; d--) {
        if (++coord[d] < out[d]) {
          break;
        }
        coord[d] = 0;
      }
    }
    return idx;
  }

  /** Gathers elements of x by flat source indices into a tensor of the given shape. */
  static Tensor take(Tensor x, long[] shape, int[] sourceIndex) {
    double[] v = x.toDoubles();
    double[] r = new double[sourceIndex.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = v[sourceIndex[i]];
    }
    return Tensor.fromDoubles(x.dtype(), shape, r);
  }

  static List<Tensor> one(Tensor t) {
    return List.of(t);
  }
}

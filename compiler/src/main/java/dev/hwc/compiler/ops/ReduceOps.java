package dev.hwc.compiler.ops;

import static dev.hwc.compiler.ops.OpTrait.REDUCTION;

import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.List;

/** Reductions over axes. */
final class ReduceOps {
  private ReduceOps() {}

  static List<OpDef> all() {
    // TFLite has int8 MEAN (own output params); ONNX Runtime has no fused QDQ ReduceMean
    return List.of(reduce("ReduceMean", 18, true).withQuant(QuantRule.INTEGER), reduce("ReduceSum", 13, false));
  }

  /** A reduction whose axes move from attribute to second input at {@code axesInputFrom}. */
  private static OpDef reduce(String op, int axesInputFrom, boolean mean) {
    return OpDef.named(op).inputs(1, 2).attrs("axes:INTS", "keepdims:INT", "noop_with_empty_axes:INT")
        .traits(REDUCTION)
        .kernel((c, in) -> Kernels.one(reduceKernel(c, in.get(0), axes(c, axesInputFrom, in.get(0).rank()), mean)))
        .shape(c -> {
          Shape s = c.shape(0);
          if (!s.hasRank()) {
            return c.out(c.dtype(0), Shape.UNKNOWN);
          }
          boolean[] reduced = axes(c, axesInputFrom, s.rank());
          if (reduced == null) {
            return c.out(c.dtype(0), c.attrs().getInt("keepdims", 1) == 1 ? Shape.unknownDims(s.rank()) : Shape.UNKNOWN);
          }
          return c.out(c.dtype(0), reducedShape(c, s, reduced));
        });
  }

  /** Which axes are reduced; null when the axes input is not constant. */
  private static boolean[] axes(OpContext c, int axesInputFrom, int rank) {
    long[] axes = c.opset() < axesInputFrom ? c.attrs().getInts("axes", null) : null;
    if (c.opset() >= axesInputFrom && c.hasInput(1)) {
      axes = c.constantLongs(1);
      if (axes == null) {
        return null;
      }
    }
    boolean[] r = new boolean[rank];
    if (axes == null || axes.length == 0) {
      boolean noop = c.attrs().getInt("noop_with_empty_axes", 0) == 1;
      java.util.Arrays.fill(r, !noop);
      return r;
    }
    for (long a : axes) {
      r[c.axis(a, rank)] = true;
    }
    return r;
  }

  private static Shape reducedShape(OpContext c, Shape s, boolean[] reduced) {
    boolean keep = c.attrs().getInt("keepdims", 1) == 1;
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < s.rank(); i++) {
      if (!reduced[i]) {
        out.add(s.dim(i));
      } else if (keep) {
        out.add(Dim.of(1));
      }
    }
    return Shape.of(out);
  }

  private static Tensor reduceKernel(OpContext c, Tensor x, boolean[] reduced, boolean mean) {
    long[] shape = x.shape();
    long[] keepShape = shape.clone();
    for (int i = 0; i < shape.length; i++) {
      if (reduced[i]) {
        keepShape[i] = 1;
      }
    }
    double[] v = x.toDoubles();
    double[] acc = new double[(int) ShapeMath.count(keepShape)];
    long[] outStrides = ShapeMath.strides(keepShape);
    long[] coord = new long[shape.length];
    for (double e : v) {
      long k = 0;
      for (int d = 0; d < shape.length; d++) {
        k += reduced[d] ? 0 : coord[d] * outStrides[d];
      }
      acc[(int) k] += e;
      for (int d = shape.length - 1; d >= 0; d--) {
        if (++coord[d] < shape[d]) {
          break;
        }
        coord[d] = 0;
      }
    }
    if (mean && acc.length > 0) {
      double n = (double) v.length / acc.length;
      for (int i = 0; i < acc.length; i++) {
        acc[i] /= n;
      }
    }
    Shape out = reducedShape(c, Shape.of(shape), reduced);
    return Tensor.fromDoubles(x.dtype(), out.sizes(), acc);
  }
}

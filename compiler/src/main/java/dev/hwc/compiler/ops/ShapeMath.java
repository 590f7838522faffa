package dev.hwc.compiler.ops;

import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/** Small shape helpers shared by the op rules: broadcasting, windows, axis lists. */
public final class ShapeMath {
  private ShapeMath() {}

  /** Numpy-style broadcast of several shapes; null when they cannot broadcast. */
  public static Shape broadcast(List<Shape> shapes) {
    int rank = 0;
    for (Shape s : shapes) {
      if (!s.hasRank()) {
        return Shape.UNKNOWN;
      }
      rank = Math.max(rank, s.rank());
    }
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      Dim result = Dim.of(1);
      for (Shape s : shapes) {
        int j = i - (rank - s.rank());
        if (j < 0) {
          continue;
        }
        Dim d = s.dim(j);
        result = merge(result, d);
        if (result == null) {
          return null;
        }
      }
      out.add(result);
    }
    return Shape.of(out);
  }

  private static Dim merge(Dim a, Dim b) {
    if (a.isStatic() && a.size() == 1) {
      return b;
    }
    if (b.isStatic() && b.size() == 1) {
      return a;
    }
    if (a.isStatic() && b.isStatic()) {
      return a.size() == b.size() ? a : null;
    }
    if (a.isStatic()) {
      return a;
    }
    if (b.isStatic()) {
      return b;
    }
    return a.equals(b) ? a : a.isSymbolic() ? a : b;
  }

  /** Static broadcast of concrete sizes. */
  public static long[] broadcast(long[]... shapes) {
    List<Shape> s = new ArrayList<>();
    for (long[] x : shapes) {
      s.add(Shape.of(x));
    }
    Shape b = broadcast(s);
    if (b == null) {
      throw new IllegalArgumentException("shapes do not broadcast");
    }
    return b.sizes();
  }

  /** Output size of a sliding window (conv, pool); -1 when the input size is unknown. */
  public static long windowOut(
      long in, long kernel, long stride, long dilation, long padBegin, long padEnd, boolean ceil) {
    if (in < 0) {
      return -1;
    }
    long effective = dilation * (kernel - 1) + 1;
    long span = in + padBegin + padEnd - effective;
    long out = (ceil ? Math.floorDiv(span + stride - 1, stride) : Math.floorDiv(span, stride)) + 1;
    if (ceil && (out - 1) * stride >= in + padBegin) {
      out--; // the last window must start inside the input or left padding
    }
    return out;
  }

  /** Dim from a size that may be unknown (-1). */
  public static Dim dim(long size) {
    return size < 0 ? Dim.UNKNOWN : Dim.of(size);
  }

  /** Product of static dims in [from, to); -1 if any is unknown. */
  public static long product(Shape s, int from, int to) {
    long p = 1;
    for (int i = from; i < to; i++) {
      Dim d = s.dim(i);
      if (!d.isStatic()) {
        return -1;
      }
      p *= d.size();
    }
    return p;
  }

  public static long[] strides(long[] shape) {
    long[] st = new long[shape.length];
    long s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      st[i] = s;
      s *= shape[i];
    }
    return st;
  }

  public static long count(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }
}

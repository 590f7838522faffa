package dev.hwc.compiler.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/** A tensor shape: a list of dims, or an unknown rank ({@link #UNKNOWN}). */
public final class Shape {
  public static final Shape UNKNOWN = new Shape(null);
  public static final Shape SCALAR = new Shape(List.of());

  private final List<Dim> dims;

  private Shape(List<Dim> dims) {
    this.dims = dims == null ? null : Collections.unmodifiableList(new ArrayList<>(dims));
  }

  public static Shape of(long... sizes) {
    List<Dim> d = new ArrayList<>(sizes.length);
    for (long s : sizes) {
      d.add(s < 0 ? Dim.UNKNOWN : Dim.of(s));
    }
    return new Shape(d);
  }

  public static Shape of(List<Dim> dims) {
    return new Shape(dims);
  }

  /** A shape of the given rank whose dims are all unknown. */
  public static Shape unknownDims(int rank) {
    return new Shape(Collections.nCopies(rank, Dim.UNKNOWN));
  }

  public boolean hasRank() {
    return dims != null;
  }

  public int rank() {
    if (dims == null) {
      throw new IllegalStateException("shape has unknown rank");
    }
    return dims.size();
  }

  public List<Dim> dims() {
    if (dims == null) {
      throw new IllegalStateException("shape has unknown rank");
    }
    return dims;
  }

  public Dim dim(int i) {
    return dims().get(i < 0 ? i + dims.size() : i);
  }

  public boolean isStatic() {
    return dims != null && dims.stream().allMatch(Dim::isStatic);
  }

  /** The sizes; throws if any dim is not static. */
  public long[] sizes() {
    if (!isStatic()) {
      throw new IllegalStateException("shape " + this + " is not static");
    }
    return dims.stream().mapToLong(Dim::size).toArray();
  }

  /** Number of elements, or -1 when not static. */
  public long numElements() {
    if (!isStatic()) {
      return -1;
    }
    long n = 1;
    for (Dim d : dims) {
      n = Math.multiplyExact(n, d.size());
    }
    return n;
  }

  /** True when both shapes could describe the same tensor (unknown dims match anything). */
  public boolean compatibleWith(Shape other) {
    if (dims == null || other.dims == null) {
      return true;
    }
    if (dims.size() != other.dims.size()) {
      return false;
    }
    for (int i = 0; i < dims.size(); i++) {
      Dim a = dims.get(i);
      Dim b = other.dims.get(i);
      if (a.isStatic() && b.isStatic() && a.size() != b.size()) {
        return false;
      }
    }
    return true;
  }

  /** Combines two descriptions of one tensor, preferring static sizes, then symbols. */
  public Shape refine(Shape other) {
    if (dims == null) {
      return other;
    }
    if (other.dims == null || other.dims.size() != dims.size()) {
      return this;
    }
    List<Dim> out = new ArrayList<>(dims.size());
    for (int i = 0; i < dims.size(); i++) {
      Dim a = dims.get(i);
      Dim b = other.dims.get(i);
      out.add(a.isStatic() ? a : b.isStatic() ? b : a.isSymbolic() ? a : b);
    }
    return new Shape(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && java.util.Objects.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hashCode(dims);
  }

  @Override
  public String toString() {
    return dims == null
        ? "[?..]"
        : dims.stream().map(Dim::toString).collect(Collectors.joining(",", "[", "]"));
  }

  public static String format(long[] sizes) {
    return Arrays.toString(sizes).replace(" ", "");
  }
}

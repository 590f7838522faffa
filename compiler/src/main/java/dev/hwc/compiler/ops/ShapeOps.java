package dev.hwc.compiler.ops;

import static dev.hwc.compiler.ops.OpTrait.DATA_MOVEMENT;
import static dev.hwc.compiler.ops.OpTrait.SHAPE_ONLY;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Ops that move, select or describe data: reshape, transpose, concat, slice, gather, shape, pad, resize. */
final class ShapeOps {
  private ShapeOps() {}

  /**
   * Quantization: a data-movement op keeps its input's params (ONNX Runtime drops its Q/DQ pair,
   * TFLite's int8 kernels copy bytes); Concat is the exception, an integer kernel with its own output
   * params (QLinearConcat; TFLite requantizes its inputs to them).
   */
  static List<OpDef> all() {
    return entries().stream().map(d -> d.op().equals("Concat") ? d.withQuant(QuantRule.INTEGER_QDQ)
        : d.has(DATA_MOVEMENT) ? d.withQuant(QuantRule.SHARED) : d).toList();
  }

  private static List<OpDef> entries() {
    return List.of(
        OpDef.named("Reshape").inputs(2, 2).attrs("allowzero:INT").traits(DATA_MOVEMENT)
            .kernel((c, in) -> Kernels.one(in.get(0).reshape(
                reshape(c, Shape.of(in.get(0).shape()), in.get(1).toLongs()).sizes())))
            .shape(c -> {
              long[] target = c.constantLongs(1);
              if (target == null) {
                Shape s = c.shape(1);
                return c.out(c.dtype(0), s.hasRank() && s.rank() == 1 && s.dim(0).isStatic()
                    ? Shape.unknownDims((int) s.dim(0).size()) : Shape.UNKNOWN);
              }
              return c.out(c.dtype(0), reshape(c, c.shape(0), target));
            }),
        OpDef.named("Flatten").attrs("axis:INT").traits(DATA_MOVEMENT)
            .kernel((c, in) -> Kernels.one(in.get(0).reshape(flatten(c, Shape.of(in.get(0).shape())).sizes())))
            .shape(c -> c.out(c.dtype(0), flatten(c, c.shape(0)))),
        OpDef.named("Transpose").attrs("perm:INTS").traits(DATA_MOVEMENT)
            .kernel((c, in) -> Kernels.one(transpose(in.get(0), perm(c, in.get(0).rank()))))
            .shape(c -> {
              Shape s = c.shape(0);
              if (!s.hasRank()) {
                return c.out(c.dtype(0), Shape.UNKNOWN);
              }
              int[] p = perm(c, s.rank());
              List<Dim> d = new ArrayList<>();
              for (int a : p) {
                d.add(s.dim(a));
              }
              return c.out(c.dtype(0), Shape.of(d));
            }),
        OpDef.named("Squeeze").inputs(1, 2).attrs("axes:INTS").traits(DATA_MOVEMENT)
            .kernel((c, in) -> Kernels.one(in.get(0).reshape(squeeze(c, Shape.of(in.get(0).shape())).sizes())))
            .shape(c -> c.out(c.dtype(0), squeeze(c, c.shape(0)))),
        OpDef.named("Unsqueeze").inputs(1, 2).attrs("axes:INTS").traits(DATA_MOVEMENT)
            .kernel((c, in) -> Kernels.one(in.get(0).reshape(unsqueeze(c, Shape.of(in.get(0).shape())).sizes())))
            .shape(c -> c.out(c.dtype(0), unsqueeze(c, c.shape(0)))),
        OpDef.named("Concat").inputs(1, Integer.MAX_VALUE).attrs("axis:INT").traits(DATA_MOVEMENT)
            .kernel(ShapeOps::concatKernel)
            .shape(ShapeOps::concatShape),
        OpDef.named("Split").inputs(1, 2).outputs(Integer.MAX_VALUE)
            .attrs("axis:INT", "split:INTS", "num_outputs:INT").traits(DATA_MOVEMENT)
            .kernel(ShapeOps::splitKernel)
            .shape(ShapeOps::splitShape),
        OpDef.named("Gather").inputs(2, 2).attrs("axis:INT").traits(DATA_MOVEMENT)
            .kernel(ShapeOps::gatherKernel)
            .shape(c -> {
              Shape data = c.shape(0);
              Shape idx = c.shape(1);
              if (!data.hasRank() || !idx.hasRank()) {
                return c.out(c.dtype(0), Shape.UNKNOWN);
              }
              int axis = c.axis(c.attrs().getInt("axis", 0), data.rank());
              List<Dim> d = new ArrayList<>(data.dims().subList(0, axis));
              d.addAll(idx.dims());
              d.addAll(data.dims().subList(axis + 1, data.rank()));
              return c.out(c.dtype(0), Shape.of(d));
            }),
        OpDef.named("Slice").inputs(3, 5).traits(DATA_MOVEMENT)
            .kernel(ShapeOps::sliceKernel)
            .shape(ShapeOps::sliceShape),
        // Shape: the output depends only on the input's shape (start/end from opset 15).
        OpDef.named("Shape").attrs("start:INT", "end:INT").traits(SHAPE_ONLY)
            .kernel((c, in) -> {
              long[] dims = c.shape(0).sizes();
              int[] r = shapeRange(c, dims.length);
              return Kernels.one(Tensor.vector(Arrays.copyOfRange(dims, r[0], r[1])));
            })
            .shape(c -> {
              Shape s = c.shape(0);
              if (!s.hasRank()) {
                return c.out(DType.INT64, Shape.unknownDims(1));
              }
              int[] r = shapeRange(c, s.rank());
              return c.out(DType.INT64, Shape.of(r[1] - r[0]));
            }).withTypeFixedInputs(i -> i == 0), // only the shape is read
        OpDef.named("Expand").inputs(2, 2).traits(DATA_MOVEMENT)
            .kernel((c, in) -> {
              Tensor x = in.get(0);
              long[] shape = ShapeMath.broadcast(x.shape(), in.get(1).toLongs());
              return Kernels.one(Kernels.take(x, shape, Kernels.broadcastIndex(x.shape(), shape)));
            })
            .shape(c -> {
              long[] target = c.constantLongs(1);
              if (target == null) {
                Shape s = c.shape(1);
                return c.out(c.dtype(0), s.hasRank() && s.dim(0).isStatic()
                    ? Shape.unknownDims((int) s.dim(0).size()) : Shape.UNKNOWN);
              }
              Shape b = ShapeMath.broadcast(List.of(c.shape(0), Shape.of(target)));
              if (b == null) {
                throw c.fail("cannot expand " + c.shape(0) + " to " + Shape.format(target));
              }
              return c.out(c.dtype(0), b);
            }),
        OpDef.named("Pad").inputs(1, 4).attrs("mode:STRING").traits(DATA_MOVEMENT)
            .shape(ShapeOps::padShape),
        OpDef.named("Resize").inputs(1, 4)
            .attrs("mode:STRING", "coordinate_transformation_mode:STRING", "nearest_mode:STRING",
                "cubic_coeff_a:FLOAT", "exclude_outside:INT", "extrapolation_value:FLOAT",
                "antialias:INT", "axes:INTS", "keep_aspect_ratio_policy:STRING")
            .traits(DATA_MOVEMENT)
            .shape(c -> resizeShape(c, 2, 3))
            .withTypeFixedInputs(i -> i == 1 || i == 2), // roi and scales stay float32
        // Upsample is deprecated since opset 10 but still emitted by old exporters: Resize with scales.
        OpDef.named("Upsample").inputs(2, 2).attrs("mode:STRING").traits(DATA_MOVEMENT)
            .shape(c -> resizeShape(c, 1, -1))
            .withTypeFixedInputs(i -> i == 1), // scales stay float32
        // ConstantOfShape reads its input's data (the shape to fill), so it is not SHAPE_ONLY.
        OpDef.named("ConstantOfShape").attrs("value:TENSOR")
            .kernel((c, in) -> {
              Tensor v = c.attrs().getTensor("value");
              long[] shape = in.get(0).toLongs();
              double[] data = new double[(int) ShapeMath.count(shape)];
              Arrays.fill(data, v == null ? 0 : v.getDouble(0));
              return Kernels.one(Tensor.fromDoubles(v == null ? DType.FLOAT : v.dtype(), shape, data));
            })
            .shape(c -> {
              Tensor v = c.attrs().getTensor("value");
              DType t = v == null ? DType.FLOAT : v.dtype();
              long[] shape = c.constantLongs(0);
              if (shape != null) {
                return c.out(t, Shape.of(shape));
              }
              Shape s = c.shape(0);
              return c.out(t, s.hasRank() && s.dim(0).isStatic() ? Shape.unknownDims((int) s.dim(0).size()) : Shape.UNKNOWN);
            }),
        OpDef.named("Range").inputs(3, 3)
            .kernel((c, in) -> {
              double start = in.get(0).getDouble(0);
              double delta = in.get(2).getDouble(0);
              int n = (int) rangeLength(start, in.get(1).getDouble(0), delta);
              double[] r = new double[n];
              for (int i = 0; i < n; i++) {
                r[i] = start + i * delta;
              }
              return Kernels.one(Tensor.fromDoubles(in.get(0).dtype(), new long[] {n}, r));
            })
            .shape(c -> {
              Tensor s = c.constant(0);
              Tensor l = c.constant(1);
              Tensor d = c.constant(2);
              long n = s == null || l == null || d == null ? -1
                  : rangeLength(s.getDouble(0), l.getDouble(0), d.getDouble(0));
              return c.out(c.dtype(0), Shape.of(List.of(ShapeMath.dim(n))));
            }));
  }

  // ---- Reshape, Flatten, Squeeze, Unsqueeze, Transpose

  static Shape reshape(OpContext c, Shape in, long[] target) {
    boolean allowZero = c.attrs().getInt("allowzero", 0) == 1;
    List<Dim> out = new ArrayList<>();
    int inferAt = -1;
    for (int i = 0; i < target.length; i++) {
      long t = target[i];
      if (t == 0 && !allowZero) {
        if (!in.hasRank() || i >= in.rank()) {
          if (!in.hasRank()) {
            out.add(Dim.UNKNOWN);
            continue;
          }
          throw c.fail("reshape copies dim " + i + " of an input of rank " + in.rank());
        }
        out.add(in.dim(i));
      } else if (t == -1) {
        if (inferAt >= 0) {
          throw c.fail("reshape target " + Shape.format(target) + " has more than one -1");
        }
        inferAt = i;
        out.add(Dim.UNKNOWN);
      } else if (t < -1) {
        throw c.fail("reshape target " + Shape.format(target) + " has a negative dim");
      } else {
        out.add(Dim.of(t));
      }
    }
    long total = in.numElements();
    if (inferAt >= 0) {
      long known = 1;
      boolean allKnown = true;
      for (int i = 0; i < out.size(); i++) {
        if (i != inferAt) {
          allKnown &= out.get(i).isStatic();
          known *= Math.max(out.get(i).size(), 1);
        }
      }
      if (total >= 0 && allKnown) {
        if (known == 0 || total % known != 0) {
          throw c.fail("cannot reshape " + in + " to " + Shape.format(target));
        }
        out.set(inferAt, Dim.of(total / known));
      }
    }
    Shape s = Shape.of(out);
    if (total >= 0 && s.isStatic() && s.numElements() != total) {
      throw c.fail("cannot reshape " + in + " (" + total + " elements) to " + s);
    }
    return s;
  }

  private static Shape flatten(OpContext c, Shape s) {
    if (!s.hasRank()) {
      return Shape.unknownDims(2);
    }
    long axisAttr = c.attrs().getInt("axis", 1);
    int axis = (int) (axisAttr < 0 ? axisAttr + s.rank() : axisAttr);
    if (axis < 0 || axis > s.rank()) {
      throw c.fail("flatten axis " + axisAttr + " out of range for rank " + s.rank());
    }
    return Shape.of(List.of(
        ShapeMath.dim(ShapeMath.product(s, 0, axis)), ShapeMath.dim(ShapeMath.product(s, axis, s.rank()))));
  }

  /** Squeeze/Unsqueeze axes: an attribute below opset 13, the second input from 13 on. */
  static long[] axesOf(OpContext c) {
    long[] axes = c.opset() < 13 ? c.attrs().getInts("axes", null) : null;
    if (axes == null && c.hasInput(1)) {
      axes = c.constantLongs(1);
      if (axes == null) {
        throw c.fail("axes must be constant");
      }
    }
    return axes;
  }

  private static Shape squeeze(OpContext c, Shape s) {
    if (!s.hasRank()) {
      return Shape.UNKNOWN;
    }
    long[] axes = axesOf(c);
    boolean[] drop = new boolean[s.rank()];
    if (axes == null) {
      for (int i = 0; i < s.rank(); i++) {
        drop[i] = s.dim(i).isStatic() && s.dim(i).size() == 1;
      }
    } else {
      for (long a : axes) {
        int ax = c.axis(a, s.rank());
        if (s.dim(ax).isStatic() && s.dim(ax).size() != 1) {
          throw c.fail("cannot squeeze axis " + a + " of size " + s.dim(ax));
        }
        drop[ax] = true;
      }
    }
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < s.rank(); i++) {
      if (!drop[i]) {
        out.add(s.dim(i));
      }
    }
    return Shape.of(out);
  }

  private static Shape unsqueeze(OpContext c, Shape s) {
    long[] axes = axesOf(c);
    if (axes == null) {
      throw c.fail("Unsqueeze needs axes");
    }
    if (!s.hasRank()) {
      return Shape.UNKNOWN;
    }
    int rank = s.rank() + axes.length;
    boolean[] insert = new boolean[rank];
    for (long a : axes) {
      int ax = c.axis(a, rank);
      if (insert[ax]) {
        throw c.fail("axis " + a + " repeated");
      }
      insert[ax] = true;
    }
    List<Dim> out = new ArrayList<>();
    int j = 0;
    for (int i = 0; i < rank; i++) {
      out.add(insert[i] ? Dim.of(1) : s.dim(j++));
    }
    return Shape.of(out);
  }

  private static int[] perm(OpContext c, int rank) {
    long[] p = c.attrs().getInts("perm", null);
    int[] out = new int[rank];
    if (p == null) {
      for (int i = 0; i < rank; i++) {
        out[i] = rank - 1 - i;
      }
      return out;
    }
    if (p.length != rank) {
      throw c.fail("perm " + Arrays.toString(p) + " does not match rank " + rank);
    }
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      out[i] = c.axis(p[i], rank);
      if (seen[out[i]]) {
        throw c.fail("perm " + Arrays.toString(p) + " is not a permutation");
      }
      seen[out[i]] = true;
    }
    return out;
  }

  /** Transposes a constant tensor (used by folding and by the layout passes of backends). */
  public static Tensor transpose(Tensor x, int[] perm) {
    long[] in = x.shape();
    long[] out = new long[in.length];
    for (int i = 0; i < perm.length; i++) {
      out[i] = in[perm[i]];
    }
    long[] inStrides = ShapeMath.strides(in);
    int n = (int) x.numElements();
    int[] src = new int[n];
    long[] coord = new long[out.length];
    for (int i = 0; i < n; i++) {
      long k = 0;
      for (int d = 0; d < out.length; d++) {
        k += coord[d] * inStrides[perm[d]];
      }
      src[i] = (int) k;
      for (int d = out.length - 1; d >= 0; d--) {
        if (++coord[d] < out[d]) {
          break;
        }
        coord[d] = 0;
      }
    }
    return Kernels.take(x, out, src);
  }

  // ---- Concat, Split

  private static List<Value> concatShape(OpContext c) {
    Shape first = c.shape(0);
    if (!first.hasRank()) {
      return c.out(c.dtype(0), Shape.UNKNOWN);
    }
    int rank = first.rank();
    int axis = c.axis(c.attrs().getInt("axis", 0), rank);
    List<Dim> out = new ArrayList<>(first.dims());
    long total = 0;
    for (int i = 0; i < c.inputCount(); i++) {
      Shape s = c.shape(i);
      if (!s.hasRank()) {
        return c.out(c.dtype(0), Shape.unknownDims(rank));
      }
      if (s.rank() != rank) {
        throw c.fail("concat inputs have ranks " + rank + " and " + s.rank());
      }
      if (c.dtype(i) != c.dtype(0)) {
        throw c.fail("concat inputs have types " + c.dtype(0).shortName() + " and " + c.dtype(i).shortName());
      }
      for (int d = 0; d < rank; d++) {
        if (d != axis) {
          out.set(d, out.get(d).isStatic() ? out.get(d) : s.dim(d));
        }
      }
      total = total < 0 || !s.dim(axis).isStatic() ? -1 : total + s.dim(axis).size();
    }
    out.set(axis, ShapeMath.dim(total));
    return c.out(c.dtype(0), Shape.of(out));
  }

  private static List<Tensor> concatKernel(OpContext c, List<Tensor> in) {
    long[] shape = in.get(0).shape();
    int axis = c.axis(c.attrs().getInt("axis", 0), shape.length);
    long outer = ShapeMath.count(Arrays.copyOfRange(shape, 0, axis));
    long inner = ShapeMath.count(Arrays.copyOfRange(shape, axis + 1, shape.length));
    long total = 0;
    for (Tensor t : in) {
      total += t.shape()[axis];
    }
    double[] r = new double[(int) (outer * total * inner)];
    int k = 0;
    for (long o = 0; o < outer; o++) {
      for (Tensor t : in) {
        int chunk = (int) (t.shape()[axis] * inner);
        double[] v = t.toDoubles();
        System.arraycopy(v, (int) (o * chunk), r, k, chunk);
        k += chunk;
      }
    }
    shape[axis] = total;
    return Kernels.one(Tensor.fromDoubles(in.get(0).dtype(), shape, r));
  }

  private static long[] splitSizes(OpContext c, Dim axisDim) {
    int n = c.node().outputs().size();
    long[] split = c.opset() < 13 ? c.attrs().getInts("split", null) : null;
    if (split == null && c.hasInput(1)) {
      split = c.constantLongs(1);
      if (split == null) {
        throw c.fail("split sizes must be constant");
      }
    }
    if (split != null) {
      return split;
    }
    long[] sizes = new long[n];
    if (!axisDim.isStatic()) {
      Arrays.fill(sizes, -1);
      return sizes;
    }
    long each = (axisDim.size() + n - 1) / n; // opset 18: the last chunk may be smaller
    long left = axisDim.size();
    for (int i = 0; i < n; i++) {
      sizes[i] = Math.min(each, left);
      left -= sizes[i];
    }
    return sizes;
  }

  private static List<Value> splitShape(OpContext c) {
    Shape s = c.shape(0);
    List<Value> out = new ArrayList<>();
    if (!s.hasRank()) {
      for (String o : c.node().outputs()) {
        out.add(new Value(o, c.dtype(0), Shape.UNKNOWN));
      }
      return out;
    }
    int axis = c.axis(c.attrs().getInt("axis", 0), s.rank());
    long[] sizes = splitSizes(c, s.dim(axis));
    if (sizes.length != c.node().outputs().size()) {
      throw c.fail(sizes.length + " split sizes for " + c.node().outputs().size() + " outputs");
    }
    for (int i = 0; i < sizes.length; i++) {
      List<Dim> d = new ArrayList<>(s.dims());
      d.set(axis, ShapeMath.dim(sizes[i]));
      out.add(new Value(c.node().output(i), c.dtype(0), Shape.of(d)));
    }
    return out;
  }

  private static List<Tensor> splitKernel(OpContext c, List<Tensor> in) {
    Tensor x = in.get(0);
    long[] shape = x.shape();
    int axis = c.axis(c.attrs().getInt("axis", 0), shape.length);
    long[] sizes = splitSizes(c, Dim.of(shape[axis]));
    long outer = ShapeMath.count(Arrays.copyOfRange(shape, 0, axis));
    long inner = ShapeMath.count(Arrays.copyOfRange(shape, axis + 1, shape.length));
    double[] v = x.toDoubles();
    List<Tensor> out = new ArrayList<>();
    long start = 0;
    for (long size : sizes) {
      double[] r = new double[(int) (outer * size * inner)];
      int k = 0;
      for (long o = 0; o < outer; o++) {
        long from = (o * shape[axis] + start) * inner;
        System.arraycopy(v, (int) from, r, k, (int) (size * inner));
        k += (int) (size * inner);
      }
      long[] s = shape.clone();
      s[axis] = size;
      out.add(Tensor.fromDoubles(x.dtype(), s, r));
      start += size;
    }
    return out;
  }

  // ---- Gather, Slice

  private static List<Tensor> gatherKernel(OpContext c, List<Tensor> in) {
    Tensor data = in.get(0);
    long[] ds = data.shape();
    int axis = c.axis(c.attrs().getInt("axis", 0), ds.length);
    long[] idx = in.get(1).toLongs();
    long outer = ShapeMath.count(Arrays.copyOfRange(ds, 0, axis));
    long inner = ShapeMath.count(Arrays.copyOfRange(ds, axis + 1, ds.length));
    int[] src = new int[(int) (outer * idx.length * inner)];
    int k = 0;
    for (long o = 0; o < outer; o++) {
      for (long i : idx) {
        long j = i < 0 ? i + ds[axis] : i;
        if (j < 0 || j >= ds[axis]) {
          throw c.fail("gather index " + i + " out of range for axis of size " + ds[axis]);
        }
        for (long e = 0; e < inner; e++) {
          src[k++] = (int) ((o * ds[axis] + j) * inner + e);
        }
      }
    }
    List<Long> shape = new ArrayList<>();
    for (int d = 0; d < axis; d++) {
      shape.add(ds[d]);
    }
    for (long d : in.get(1).shape()) {
      shape.add(d);
    }
    for (int d = axis + 1; d < ds.length; d++) {
      shape.add(ds[d]);
    }
    return Kernels.one(Kernels.take(data, shape.stream().mapToLong(Long::longValue).toArray(), src));
  }

  /** Resolved slice of one axis: start, step and count. */
  private record AxisSlice(long start, long step, long count) {}

  private static AxisSlice resolve(long dim, long start, long end, long step) {
    if (step == 0) {
      throw new IllegalArgumentException("slice step 0");
    }
    if (start < 0) {
      start += dim;
    }
    if (end < 0) {
      end += dim;
    }
    if (step > 0) {
      start = Math.max(0, Math.min(start, dim));
      end = Math.max(0, Math.min(end, dim));
      return new AxisSlice(start, step, Math.max(0, (end - start + step - 1) / step));
    }
    start = Math.max(-1, Math.min(start, dim - 1));
    end = Math.max(-1, Math.min(end, dim - 1));
    return new AxisSlice(start, step, Math.max(0, (start - end - step - 1) / -step));
  }

  /** Slice parameters per input axis; entries are null for untouched axes. */
  private static long[][] sliceParams(OpContext c, int rank) {
    long[] starts = c.constantLongs(1);
    long[] ends = c.constantLongs(2);
    long[] axes = c.hasInput(3) ? c.constantLongs(3) : null;
    long[] steps = c.hasInput(4) ? c.constantLongs(4) : null;
    if (starts == null || ends == null || (c.hasInput(3) && axes == null) || (c.hasInput(4) && steps == null)) {
      return null;
    }
    long[][] p = new long[rank][];
    for (int i = 0; i < starts.length; i++) {
      int axis = c.axis(axes == null ? i : axes[i], rank);
      p[axis] = new long[] {starts[i], ends[i], steps == null ? 1 : steps[i]};
    }
    return p;
  }

  private static List<Value> sliceShape(OpContext c) {
    Shape s = c.shape(0);
    if (!s.hasRank()) {
      return c.out(c.dtype(0), Shape.UNKNOWN);
    }
    long[][] p = sliceParams(c, s.rank());
    if (p == null) {
      return c.out(c.dtype(0), Shape.unknownDims(s.rank()));
    }
    List<Dim> out = new ArrayList<>(s.dims());
    for (int a = 0; a < p.length; a++) {
      if (p[a] != null) {
        out.set(a, s.dim(a).isStatic()
            ? Dim.of(resolve(s.dim(a).size(), p[a][0], p[a][1], p[a][2]).count()) : Dim.UNKNOWN);
      }
    }
    return c.out(c.dtype(0), Shape.of(out));
  }

  private static List<Tensor> sliceKernel(OpContext c, List<Tensor> in) {
    Tensor x = in.get(0);
    long[] shape = x.shape();
    long[][] p = sliceParams(c, shape.length);
    AxisSlice[] s = new AxisSlice[shape.length];
    long[] out = new long[shape.length];
    for (int a = 0; a < shape.length; a++) {
      s[a] = p[a] == null ? new AxisSlice(0, 1, shape[a]) : resolve(shape[a], p[a][0], p[a][1], p[a][2]);
      out[a] = s[a].count();
    }
    long[] strides = ShapeMath.strides(shape);
    int n = (int) ShapeMath.count(out);
    int[] src = new int[n];
    long[] coord = new long[out.length];
    for (int i = 0; i < n; i++) {
      long k = 0;
      for (int d = 0; d < out.length; d++) {
        k += (s[d].start() + coord[d] * s[d].step()) * strides[d];
      }
      src[i] = (int) k;
      for (int d = out.length - 1; d >= 0; d--) {
        if (++coord[d] < out[d]) {
          break;
        }
        coord[d] = 0;
      }
    }
    return Kernels.one(Kernels.take(x, out, src));
  }

  // ---- Shape, Range, Pad, Resize

  private static int[] shapeRange(OpContext c, int rank) {
    long start = c.attrs().getInt("start", 0);
    long end = c.attrs().getInt("end", rank);
    start = Math.max(0, Math.min(rank, start < 0 ? start + rank : start));
    end = Math.max(0, Math.min(rank, end < 0 ? end + rank : end));
    return new int[] {(int) start, (int) Math.max(start, end)};
  }

  private static long rangeLength(double start, double limit, double delta) {
    return Math.max((long) Math.ceil((limit - start) / delta), 0);
  }

  private static List<Value> padShape(OpContext c) {
    Shape s = c.shape(0);
    long[] pads = c.constantLongs(1);
    if (!s.hasRank()) {
      return c.out(c.dtype(0), Shape.UNKNOWN);
    }
    if (pads == null) {
      return c.out(c.dtype(0), Shape.unknownDims(s.rank()));
    }
    int rank = s.rank();
    long[] axes = c.hasInput(3) ? c.constantLongs(3) : null;
    int n = axes == null ? rank : axes.length;
    if (pads.length != 2 * n) {
      throw c.fail(pads.length + " pads for " + n + " axes");
    }
    List<Dim> out = new ArrayList<>(s.dims());
    for (int i = 0; i < n; i++) {
      int a = axes == null ? i : c.axis(axes[i], rank);
      Dim d = s.dim(a);
      out.set(a, d.isStatic() ? Dim.of(d.size() + pads[i] + pads[i + n]) : Dim.UNKNOWN);
    }
    return c.out(c.dtype(0), Shape.of(out));
  }

  private static List<Value> resizeShape(OpContext c, int scalesInput, int sizesInput) {
    Shape s = c.shape(0);
    if (!s.hasRank()) {
      return c.out(c.dtype(0), Shape.UNKNOWN);
    }
    int rank = s.rank();
    long[] sizes = sizesInput >= 0 && c.hasInput(sizesInput) ? c.constantLongs(sizesInput) : null;
    Tensor scalesT = c.hasInput(scalesInput) ? c.constant(scalesInput) : null;
    double[] scales = scalesT == null || scalesT.numElements() == 0 ? null : scalesT.toDoubles();
    long[] axes = c.attrs().getInts("axes", null);
    List<Dim> out = new ArrayList<>(s.dims());
    if (sizes == null && scales == null) {
      return c.out(c.dtype(0), Shape.unknownDims(rank));
    }
    int n = sizes != null ? sizes.length : scales.length;
    if (axes == null && n != rank) {
      throw c.fail("resize has " + n + " scales/sizes for rank " + rank);
    }
    for (int i = 0; i < n; i++) {
      int a = axes == null ? i : c.axis(axes[i], rank);
      if (sizes != null) {
        out.set(a, Dim.of(sizes[i]));
      } else {
        Dim d = s.dim(a);
        out.set(a, d.isStatic() ? Dim.of((long) Math.floor(d.size() * scales[i])) : scales[i] == 1 ? d : Dim.UNKNOWN);
      }
    }
    return c.out(c.dtype(0), Shape.of(out));
  }
}

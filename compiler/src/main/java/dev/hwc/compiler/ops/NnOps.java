package dev.hwc.compiler.ops;

import static dev.hwc.compiler.ops.OpTrait.DATA_MOVEMENT;
import static dev.hwc.compiler.ops.OpTrait.FIXED_OUTPUT_RANGE;
import static dev.hwc.compiler.ops.OpTrait.NORMALIZATION;
import static dev.hwc.compiler.ops.OpTrait.REDUCTION;
import static dev.hwc.compiler.ops.OpTrait.WEIGHTED;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Neural-network ops: convolutions, matrix products, pooling, normalization, softmax. */
final class NnOps {
  private NnOps() {}

  private static final String[] WINDOW_ATTRS = {
    "auto_pad:STRING", "dilations:INTS", "kernel_shape:INTS", "pads:INTS", "strides:INTS"
  };

  static List<OpDef> all() {
    return List.of(
        OpDef.named("Conv").inputs(2, 3).attrs(WINDOW_ATTRS).attrs("group:INT").traits(WEIGHTED)
            .shape(NnOps::convShape).withQuant(QuantRule.weighted((n, w) -> 0).withMeanAxis((g, n) -> 1))
            .withMacs(NnOps::convMacs),
        OpDef.named("ConvTranspose").inputs(2, 3).attrs(WINDOW_ATTRS)
            .attrs("group:INT", "output_padding:INTS", "output_shape:INTS").traits(WEIGHTED)
            .shape(NnOps::convTransposeShape)
            .withQuant(QuantRule.weighted((n, w) -> n.attrs().getInt("group", 1) == 1 ? 1 : -1))
            .withMacs(NnOps::convTransposeMacs),
        OpDef.named("Gemm").inputs(2, 3)
            .attrs("alpha:FLOAT", "beta:FLOAT", "transA:INT", "transB:INT").traits(WEIGHTED)
            .shape(NnOps::gemmShape)
            .withQuant(QuantRule.weighted((n, w) -> n.attrs().getInt("transB", 0) != 0 ? 0 : 1)
                .withMeanAxis((g, n) -> 1))
            .withMacs(NnOps::productMacs),
        OpDef.named("MatMul").inputs(2, 2).traits(WEIGHTED).shape(NnOps::matMulShape)
            .withQuant(QuantRule.weighted((n, w) -> w.length == 2 ? 1 : -1).withMeanAxis(NnOps::matMulMeanAxis))
            .withMacs(NnOps::productMacs),
        OpDef.named("MaxPool").outputs(2).attrs(WINDOW_ATTRS).attrs("ceil_mode:INT", "storage_order:INT")
            .traits(DATA_MOVEMENT).shape(NnOps::poolShape).withQuant(QuantRule.SHARED),
        // MaxUnpool: scatters X to the flat NCHW positions MaxPool's indices name; the output's size
        // is output_shape when given, else (in - 1) * stride + kernel - pads per spatial dim
        OpDef.named("MaxUnpool").inputs(2, 3).attrs("kernel_shape:INTS", "pads:INTS", "strides:INTS")
            .shape(NnOps::maxUnpoolShape),
        OpDef.named("AveragePool").attrs(WINDOW_ATTRS).attrs("ceil_mode:INT", "count_include_pad:INT")
            .shape(NnOps::poolShape).withQuant(QuantRule.INTEGER_QDQ),
        OpDef.named("GlobalAveragePool").traits(REDUCTION)
            .shape(c -> {
              Shape s = c.shape(0);
              if (!s.hasRank()) {
                return c.out(c.dtype(0), Shape.UNKNOWN);
              }
              List<Dim> d = new ArrayList<>(s.dims());
              for (int i = 2; i < d.size(); i++) {
                d.set(i, Dim.of(1));
              }
              return c.out(c.dtype(0), Shape.of(d));
            }).withQuant(QuantRule.INTEGER_QDQ),
        OpDef.named("BatchNormalization").inputs(5, 5).outputs(3)
            .attrs("epsilon:FLOAT", "momentum:FLOAT", "training_mode:INT", "spatial:INT")
            .traits(NORMALIZATION)
            .shape(c -> {
              if (c.attrs().getInt("training_mode", 0) != 0 || c.node().outputs().size() > 1) {
                throw c.fail("training-mode BatchNormalization is not supported; export the model in eval mode");
              }
              return ElementwiseOps.sameAsInput(c);
            }),
        OpDef.named("LayerNormalization").inputs(2, 3).outputs(3)
            .attrs("axis:INT", "epsilon:FLOAT", "stash_type:INT").traits(NORMALIZATION)
            .shape(c -> {
              Shape s = c.shape(0);
              List<Value> out = new ArrayList<>(c.out(c.dtype(0), s));
              if (c.node().outputs().size() > 1 && s.hasRank()) {
                int axis = c.axis(c.attrs().getInt("axis", -1), s.rank());
                List<Dim> d = new ArrayList<>(s.dims());
                for (int i = axis; i < d.size(); i++) {
                  d.set(i, Dim.of(1));
                }
                for (int i = 1; i < c.node().outputs().size(); i++) {
                  if (!c.node().output(i).isEmpty()) {
                    out.add(new Value(c.node().output(i), DType.FLOAT, Shape.of(d)));
                  }
                }
              }
              return out;
            }),
        // Softmax: below opset 13 it flattens to 2-D at `axis` (default 1); from 13 it is per-axis (default -1).
        OpDef.named("Softmax").attrs("axis:INT").traits(FIXED_OUTPUT_RANGE)
            .shape(c -> {
              Shape s = c.shape(0);
              if (s.hasRank() && s.rank() > 0) {
                c.axis(c.attrs().getInt("axis", c.opset() < 13 ? 1 : -1), s.rank());
              }
              return ElementwiseOps.sameAsInput(c);
            }).withQuant(QuantRule.INTEGER));
  }

  /** Window geometry of conv and pool: kernel, strides, dilations, pads (begin..., end...). */
  record Window(long[] kernel, long[] strides, long[] dilations, long[] pads, String autoPad) {}

  static Window window(OpContext c, long[] kernel, int spatial) {
    long[] strides = c.attrs().getInts("strides", ones(spatial));
    long[] dil = c.attrs().getInts("dilations", ones(spatial));
    long[] pads = c.attrs().getInts("pads", new long[2 * spatial]);
    String autoPad = c.attrs().getString("auto_pad", "NOTSET");
    if (kernel.length != spatial || strides.length != spatial || dil.length != spatial || pads.length != 2 * spatial) {
      throw c.fail("kernel " + Arrays.toString(kernel) + ", strides, dilations or pads do not match "
          + spatial + " spatial dims");
    }
    for (int i = 0; i < spatial; i++) {
      if (kernel[i] <= 0 || strides[i] <= 0 || dil[i] <= 0 || pads[i] < 0 || pads[i + spatial] < 0) {
        throw c.fail("kernel, strides and dilations must be positive and pads non-negative");
      }
    }
    return new Window(kernel, strides, dil, pads, autoPad);
  }

  private static long[] ones(int n) {
    long[] a = new long[n];
    Arrays.fill(a, 1);
    return a;
  }

  /** Spatial output dims of a window op over input shape s (dims 2..). */
  private static List<Dim> windowDims(OpContext c, Shape s, Window w, boolean ceil) {
    int spatial = s.rank() - 2;
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < spatial; i++) {
      Dim d = s.dim(i + 2);
      long in = d.isStatic() ? d.size() : -1;
      long o;
      switch (w.autoPad()) {
        case "SAME_UPPER", "SAME_LOWER" -> o = in < 0 ? -1 : (in + w.strides()[i] - 1) / w.strides()[i];
        case "VALID" -> o = ShapeMath.windowOut(in, w.kernel()[i], w.strides()[i], w.dilations()[i], 0, 0, ceil);
        case "NOTSET" -> o = ShapeMath.windowOut(in, w.kernel()[i], w.strides()[i], w.dilations()[i],
            w.pads()[i], w.pads()[i + spatial], ceil);
        default -> throw c.fail("unknown auto_pad '" + w.autoPad() + "'");
      }
      if (in >= 0 && o <= 0) {
        throw c.fail("window " + Arrays.toString(w.kernel()) + " does not fit input " + s);
      }
      out.add(ShapeMath.dim(o));
    }
    return out;
  }

  private static List<Value> convShape(OpContext c) {
    Shape x = c.shape(0);
    Shape wShape = c.shape(1);
    if (!x.hasRank() || !wShape.hasRank()) {
      return c.out(c.dtype(0), Shape.UNKNOWN);
    }
    if (x.rank() < 3 || wShape.rank() != x.rank()) {
      throw c.fail("input " + x + " and weights " + wShape + " must have the same rank >= 3");
    }
    long group = c.attrs().getInt("group", 1);
    long[] kernel = c.attrs().getInts("kernel_shape", null);
    if (kernel == null) {
      if (!wShape.isStatic()) {
        throw c.fail("kernel_shape is missing and the weights' shape is not static");
      }
      kernel = Arrays.copyOfRange(wShape.sizes(), 2, x.rank());
    }
    Dim cin = x.dim(1);
    Dim wc = wShape.dim(1);
    if (cin.isStatic() && wc.isStatic() && cin.size() != wc.size() * group) {
      throw c.fail("input has " + cin + " channels but weights expect " + wc.size() * group
          + " (" + wc + " x group " + group + ")");
    }
    Window w = window(c, kernel, x.rank() - 2);
    List<Dim> out = new ArrayList<>(List.of(x.dim(0), wShape.dim(0)));
    out.addAll(windowDims(c, x, w, false));
    return c.out(c.dtype(0), Shape.of(out));
  }

  private static List<Value> convTransposeShape(OpContext c) {
    Shape x = c.shape(0);
    Shape wShape = c.shape(1);
    if (!x.hasRank() || !wShape.hasRank()) {
      return c.out(c.dtype(0), Shape.UNKNOWN);
    }
    int spatial = x.rank() - 2;
    long group = c.attrs().getInt("group", 1);
    long[] kernel = c.attrs().getInts("kernel_shape", null);
    if (kernel == null) {
      kernel = Arrays.copyOfRange(wShape.sizes(), 2, x.rank());
    }
    Window w = window(c, kernel, spatial);
    long[] outPad = c.attrs().getInts("output_padding", new long[spatial]);
    long[] outShape = c.attrs().getInts("output_shape", null);
    Dim m = wShape.dim(1).isStatic() ? Dim.of(wShape.dim(1).size() * group) : Dim.UNKNOWN;
    List<Dim> out = new ArrayList<>(List.of(x.dim(0), m));
    for (int i = 0; i < spatial; i++) {
      Dim d = x.dim(i + 2);
      if (outShape != null) {
        out.add(Dim.of(outShape[outShape.length - spatial + i]));
      } else if (!d.isStatic()) {
        out.add(Dim.UNKNOWN);
      } else if (!w.autoPad().equals("NOTSET") && !w.autoPad().equals("VALID")) {
        out.add(Dim.of(d.size() * w.strides()[i]));
      } else {
        long pads = w.autoPad().equals("VALID") ? 0 : w.pads()[i] + w.pads()[i + spatial];
        out.add(Dim.of(w.strides()[i] * (d.size() - 1) + outPad[i]
            + (kernel[i] - 1) * w.dilations()[i] + 1 - pads));
      }
    }
    return c.out(c.dtype(0), Shape.of(out));
  }

  private static List<Value> poolShape(OpContext c) {
    Shape x = c.shape(0);
    if (!x.hasRank()) {
      return c.out(c.dtype(0), Shape.UNKNOWN);
    }
    long[] kernel = c.attrs().getInts("kernel_shape", null);
    if (kernel == null) {
      throw c.fail("kernel_shape is required");
    }
    Window w = window(c, kernel, x.rank() - 2);
    List<Dim> out = new ArrayList<>(List.of(x.dim(0), x.dim(1)));
    out.addAll(windowDims(c, x, w, c.attrs().getInt("ceil_mode", 0) == 1));
    Shape s = Shape.of(out);
    List<Value> r = new ArrayList<>(c.out(c.dtype(0), s));
    if (c.node().outputs().size() > 1 && !c.node().output(1).isEmpty()) {
      r.add(new Value(c.node().output(1), DType.INT64, s));
    }
    return r;
  }

  private static List<Value> maxUnpoolShape(OpContext c) {
    Shape x = c.shape(0);
    if (c.hasInput(2)) {
      long[] out = c.constantLongs(2);
      return c.out(c.dtype(0), out == null ? Shape.unknownDims(x.hasRank() ? x.rank() : 4) : Shape.of(out));
    }
    long[] kernel = c.attrs().getInts("kernel_shape", null);
    if (kernel == null) {
      throw c.fail("kernel_shape is required");
    }
    if (!x.isStatic()) {
      return c.out(c.dtype(0), Shape.unknownDims(x.hasRank() ? x.rank() : kernel.length + 2));
    }
    int n = kernel.length;
    long[] strides = c.attrs().getInts("strides", null);
    long[] pads = c.attrs().getInts("pads", new long[2 * n]);
    long[] in = x.sizes();
    long[] out = in.clone();
    for (int i = 0; i < n; i++) {
      long st = strides == null ? 1 : strides[i];
      out[2 + i] = (in[2 + i] - 1) * st + kernel[i] - pads[i] - pads[n + i];
    }
    return c.out(c.dtype(0), Shape.of(out));
  }

  private static List<Value> gemmShape(OpContext c) {
    Shape a = c.shape(0);
    Shape b = c.shape(1);
    if (a.hasRank() && a.rank() != 2 || b.hasRank() && b.rank() != 2) {
      throw c.fail("Gemm needs 2-D inputs, got " + a + " and " + b);
    }
    if (!a.hasRank() || !b.hasRank()) {
      return c.out(c.dtype(0), Shape.unknownDims(2));
    }
    boolean ta = c.attrs().getInt("transA", 0) != 0;
    boolean tb = c.attrs().getInt("transB", 0) != 0;
    Dim m = a.dim(ta ? 1 : 0);
    Dim k1 = a.dim(ta ? 0 : 1);
    Dim k2 = b.dim(tb ? 1 : 0);
    Dim n = b.dim(tb ? 0 : 1);
    if (k1.isStatic() && k2.isStatic() && k1.size() != k2.size()) {
      throw c.fail("inner dims differ: " + a + " x " + b);
    }
    return c.out(c.dtype(0), Shape.of(List.of(m, n)));
  }

  private static List<Value> matMulShape(OpContext c) {
    Shape a = c.shape(0);
    Shape b = c.shape(1);
    if (!a.hasRank() || !b.hasRank()) {
      return c.out(c.dtype(0), Shape.UNKNOWN);
    }
    if (a.rank() == 0 || b.rank() == 0) {
      throw c.fail("MatMul inputs must not be scalars");
    }
    List<Dim> ad = new ArrayList<>(a.dims());
    List<Dim> bd = new ArrayList<>(b.dims());
    boolean aVec = ad.size() == 1;
    boolean bVec = bd.size() == 1;
    if (aVec) {
      ad.add(0, Dim.of(1));
    }
    if (bVec) {
      bd.add(Dim.of(1));
    }
    Dim k1 = ad.get(ad.size() - 1);
    Dim k2 = bd.get(bd.size() - 2);
    if (k1.isStatic() && k2.isStatic() && k1.size() != k2.size()) {
      throw c.fail("inner dims differ: " + a + " x " + b);
    }
    Shape batch = ShapeMath.broadcast(List.of(
        Shape.of(ad.subList(0, ad.size() - 2)), Shape.of(bd.subList(0, bd.size() - 2))));
    if (batch == null) {
      throw c.fail("batch dims of " + a + " and " + b + " do not broadcast");
    }
    List<Dim> out = new ArrayList<>(batch.dims());
    if (!aVec) {
      out.add(ad.get(ad.size() - 2));
    }
    if (!bVec) {
      out.add(bd.get(bd.size() - 1));
    }
    return c.out(c.dtype(0), Shape.of(out));
  }

  // ---- MACs of the weighted products (one multiply-accumulate per weight per output position) ----

  private static dev.hwc.compiler.ir.Shape staticShape(dev.hwc.compiler.ir.Graph g, String value) {
    var v = value.isEmpty() ? null : g.type(value);
    return v == null || !v.shape().isStatic() ? null : v.shape();
  }

  /** Conv: output elements x weights per output channel. */
  static long convMacs(dev.hwc.compiler.ir.Graph g, dev.hwc.compiler.ir.Node n) {
    return perWeightRowMacs(staticShape(g, n.output(0)), staticShape(g, n.input(1)), n);
  }

  /** ConvTranspose: input elements x weights per input channel. */
  static long convTransposeMacs(dev.hwc.compiler.ir.Graph g, dev.hwc.compiler.ir.Node n) {
    return perWeightRowMacs(staticShape(g, n.input(0)), staticShape(g, n.input(1)), n);
  }

  /** {@code positions} elements x the weights of one row of {@code w} (its leading dim), overflow-checked. */
  private static long perWeightRowMacs(Shape positions, Shape w, dev.hwc.compiler.ir.Node n) {
    return positions == null || w == null ? -1 : w.dim(0).size() == 0 ? 0
        : dev.hwc.common.SafeFiles.multiply(positions.numElements(), w.numElements() / w.dim(0).size(),
            "the MAC count of " + n.describe());
  }

  /** Gemm and MatMul: output elements x the reduced dim. */
  static long productMacs(dev.hwc.compiler.ir.Graph g, dev.hwc.compiler.ir.Node n) {
    Shape a = staticShape(g, n.input(0));
    Shape out = staticShape(g, n.output(0));
    if (a == null || out == null || a.rank() == 0) {
      return -1; // a declared scalar operand (shape inference could not check it): no MAC count
    }
    boolean transA = n.op().equals("Gemm") && n.attrs().getInt("transA", 0) != 0;
    long k = a.rank() == 1 ? a.dim(0).size() : transA ? a.dim(0).size() : a.dim(-1).size();
    return dev.hwc.common.SafeFiles.multiply(out.numElements(), k, "the MAC count of " + n.describe());
  }

  /** A MatMul with a constant 2-D weight reduces its input's last axis (the features); others have no bias. */
  static int matMulMeanAxis(dev.hwc.compiler.ir.Graph g, dev.hwc.compiler.ir.Node n) {
    boolean weight = g.isInitializer(n.input(1)) && g.initializer(n.input(1)).rank() == 2;
    var t = g.type(n.input(0));
    return weight && t != null && t.shape().hasRank() ? t.shape().rank() - 1 : -1;
  }
}

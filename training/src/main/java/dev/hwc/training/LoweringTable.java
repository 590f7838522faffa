package dev.hwc.training;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.image.ResizeNearestNeighbor;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;

/**
 * The lowering of each IR op to TensorFlow, one entry per op. Convolutions, pooling and resizes run
 * channels-last (NHWC), the layout TensorFlow's CPU kernels have; shape-bound ops (Reshape,
 * Transpose, MatMul) run in the IR's layout; elementwise ops keep whatever layout their inputs
 * share. Every TensorFlow op used here has a registered gradient in TensorFlow's C++ gradient
 * table, which is what graph-mode {@code addGradients} uses: no entry needs a custom gradient.
 */
public final class LoweringTable {
  private static final Map<String, OpLowering> TABLE = build();

  private LoweringTable() {}

  public static OpLowering require(Node n) {
    OpLowering l = TABLE.get(n.domain().isEmpty() ? n.op() : "?");
    if (l == null) {
      throw new LoweringException(n, "no TensorFlow lowering for op '" + n.op() + "'; lowered ops: "
          + String.join(", ", TABLE.keySet()));
    }
    return l;
  }

  /**
   * The ops of {@code g} this table cannot lower, each once, sorted (custom-domain ops as
   * {@code domain:op}); empty when the whole graph lowers.
   */
  public static java.util.SortedSet<String> unsupported(dev.hwc.compiler.ir.Graph g) {
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    for (Node n : g.nodes()) {
      if (!n.domain().isEmpty()) {
        out.add(n.domain() + ":" + n.op());
      } else if (!TABLE.containsKey(n.op())) {
        out.add(n.op());
      }
    }
    return out;
  }

  public static List<String> ops() {
    return List.copyOf(TABLE.keySet());
  }

  private static Map<String, OpLowering> build() {
    TreeMap<String, OpLowering> m = new TreeMap<>();
    // ---- convolution, pooling, resizing: NHWC
    m.put("Conv", LoweringTable::conv);
    m.put("ConvTranspose", LoweringTable::convTranspose);
    m.put("MaxPool", LoweringTable::maxPool);
    m.put("AveragePool", LoweringTable::averagePool);
    m.put("GlobalAveragePool", (c, n) -> one(TfValue.nhwc(
        c.tf().math.mean(c.nhwc(n, 0), c.ints(1, 2), Mean.keepDims(true)))));
    m.put("Resize", LoweringTable::resize);
    m.put("Upsample", LoweringTable::resize);
    m.put("BatchNormalization", LoweringTable::batchNorm);
    // ---- elementwise: layout-preserving
    m.put("Relu", unary((tf, x) -> tf.nn.relu(x)));
    m.put("Sigmoid", unary((tf, x) -> tf.math.sigmoid(x)));
    m.put("Tanh", unary((tf, x) -> tf.math.tanh(x)));
    m.put("Identity", (c, n) -> one(c.in(n, 0)));
    m.put("Dropout", (c, n) -> one(c.in(n, 0))); // inference semantics: identity
    m.put("LeakyRelu", (c, n) -> {
      TfValue x = c.in(n, 0);
      float alpha = n.attrs().getFloat("alpha", 0.01f);
      return one(new TfValue(c.tf().nn.leakyRelu(x.op(), LeakyRelu.alpha(alpha)), x.layout()));
    });
    m.put("Clip", LoweringTable::clip);
    m.put("Add", binary((tf, a, b) -> tf.math.add(a, b)));
    m.put("Sub", binary((tf, a, b) -> tf.math.sub(a, b)));
    m.put("Mul", binary((tf, a, b) -> tf.math.mul(a, b)));
    m.put("Div", binary((tf, a, b) -> tf.math.div(a, b)));
    m.put("Softmax", LoweringTable::softmax);
    m.put("Concat", LoweringTable::concat);
    // ---- shape-bound: IR layout
    m.put("Reshape", LoweringTable::reshapeToInferred);
    m.put("Flatten", LoweringTable::reshapeToInferred);
    m.put("Squeeze", LoweringTable::reshapeToInferred);
    m.put("Unsqueeze", LoweringTable::reshapeToInferred);
    m.put("Transpose", LoweringTable::transpose);
    m.put("MatMul", LoweringTable::matMul);
    m.put("Gemm", LoweringTable::gemm);
    m.put("ReduceMean", LoweringTable::reduceMean);
    return Collections.unmodifiableMap(m);
  }

  private static List<TfValue> one(TfValue v) {
    return List.of(v);
  }

  interface TfUnary {
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x);
  }

  interface TfBinary {
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b);
  }

  private static OpLowering unary(TfUnary f) {
    return (c, n) -> {
      TfValue x = c.in(n, 0);
      return one(new TfValue(f.apply(c.tf(), x.op()), x.layout()));
    };
  }

  /**
   * Numpy-broadcasting binary op. Two runtime values in the same layout stay in it (mixed layouts
   * meet in the IR layout). An initializer beside an NHWC value is aligned to rank 4 and permuted;
   * an initializer of more than one element (a bias, a scale vector) is a parameter, a scalar stays
   * a constant.
   */
  private static OpLowering binary(TfBinary f) {
    return (c, n) -> {
      boolean ca = c.isInitializer(n, 0);
      boolean cb = c.isInitializer(n, 1);
      Layout layout;
      if (!ca && !cb) {
        layout = c.in(n, 0).layout() == c.in(n, 1).layout() ? c.in(n, 0).layout() : Layout.IR;
      } else if (ca && cb) {
        layout = Layout.IR;
      } else {
        layout = c.in(n, ca ? 1 : 0).layout();
      }
      Operand<TFloat32> a = operand(c, n, 0, layout);
      Operand<TFloat32> b = operand(c, n, 1, layout);
      return one(new TfValue(f.apply(c.tf(), a, b), layout));
    };
  }

  private static Operand<TFloat32> operand(LoweringContext c, Node n, int i, Layout layout) {
    if (!c.isInitializer(n, i)) {
      return c.as(n, i, layout);
    }
    long[] s = c.shape(n.input(i));
    long count = Arrays.stream(s).reduce(1, (x, y) -> x * y);
    if (count <= 1) {
      return c.in(n, i).op();
    }
    if (layout == Layout.NHWC) {
      return c.weight(n, i, 4, Layout.TO_NHWC);
    }
    return c.weight(n, i);
  }

  // ---- convolutions

  /** Pads [top, left, bottom, right] of a 2-D window op, with SAME_UPPER resolved; rejects SAME_LOWER. */
  private static long[] pads2d(LoweringContext c, Node n, long[] in, long[] k, long[] s, long[] d) {
    String auto = n.attrs().getString("auto_pad", "NOTSET");
    switch (auto) {
      case "NOTSET":
        return n.attrs().getInts("pads", new long[4]);
      case "VALID":
        return new long[4];
      case "SAME_UPPER": {
        long[] p = new long[4];
        for (int i = 0; i < 2; i++) {
          long out = (in[i] + s[i] - 1) / s[i];
          long total = Math.max(0, (out - 1) * s[i] + (k[i] - 1) * d[i] + 1 - in[i]);
          p[i] = total / 2;
          p[i + 2] = total - total / 2;
        }
        return p;
      }
      default:
        throw new LoweringException(n, "auto_pad " + auto + " is not lowered");
    }
  }

  private static boolean isZero(long[] a) {
    return Arrays.stream(a).allMatch(v -> v == 0);
  }

  /** Pads an NHWC tensor by [top, left, bottom, right] with a constant. */
  private static Operand<TFloat32> pad(LoweringContext c, Operand<TFloat32> x, long[] p, float value) {
    Operand<org.tensorflow.types.TInt32> paddings = c.tf().constant(new int[][] {
        {0, 0}, {(int) p[0], (int) p[2]}, {(int) p[1], (int) p[3]}, {0, 0}});
    return value == 0 ? c.tf().pad(x, paddings, c.tf().constant(0f)) : c.tf().pad(x, paddings, c.tf().constant(value));
  }

  private static List<TfValue> conv(LoweringContext c, Node n) {
    long[] xs = c.shape(n.input(0));
    long[] ws = c.shape(n.input(1));
    if (xs.length != 4) {
      throw new LoweringException(n, "only 2-D convolutions are lowered");
    }
    Attributes a = n.attrs();
    long group = a.getInt("group", 1);
    long[] k = {ws[2], ws[3]};
    long[] s = a.getInts("strides", new long[] {1, 1});
    long[] d = a.getInts("dilations", new long[] {1, 1});
    long[] p = pads2d(c, n, new long[] {xs[2], xs[3]}, k, s, d);
    Operand<TFloat32> x = c.quantizedInput(n, 0, c.nhwc(n, 0));
    String padding = "VALID";
    boolean same = s[0] == 1 && s[1] == 1 && p[0] == p[2] && p[1] == p[3]
        && p[0] * 2 == (k[0] - 1) * d[0] && p[1] * 2 == (k[1] - 1) * d[1];
    if (same && !isZero(p)) {
      padding = "SAME";
    } else if (!isZero(p)) {
      x = pad(c, x, p, 0f);
    }
    List<Long> strides = LoweringContext.list(1, s[0], s[1], 1);
    List<Long> dil = LoweringContext.list(1, d[0], d[1], 1);
    Operand<TFloat32> y;
    if (group == 1) {
      int[] perm = {2, 3, 1, 0}; // [O, I, kh, kw] -> [kh, kw, I, O]
      Operand<TFloat32> w = c.quantizedWeight(n, c.weight(n, 1, 0, perm), perm, -2);
      y = c.tf().nn.conv2d(x, w, strides, padding, Conv2d.dilations(dil));
    } else if (group == xs[1] && ws[0] == xs[1] && ws[1] == 1) {
      int[] perm = {2, 3, 0, 1}; // [C, 1, kh, kw] -> [kh, kw, C, 1]
      Operand<TFloat32> w = c.quantizedWeight(n, c.weight(n, 1, 0, perm), perm, -2);
      y = c.tf().nn.depthwiseConv2dNative(x, w, strides, padding,
          org.tensorflow.op.nn.DepthwiseConv2dNative.dilations(dil));
    } else {
      throw new LoweringException(n, "grouped convolution with group " + group + " is not lowered (only 1 and depthwise)");
    }
    if (n.hasInput(2)) {
      y = c.tf().nn.biasAdd(y, c.weight(n, 2));
    }
    return one(TfValue.nhwc(y));
  }

  /**
   * ConvTranspose as the gradient of a VALID convolution (Conv2DBackpropInput) to the full size
   * (in - 1) * s + k + output_padding, then the pads cropped off with a Slice.
   */
  private static List<TfValue> convTranspose(LoweringContext c, Node n) {
    long[] xs = c.shape(n.input(0));
    long[] ws = c.shape(n.input(1));
    long[] ys = c.shape(n.output(0));
    Attributes a = n.attrs();
    if (xs.length != 4 || a.getInt("group", 1) != 1) {
      throw new LoweringException(n, "only 2-D ConvTranspose with group 1 is lowered");
    }
    long[] d = a.getInts("dilations", new long[] {1, 1});
    if (d[0] != 1 || d[1] != 1) {
      throw new LoweringException(n, "dilated ConvTranspose is not lowered");
    }
    long[] s = a.getInts("strides", new long[] {1, 1});
    long[] op = a.getInts("output_padding", new long[] {0, 0});
    long[] full = {(xs[2] - 1) * s[0] + ws[2] + op[0], (xs[3] - 1) * s[1] + ws[3] + op[1]};
    long cout = ws[1];
    int[] perm = {2, 3, 1, 0}; // [Cin, Cout, kh, kw] -> [kh, kw, Cout, Cin]
    Operand<TFloat32> w = c.quantizedWeight(n, c.weight(n, 1, 0, perm), perm, -2);
    Operand<TFloat32> y = c.tf().nn.conv2dBackpropInput(c.ints(xs[0], full[0], full[1], cout), w,
        c.quantizedInput(n, 0, c.nhwc(n, 0)),
        LoweringContext.list(1, s[0], s[1], 1), "VALID");
    long top = (full[0] - ys[2]) / 2;
    long left = (full[1] - ys[3]) / 2;
    if (a.getString("auto_pad", "NOTSET").equals("NOTSET")) {
      long[] p = a.getInts("pads", new long[4]);
      top = p[0];
      left = p[1];
    }
    if (full[0] != ys[2] || full[1] != ys[3]) {
      y = c.tf().slice(y, c.ints(0, top, left, 0), c.ints(ys[0], ys[2], ys[3], ys[1]));
    }
    if (n.hasInput(2)) {
      y = c.tf().nn.biasAdd(y, c.weight(n, 2));
    }
    return one(TfValue.nhwc(y));
  }

  private static List<TfValue> maxPool(LoweringContext c, Node n) {
    if (n.outputs().size() > 1 && !n.output(1).isEmpty()) {
      throw new LoweringException(n, "MaxPool's indices output is not lowered");
    }
    return pool(c, n, true);
  }

  private static List<TfValue> averagePool(LoweringContext c, Node n) {
    return pool(c, n, false);
  }

  private static List<TfValue> pool(LoweringContext c, Node n, boolean max) {
    long[] xs = c.shape(n.input(0));
    Attributes a = n.attrs();
    long[] k = a.getInts("kernel_shape", null);
    long[] s = a.getInts("strides", new long[] {1, 1});
    long[] d = a.getInts("dilations", new long[] {1, 1});
    if (xs.length != 4 || k.length != 2 || d[0] != 1 || d[1] != 1 || a.getInt("ceil_mode", 0) != 0) {
      throw new LoweringException(n, "only 2-D pooling without dilation or ceil_mode is lowered");
    }
    long[] p = pads2d(c, n, new long[] {xs[2], xs[3]}, k, s, d);
    Operand<TFloat32> x = c.nhwc(n, 0);
    if (!isZero(p)) {
      if (!max) {
        throw new LoweringException(n, "padded AveragePool is not lowered");
      }
      x = pad(c, x, p, -3.0e38f);
    }
    List<Long> ksize = LoweringContext.list(1, k[0], k[1], 1);
    List<Long> strides = LoweringContext.list(1, s[0], s[1], 1);
    Operand<TFloat32> y = max
        ? c.tf().nn.maxPool(x, c.ints(ksize.stream().mapToLong(Long::longValue).toArray()),
            c.ints(strides.stream().mapToLong(Long::longValue).toArray()), "VALID")
        : c.tf().nn.avgPool(x, ksize, strides, "VALID");
    return one(TfValue.nhwc(y));
  }

  /**
   * Resize on the two spatial dims to the inferred output size: nearest with half_pixel (integer
   * upscales) or asymmetric+floor coordinates, bilinear with half_pixel coordinates.
   */
  private static List<TfValue> resize(LoweringContext c, Node n) {
    long[] xs = c.shape(n.input(0));
    long[] ys = c.shape(n.output(0));
    if (xs.length != 4 || xs[0] != ys[0] || xs[1] != ys[1]) {
      throw new LoweringException(n, "only resizes of the two spatial dims of an NCHW tensor are lowered");
    }
    Attributes a = n.attrs();
    String mode = a.getString("mode", "nearest");
    String coords = a.getString("coordinate_transformation_mode", n.op().equals("Upsample") ? "asymmetric" : "half_pixel");
    String nearestMode = a.getString("nearest_mode", "round_prefer_floor");
    var size = c.ints(ys[2], ys[3]);
    Operand<TFloat32> x = c.nhwc(n, 0);
    Operand<TFloat32> y;
    if (mode.equals("nearest")) {
      boolean integerUp = ys[2] % xs[2] == 0 && ys[3] % xs[3] == 0;
      boolean halfPixel = coords.equals("half_pixel") && nearestMode.equals("round_prefer_floor") && integerUp;
      boolean floorAsym = coords.equals("asymmetric") && (nearestMode.equals("floor") || n.op().equals("Upsample"));
      if (!halfPixel && !floorAsym) {
        throw new LoweringException(n, "nearest Resize with " + coords + "/" + nearestMode + " is not lowered");
      }
      y = c.tf().image.resizeNearestNeighbor(x, size, ResizeNearestNeighbor.halfPixelCenters(halfPixel));
    } else if (mode.equals("linear") && coords.equals("half_pixel")) {
      y = c.tf().image.resizeBilinear(x, size, ResizeBilinear.halfPixelCenters(true));
    } else {
      throw new LoweringException(n, "Resize mode " + mode + " with " + coords + " coordinates is not lowered");
    }
    return one(TfValue.nhwc(y));
  }

  /** Inference-form BatchNormalization: scale and bias train, mean and variance stay fixed. */
  private static List<TfValue> batchNorm(LoweringContext c, Node n) {
    int r = c.rank(n.input(0));
    if (r != 4 && r != 2) {
      throw new LoweringException(n, "BatchNormalization is lowered for rank 2 and 4 inputs");
    }
    Layout layout = r == 4 ? Layout.NHWC : Layout.IR;
    float eps = n.attrs().getFloat("epsilon", 1e-5f);
    float[] mean = c.floats(n, 3);
    float[] var = c.floats(n, 4);
    float[] inv = new float[var.length];
    float[] negMeanInv = new float[var.length];
    for (int i = 0; i < var.length; i++) {
      inv[i] = (float) (1 / Math.sqrt(var[i] + eps));
      negMeanInv[i] = -mean[i] * inv[i];
    }
    long[] cs = {var.length};
    Ops tf = c.tf();
    Operand<TFloat32> scale = c.weight(n, 1);
    Operand<TFloat32> a = tf.math.mul(scale, c.floatConstant(inv, cs));
    Operand<TFloat32> b = tf.math.add(tf.math.mul(scale, c.floatConstant(negMeanInv, cs)), c.weight(n, 2));
    Operand<TFloat32> x = c.as(n, 0, layout);
    return one(new TfValue(tf.nn.biasAdd(tf.math.mul(x, a), b), layout));
  }

  private static List<TfValue> clip(LoweringContext c, Node n) {
    TfValue x = c.in(n, 0);
    float lo;
    float hi;
    if (c.graph().opset() < 11) {
      lo = n.attrs().getFloat("min", -Float.MAX_VALUE);
      hi = n.attrs().getFloat("max", Float.MAX_VALUE);
    } else {
      float[] l = c.floats(n, 1);
      float[] h = c.floats(n, 2);
      lo = l == null ? -Float.MAX_VALUE : l[0];
      hi = h == null ? Float.MAX_VALUE : h[0];
    }
    Ops tf = c.tf();
    Operand<TFloat32> y = tf.math.minimum(tf.math.maximum(x.op(), tf.constant(lo)), tf.constant(hi));
    return one(new TfValue(y, x.layout()));
  }

  private static int axis(LoweringContext c, Node n, long dflt) {
    int r = c.rank(n.input(0));
    long axis = n.attrs().getInt("axis", dflt);
    return (int) (axis < 0 ? axis + r : axis);
  }

  /** Softmax over one axis (opset >= 13 semantics; below 13 only when the axis is the last). */
  private static List<TfValue> softmax(LoweringContext c, Node n) {
    int r = c.rank(n.input(0));
    int axis = axis(c, n, c.graph().opset() < 13 ? 1 : -1);
    if (c.graph().opset() < 13 && axis != r - 1) {
      throw new LoweringException(n, "Softmax below opset 13 flattens from its axis; lowered only over the last axis");
    }
    TfValue x = c.in(n, 0);
    int tfAxis = x.layout().tfAxis(axis);
    if (tfAxis == r - 1) {
      return one(new TfValue(c.tf().nn.softmax(x.op()), x.layout()));
    }
    int[] perm = new int[r];
    for (int i = 0; i < r; i++) {
      perm[i] = i;
    }
    perm[tfAxis] = r - 1;
    perm[r - 1] = tfAxis;
    Ops tf = c.tf();
    Operand<TFloat32> y = tf.linalg.transpose(tf.nn.softmax(tf.linalg.transpose(x.op(), c.ints(perm))), c.ints(perm));
    return one(new TfValue(y, x.layout()));
  }

  private static List<TfValue> concat(LoweringContext c, Node n) {
    int axis = axis(c, n, 0);
    boolean allNhwc = true;
    for (int i = 0; i < n.inputs().size(); i++) {
      allNhwc &= !c.isInitializer(n, i) && c.in(n, i).layout() == Layout.NHWC;
    }
    Layout layout = allNhwc ? Layout.NHWC : Layout.IR;
    List<Operand<TFloat32>> parts = new ArrayList<>();
    for (int i = 0; i < n.inputs().size(); i++) {
      parts.add(c.as(n, i, layout));
    }
    return one(new TfValue(c.tf().concat(parts, c.tf().constant(layout.tfAxis(axis))), layout));
  }

  private static List<TfValue> reshapeToInferred(LoweringContext c, Node n) {
    return one(TfValue.ir(c.tf().reshape(c.ir(n, 0), c.ints(c.shape(n.output(0))))));
  }

  private static List<TfValue> transpose(LoweringContext c, Node n) {
    int r = c.rank(n.input(0));
    long[] perm = n.attrs().getInts("perm", null);
    if (perm == null) {
      perm = new long[r];
      for (int i = 0; i < r; i++) {
        perm[i] = r - 1 - i;
      }
    }
    TfValue x = c.in(n, 0);
    // NCHW -> NHWC of an NHWC-held value is the held tensor itself, and the reverse likewise.
    if (x.layout() == Layout.NHWC && Arrays.equals(perm, new long[] {0, 2, 3, 1})) {
      return one(TfValue.ir(x.op()));
    }
    if (x.layout() == Layout.IR && r == 4 && Arrays.equals(perm, new long[] {0, 3, 1, 2})) {
      return one(TfValue.nhwc(x.op()));
    }
    return one(TfValue.ir(c.tf().linalg.transpose(c.ir(n, 0), c.ints(perm))));
  }

  /** MatMul: by a 2-D weight as one 2-D product over all leading dims; of two values as a batched product. */
  private static List<TfValue> matMul(LoweringContext c, Node n) {
    long[] as = c.shape(n.input(0));
    long[] bs = c.shape(n.input(1));
    long[] ys = c.shape(n.output(0));
    Ops tf = c.tf();
    if (c.isInitializer(n, 0)) {
      throw new LoweringException(n, "MatMul with a constant left operand is not lowered");
    }
    Operand<TFloat32> a = c.ir(n, 0);
    if (bs.length == 2 && as.length >= 2) {
      Operand<TFloat32> b = c.ir(n, 1);
      if (c.isInitializer(n, 1)) { // a product by a constant: the int8 kernel's case (weights and the input rounded)
        b = c.quantizedWeight(n, c.weight(n, 1), new int[] {0, 1}, -2);
        a = c.quantizedInput(n, 0, a);
      }
      if (as.length == 2) {
        return one(TfValue.ir(tf.linalg.matMul(a, b)));
      }
      Operand<TFloat32> flat = tf.reshape(a, c.ints(-1, as[as.length - 1]));
      return one(TfValue.ir(tf.reshape(tf.linalg.matMul(flat, b), c.ints(ys))));
    }
    if (as.length == bs.length && as.length >= 3 && !c.isInitializer(n, 1)
        && Arrays.equals(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2))) {
      return one(TfValue.ir(tf.train.batchMatMul(a, c.ir(n, 1), TFloat32.class)));
    }
    throw new LoweringException(n, "MatMul of " + Arrays.toString(as) + " x " + Arrays.toString(bs) + " is not lowered");
  }

  private static List<TfValue> gemm(LoweringContext c, Node n) {
    Attributes at = n.attrs();
    Ops tf = c.tf();
    boolean ta = at.getInt("transA", 0) != 0;
    boolean tb = at.getInt("transB", 0) != 0;
    Operand<TFloat32> a = c.ir(n, 0);
    Operand<TFloat32> b = c.ir(n, 1);
    if (c.isInitializer(n, 1)) { // the profile's Gemm axis is for B as (N, K), transB=1; (K, N) has it at 1
      int[] id = {0, 1};
      b = c.quantizedWeight(n, c.weight(n, 1), id, tb ? -2 : 1);
      a = c.quantizedInput(n, 0, a);
    }
    Operand<TFloat32> y = tf.linalg.matMul(a, b, MatMul.transposeA(ta), MatMul.transposeB(tb));
    float alpha = at.getFloat("alpha", 1f);
    if (alpha != 1f) {
      y = tf.math.mul(y, tf.constant(alpha));
    }
    if (n.hasInput(2)) {
      Operand<TFloat32> bias = c.isInitializer(n, 2) ? c.weight(n, 2) : c.ir(n, 2);
      float beta = at.getFloat("beta", 1f);
      y = tf.math.add(y, beta == 1f ? bias : tf.math.mul(bias, tf.constant(beta)));
    }
    return one(TfValue.ir(y));
  }

  private static List<TfValue> reduceMean(LoweringContext c, Node n) {
    int r = c.rank(n.input(0));
    long[] axes = c.graph().opset() >= 18 ? c.longs(n, 1) : n.attrs().getInts("axes", null);
    if (axes == null) {
      axes = new long[r];
      for (int i = 0; i < r; i++) {
        axes[i] = i;
      }
    }
    for (int i = 0; i < axes.length; i++) {
      axes[i] = axes[i] < 0 ? axes[i] + r : axes[i];
    }
    boolean keep = n.attrs().getInt("keepdims", 1) != 0;
    return one(TfValue.ir(c.tf().math.mean(c.ir(n, 0), c.ints(axes), Mean.keepDims(keep))));
  }
}

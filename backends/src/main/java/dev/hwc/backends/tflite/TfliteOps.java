package dev.hwc.backends.tflite;

import static dev.hwc.backends.tflite.Layout.IR;
import static dev.hwc.backends.tflite.Layout.NHWC;

import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.common.BadInputException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.ConcatenationOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.DepthwiseConv2DOptions;
import org.tensorflow.lite.schema.FullyConnectedOptions;
import org.tensorflow.lite.schema.FullyConnectedOptionsWeightsFormat;
import org.tensorflow.lite.schema.LeakyReluOptions;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.Pool2DOptions;
import org.tensorflow.lite.schema.ReducerOptions;
import org.tensorflow.lite.schema.ReshapeOptions;
import org.tensorflow.lite.schema.ResizeBilinearOptions;
import org.tensorflow.lite.schema.ResizeNearestNeighborOptions;
import org.tensorflow.lite.schema.SoftmaxOptions;
import org.tensorflow.lite.schema.TransposeConvOptions;

/**
 * The op table of the TFLite backend: one rule per IR op, lowering a node into TFLite builtins with
 * their options and the lowest op version that carries what is used (int8 versions per TFLite's
 * op_version.cc). Layout-sensitive ops take and give NHWC; elementwise ops follow their inputs;
 * ops carrying axes map them; reshapes of NHWC tensors whose element order differs from the IR's
 * are the one place a TRANSPOSE is kept (counted and reported).
 */
final class TfliteOps {
  private TfliteOps() {}

  /** How one IR op is lowered: writes TFLite ops into the lowering's model. */
  interface Lowering {
    void lower(Lowerer c, Node n);
  }

  /**
   * One lowering rule: the function, every builtin it may emit with its versions, and the output
   * params TFLite's int8 kernel fixes for it (null when the kernel takes any).
   */
  record Rule(Lowering lowering, List<TfliteBuiltin> emits, TflModel.Quant fixedOutput) {
    Rule {
      emits = List.copyOf(emits);
    }

    void lower(Lowerer c, Node n) {
      lowering.lower(c, n);
    }

    /** The declaration of a builtin this rule emits, or empty. */
    Optional<TfliteBuiltin> emitted(int builtin) {
      return emits.stream().filter(e -> e.builtin() == builtin).findFirst();
    }
  }

  /**
   * Builtins the lowering inserts for any op: DEQUANTIZE (int8 v2, fp16 weights v3), requantizing or
   * boundary QUANTIZE (v1), and the layout changes TRANSPOSE (int8 v2) and RESHAPE (v1).
   */
  static final List<TfliteBuiltin> INSERTED = List.of(
      TfliteBuiltin.of(BuiltinOperator.DEQUANTIZE, 1, 2).with(TfliteBuiltin.FLOAT16, 3),
      TfliteBuiltin.of(BuiltinOperator.QUANTIZE, 1, 1),
      TfliteBuiltin.of(BuiltinOperator.TRANSPOSE, 1, 2),
      TfliteBuiltin.of(BuiltinOperator.RESHAPE, 1, 1));

  /** TFLite's fixed int8 output params of LOGISTIC and SOFTMAX (1/256, -128) and TANH (1/128, 0). */
  static final TflModel.Quant FIXED_1_256 = TflModel.Quant.perTensor(1f / 256, -128);
  static final TflModel.Quant FIXED_1_128 = TflModel.Quant.perTensor(1f / 128, 0);

  static final Map<String, Rule> RULES = rules();

  private static Rule rule(Lowering l, TfliteBuiltin... emits) {
    return new Rule(l, List.of(emits), null);
  }

  private static TfliteBuiltin v(int builtin, int floatVersion, int int8Version) {
    return TfliteBuiltin.of(builtin, floatVersion, int8Version);
  }

  private static Map<String, Rule> rules() {
    Map<String, Rule> r = new TreeMap<>();
    TfliteBuiltin pad = v(BuiltinOperator.PAD, 1, 2);
    r.put("Conv", rule(TfliteOps::conv, v(BuiltinOperator.CONV_2D, 1, 3).with(TfliteBuiltin.DILATION, 2),
        v(BuiltinOperator.DEPTHWISE_CONV_2D, 1, 3).with(TfliteBuiltin.DILATION, 2), pad));
    r.put("ConvTranspose", rule(TfliteOps::convTranspose,
        v(BuiltinOperator.TRANSPOSE_CONV, 1, 2).with(TfliteBuiltin.BIAS_INPUT, 3), v(BuiltinOperator.ADD, 1, 2)));
    // op_version.cc: int8 4, symmetric hybrid 3, keep_num_dims 5 (the highest feature used wins)
    TfliteBuiltin fc = v(BuiltinOperator.FULLY_CONNECTED, 1, 4).with(TfliteBuiltin.HYBRID, 3)
        .with(TfliteBuiltin.KEEP_NUM_DIMS, 5);
    r.put("Gemm", rule(TfliteOps::gemm, fc));
    r.put("MatMul", rule(TfliteOps::matMul, fc, v(BuiltinOperator.BATCH_MATMUL, 1, 2)));
    r.put("Add", rule((c, n) -> binary(c, n, BuiltinOperator.ADD), v(BuiltinOperator.ADD, 1, 2)));
    r.put("Sub", rule((c, n) -> binary(c, n, BuiltinOperator.SUB), v(BuiltinOperator.SUB, 1, 2)));
    r.put("Mul", rule((c, n) -> binary(c, n, BuiltinOperator.MUL), v(BuiltinOperator.MUL, 1, 2)));
    r.put("Max", rule((c, n) -> binary(c, n, BuiltinOperator.MAXIMUM), v(BuiltinOperator.MAXIMUM, 1, 2)));
    r.put("Min", rule((c, n) -> binary(c, n, BuiltinOperator.MINIMUM), v(BuiltinOperator.MINIMUM, 1, 2)));
    r.put("Div", rule((c, n) -> binary(c, n, BuiltinOperator.DIV), v(BuiltinOperator.DIV, 1, 2)));
    r.put("Pow", rule((c, n) -> binary(c, n, BuiltinOperator.POW), v(BuiltinOperator.POW, 1, 2)));
    r.put("Relu", rule((c, n) -> unary(c, n, BuiltinOperator.RELU), v(BuiltinOperator.RELU, 1, 2)));
    r.put("Clip", rule(TfliteOps::clip, v(BuiltinOperator.RELU, 1, 2), v(BuiltinOperator.RELU6, 1, 2),
        v(BuiltinOperator.RELU_N1_TO_1, 1, 2)));
    r.put("Sigmoid", new Rule((c, n) -> fixedUnary(c, n, BuiltinOperator.LOGISTIC),
        List.of(v(BuiltinOperator.LOGISTIC, 1, 2)), FIXED_1_256));
    r.put("Tanh", new Rule((c, n) -> fixedUnary(c, n, BuiltinOperator.TANH), List.of(v(BuiltinOperator.TANH, 1, 2)),
        FIXED_1_128));
    r.put("HardSwish", rule((c, n) -> unary(c, n, BuiltinOperator.HARD_SWISH), v(BuiltinOperator.HARD_SWISH, 1, 1)));
    // op_version.cc: LEAKY_RELU is v1 for float and int8 (v2 only for int16)
    r.put("LeakyRelu", rule(TfliteOps::leakyRelu, v(BuiltinOperator.LEAKY_RELU, 1, 1)));
    r.put("PRelu", rule(TfliteOps::prelu, v(BuiltinOperator.PRELU, 1, 1)));
    r.put("Sqrt", rule((c, n) -> unary(c, n, BuiltinOperator.SQRT), v(BuiltinOperator.SQRT, 1, 2)));
    r.put("Gelu", rule(TfliteOps::gelu, v(BuiltinOperator.GELU, 1, 2)));
    r.put("Softmax", new Rule(TfliteOps::softmax, List.of(v(BuiltinOperator.SOFTMAX, 1, 2)), FIXED_1_256));
    r.put("MaxPool", rule((c, n) -> pool(c, n, BuiltinOperator.MAX_POOL_2D), v(BuiltinOperator.MAX_POOL_2D, 1, 2)));
    r.put("AveragePool", rule((c, n) -> pool(c, n, BuiltinOperator.AVERAGE_POOL_2D),
        v(BuiltinOperator.AVERAGE_POOL_2D, 1, 2)));
    r.put("GlobalAveragePool", rule(TfliteOps::globalAveragePool, v(BuiltinOperator.MEAN, 1, 2)));
    r.put("ReduceMean", rule(TfliteOps::reduceMean, v(BuiltinOperator.MEAN, 1, 2)));
    r.put("Concat", rule(TfliteOps::concat, v(BuiltinOperator.CONCATENATION, 1, 2)));
    TfliteBuiltin reshape = v(BuiltinOperator.RESHAPE, 1, 1);
    r.put("Reshape", rule(TfliteOps::reshape, reshape));
    r.put("Flatten", rule(TfliteOps::reshape, reshape));
    r.put("Squeeze", rule(TfliteOps::reshape, reshape));
    r.put("Unsqueeze", rule(TfliteOps::reshape, reshape));
    // op_version.cc: v3 with align_corners or half_pixel_centers
    r.put("Resize", rule(TfliteOps::resize,
        v(BuiltinOperator.RESIZE_BILINEAR, 1, 2).with(TfliteBuiltin.ALIGN_CORNERS, 3).with(TfliteBuiltin.HALF_PIXEL, 3),
        v(BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, 1, 2).with(TfliteBuiltin.ALIGN_CORNERS, 3)
            .with(TfliteBuiltin.HALF_PIXEL, 3)));
    r.put("Pad", rule(TfliteOps::pad, pad));
    r.put("Transpose", rule(TfliteOps::transpose, v(BuiltinOperator.TRANSPOSE, 1, 2)));
    r.put("Gather", rule(TfliteOps::gather, v(BuiltinOperator.GATHER, 1, 2)));
    r.put("Cast", rule(TfliteOps::cast, v(BuiltinOperator.CAST, 1, 1)));
    return r;
  }

  /** The declaration of a builtin emitted for an op of {@code irOp} (its rule's, else an inserted op's), or empty. */
  static Optional<TfliteBuiltin> declaration(String irOp, int builtin) {
    Rule r = irOp == null ? null : RULES.get(irOp);
    Optional<TfliteBuiltin> own = r == null ? Optional.empty() : r.emitted(builtin);
    return own.isPresent() ? own : INSERTED.stream().filter(e -> e.builtin() == builtin).findFirst();
  }

  /** Every builtin some rule (or the lowering itself) may emit, by name, with the lowest int8 version declared. */
  static Map<String, Integer> int8Versions() {
    Map<String, Integer> out = new TreeMap<>();
    java.util.stream.Stream.concat(RULES.values().stream().flatMap(r -> r.emits().stream()), INSERTED.stream())
        .forEach(e -> out.merge(e.name(), e.int8Version(), Math::min));
    return out;
  }

  // ---- convolutions and matrix products ----

  /** TFLite's SAME pads for one spatial dim: (before, after), before = floor(total / 2). */
  static int[] samePads(long in, long k, long s, long d) {
    long eff = (k - 1) * d + 1;
    long out = (in + s - 1) / s;
    long total = Math.max((out - 1) * s + eff - in, 0);
    return new int[] {(int) (total / 2), (int) (total - total / 2)};
  }

  /** SAME or VALID for ONNX pads [top, left, bottom, right]; -1 when neither matches. */
  static byte padding(long[] in, long[] k, long[] s, long[] d, long[] pads) {
    if (Arrays.stream(pads).allMatch(p -> p == 0)) {
      return Padding.VALID;
    }
    int[] h = samePads(in[2], k[0], s[0], d[0]);
    int[] w = samePads(in[3], k[1], s[1], d[1]);
    return pads[0] == h[0] && pads[2] == h[1] && pads[1] == w[0] && pads[3] == w[1] ? Padding.SAME : -1;
  }

  private static long[] ints(Node n, String attr, long... dflt) {
    return n.attrs().getInts(attr, dflt);
  }

  static void conv(Lowerer c, Node n) {
    long group = n.attrs().getInt("group", 1);
    long[] in = c.shape(n.input(0));
    long[] w = c.isConstant(n.input(1)) ? c.floatValues(n.input(1)).shape() : null;
    if (w == null || w.length != 4 || in.length != 4) {
      throw unsupported(n, "only 2-D convolutions with constant weights lower to TFLite");
    }
    boolean depthwise = group > 1 && group == in[1] && w[1] == 1;
    if (group != 1 && !depthwise) {
      throw unsupported(n, "grouped convolution (group " + group + ") is neither plain nor depthwise");
    }
    if (!n.attrs().getString("auto_pad", "NOTSET").equals("NOTSET")) {
      throw unsupported(n, "auto_pad " + n.attrs().getString("auto_pad", "") + " (the ONNX frontend keeps explicit pads)");
    }
    long[] k = {w[2], w[3]};
    long[] s = ints(n, "strides", 1, 1);
    long[] d = ints(n, "dilations", 1, 1);
    long[] pads = ints(n, "pads", 0, 0, 0, 0);
    byte padding = padding(in, k, s, d, pads);
    int x = c.act(n, 0, NHWC);
    if (padding < 0) {
      x = explicitPad(c, n, x, pads);
      padding = Padding.VALID;
    }
    boolean q = c.quantized(n);
    int[] perm = depthwise ? new int[] {1, 2, 3, 0} : new int[] {0, 2, 3, 1}; // OIHW -> 1HWO / OHWI
    int weights;
    int bias;
    int channels = (int) w[0];
    if (q) {
      Lowerer.QConst wq = c.qconst(n.input(1));
      weights = c.int8Weight(n.name() + "/filter", wq, perm);
      bias = c.int32Bias(n.name() + "/bias", n.hasInput(2) ? n.input(2) : "", c.m.tensor(x).quant.scale()[0],
          c.m.tensor(weights).quant, channels);
    } else {
      weights = c.floatWeight(n.name() + "/filter", c.floatValues(n.input(1)), perm, n);
      bias = c.floatBias(n, n.hasInput(2) ? n.input(2) : "", channels);
    }
    int y = c.out(n, 0, NHWC);
    byte act = c.fusedActivation(n);
    byte pad = padding;
    String[] dil = d[0] > 1 || d[1] > 1 ? new String[] {TfliteBuiltin.DILATION} : new String[0];
    if (depthwise) {
      int mult = (int) (w[0] / in[1]);
      c.emit(BuiltinOperator.DEPTHWISE_CONV_2D, c.version(n, BuiltinOperator.DEPTHWISE_CONV_2D, q, dil), new int[] {x, weights, bias}, new int[] {y},
          new TflModel.Options(BuiltinOptions.DepthwiseConv2DOptions, b -> DepthwiseConv2DOptions.createDepthwiseConv2DOptions(
              b, pad, (int) s[1], (int) s[0], mult, act, (int) d[1], (int) d[0])), act, n, "");
    } else {
      c.emit(BuiltinOperator.CONV_2D, c.version(n, BuiltinOperator.CONV_2D, q, dil), new int[] {x, weights, bias}, new int[] {y},
          new TflModel.Options(BuiltinOptions.Conv2DOptions, b -> Conv2DOptions.createConv2DOptions(
              b, pad, (int) s[1], (int) s[0], act, (int) d[1], (int) d[0])), act, n, "");
    }
  }

  /** An explicit PAD before an op whose ONNX pads are neither SAME nor VALID (int8: pads with the zero point). */
  private static int explicitPad(Lowerer c, Node n, int x, long[] pads) {
    TflModel.Tensor t = c.m.tensor(x);
    int[] p = {0, 0, (int) pads[0], (int) pads[2], (int) pads[1], (int) pads[3], 0, 0};
    int paddings = c.int32Const(n.name() + "/paddings", p, new int[] {4, 2});
    int[] shape = {t.shape[0], t.shape[1] + p[2] + p[3], t.shape[2] + p[4] + p[5], t.shape[3]};
    int out = c.m.activation(n.name() + "/padded", t.type, shape, t.quant);
    c.emit(BuiltinOperator.PAD, c.version(n, BuiltinOperator.PAD, t.type == org.tensorflow.lite.schema.TensorType.INT8),
        new int[] {x, paddings},
        new int[] {out}, TflModel.Options.NONE, n, "padding");
    return out;
  }

  static void convTranspose(Lowerer c, Node n) {
    long[] in = c.shape(n.input(0));
    long[] out = c.shape(n.output(0));
    if (!c.isConstant(n.input(1)) || n.attrs().getInt("group", 1) != 1 || in.length != 4) {
      throw unsupported(n, "only 2-D ConvTranspose with group 1 and constant weights lowers to TFLite");
    }
    long[] w = c.floatValues(n.input(1)).shape(); // [Cin, O, kh, kw]
    long[] s = ints(n, "strides", 1, 1);
    long[] pads = ints(n, "pads", 0, 0, 0, 0);
    if (Arrays.stream(ints(n, "dilations", 1, 1)).anyMatch(v -> v != 1)
        || Arrays.stream(ints(n, "output_padding", 0, 0)).anyMatch(v -> v != 0)) {
      throw unsupported(n, "ConvTranspose with dilations or output_padding");
    }
    byte padding;
    if (Arrays.stream(pads).allMatch(p -> p == 0) && out[2] == (in[2] - 1) * s[0] + w[2] && out[3] == (in[3] - 1) * s[1] + w[3]) {
      padding = Padding.VALID;
    } else if (out[2] == in[2] * s[0] && out[3] == in[3] * s[1]
        && pads[0] == Math.max(w[2] - s[0], 0) / 2 && pads[1] == Math.max(w[3] - s[1], 0) / 2) {
      padding = Padding.SAME;
    } else {
      throw unsupported(n, "ConvTranspose pads " + Arrays.toString(pads) + " match neither SAME nor VALID");
    }
    int x = c.act(n, 0, NHWC);
    boolean q = c.quantized(n);
    int[] perm = {1, 2, 3, 0}; // [Cin, O, kh, kw] -> [O, kh, kw, Cin]
    int channels = (int) w[1];
    boolean separate = n.hasInput(2) && !c.opts.transposeConvBias();
    int weights;
    int bias = -1;
    if (q) {
      weights = c.int8Weight(n.name() + "/filter", c.qconst(n.input(1)), perm);
      if (n.hasInput(2) && !separate) {
        bias = c.int32Bias(n.name() + "/bias", n.input(2), c.m.tensor(x).quant.scale()[0], c.m.tensor(weights).quant,
            channels);
      }
    } else {
      weights = c.floatWeight(n.name() + "/filter", c.floatValues(n.input(1)), perm, n);
      if (n.hasInput(2) && !separate) {
        bias = c.floatWeight(n.name() + "/bias", c.floatValues(n.input(2)), null, n);
      }
    }
    int shape = c.int32Const(n.name() + "/output_shape", NHWC.shape(out), new int[] {4});
    byte pad = padding;
    TflModel.Options options = new TflModel.Options(BuiltinOptions.TransposeConvOptions,
        b -> TransposeConvOptions.createTransposeConvOptions(b, pad, (int) s[1], (int) s[0], (byte) 0));
    if (separate) {
      separateBias(c, n, x, shape, weights, options);
      return;
    }
    int y = c.out(n, 0, NHWC);
    int version = bias >= 0 ? c.version(n, BuiltinOperator.TRANSPOSE_CONV, q, TfliteBuiltin.BIAS_INPUT)
        : c.version(n, BuiltinOperator.TRANSPOSE_CONV, q);
    int[] ins = bias >= 0 ? new int[] {shape, weights, x, bias} : new int[] {shape, weights, x};
    c.emit(BuiltinOperator.TRANSPOSE_CONV, version, ins, new int[] {y}, options, n, "");
  }

  /**
   * TRANSPOSE_CONV without its bias (version 2 in int8), then an ADD of the bias. In int8 the
   * pre-bias tensor takes the output's range shifted by the bias's: [lo - max b, hi - min b].
   */
  private static void separateBias(Lowerer c, Node n, int x, int shape, int weights, TflModel.Options options) {
    boolean q = c.quantized(n);
    Tensor b = c.floatValues(n.input(2));
    double[] bv = b.toDoubles();
    double bmin = java.util.Arrays.stream(bv).min().orElse(0);
    double bmax = java.util.Arrays.stream(bv).max().orElse(0);
    TflModel.Quant pre = null;
    if (q) {
      TflModel.Quant o = c.qParams(n.output(0));
      double lo = o.scale()[0] * (-128 - o.zeroPoint()[0]) - bmax;
      double hi = o.scale()[0] * (127 - o.zeroPoint()[0]) - bmin;
      double scale = (hi - lo) / 255;
      pre = TflModel.Quant.perTensor((float) scale, Math.max(-128, Math.min(127, Math.round(-128 - lo / scale))));
    }
    int[] outShape = NHWC.shape(c.shape(n.output(0)));
    int t = c.m.activation(n.output(0) + "_before_bias", q ? org.tensorflow.lite.schema.TensorType.INT8
        : org.tensorflow.lite.schema.TensorType.FLOAT32, outShape, pre);
    c.emit(BuiltinOperator.TRANSPOSE_CONV, c.version(n, BuiltinOperator.TRANSPOSE_CONV, q), new int[] {shape, weights, x}, new int[] {t}, options, n, "");
    int bias = c.operand(n.name() + "/bias", b.reshape(new long[] {1, bv.length, 1, 1}), 4, NHWC, q);
    int y = c.out(n, 0, NHWC);
    c.emit(BuiltinOperator.ADD, c.version(n, BuiltinOperator.ADD, q), new int[] {t, bias}, new int[] {y}, new TflModel.Options(BuiltinOptions.AddOptions,
        bb -> org.tensorflow.lite.schema.AddOptions.createAddOptions(bb, (byte) 0, false)), n, "bias");
  }

  static void gemm(Lowerer c, Node n) {
    if (n.attrs().getInt("transA", 0) != 0 || n.attrs().getFloat("alpha", 1) != 1 || n.attrs().getFloat("beta", 1) != 1
        || !c.isConstant(n.input(1))) {
      throw unsupported(n, "only Gemm with transA 0, alpha = beta = 1 and constant weights lowers to FULLY_CONNECTED");
    }
    fullyConnected(c, n, n.attrs().getInt("transB", 0) != 0, n.hasInput(2) ? n.input(2) : "");
  }

  static void matMul(Lowerer c, Node n) {
    if (c.isConstant(n.input(1)) && c.floatValues(n.input(1)).rank() == 2) {
      fullyConnected(c, n, false, "");
      return;
    }
    if (c.isConstant(n.input(0)) || c.isConstant(n.input(1)) || c.rank(n.input(0)) < 2 || c.rank(n.input(1)) < 2) {
      throw unsupported(n, "MatMul with a constant operand of rank other than 2, or a 1-D operand");
    }
    // activation x activation (attention): BATCH_MATMUL over the leading dims, in the IR's layout; an
    // operand held with its last two dims swapped (NLC: the keys' own Transpose) is read adjoint
    boolean adjX = c.layoutOf(n.input(0)) == Layout.NLC;
    boolean adjY = c.layoutOf(n.input(1)) == Layout.NLC;
    int a = c.act(n, 0, adjX ? null : IR);
    int b = c.act(n, 1, adjY ? null : IR);
    int y = c.out(n, 0, IR);
    c.emit(BuiltinOperator.BATCH_MATMUL, c.version(n, BuiltinOperator.BATCH_MATMUL), new int[] {a, b}, new int[] {y},
        new TflModel.Options(BuiltinOptions.BatchMatMulOptions,
            bb -> org.tensorflow.lite.schema.BatchMatMulOptions.createBatchMatMulOptions(bb, adjX, adjY, false)), n, "");
  }

  static void gelu(Lowerer c, Node n) {
    Lowerer.Val in = c.actAnyLayout(n, 0);
    int y = c.out(n, 0, in.layout());
    boolean tanh = n.attrs().getString("approximate", "none").equals("tanh");
    c.emit(BuiltinOperator.GELU, c.version(n, BuiltinOperator.GELU), new int[] {in.tensor()}, new int[] {y},
        new TflModel.Options(BuiltinOptions.GeluOptions,
            b -> org.tensorflow.lite.schema.GeluOptions.createGeluOptions(b, tanh)), n, "");
  }

  /** Gather along an axis: a lookup table (embeddings) or an activation, indices as they are. */
  static void gather(Lowerer c, Node n) {
    int rank = c.rank(n.input(0));
    int axis = (int) n.attrs().getInt("axis", 0);
    axis = axis < 0 ? axis + rank : axis;
    int data;
    Layout layout = IR;
    TflModel.Quant rows = null;
    Lowerer.QConst table = c.qconst(n.input(0));
    if (table != null && table.scale().length == 1 && !c.quantized(n)) {
      // an int8 table (dynamic range): GATHER copies int8 rows, float readers get them dequantized
      data = c.int8Weight(n.name() + "/table", table, null);
      rows = c.m.tensor(data).quant;
    } else if (c.isConstant(n.input(0))) {
      data = c.floatWeight(n.name() + "/table", c.floatValues(n.input(0)), null, n);
    } else {
      data = sameParams(c, n, c.act(n, 0, IR));
    }
    int indices = c.isConstant(n.input(1))
        ? c.int32Const(n.name() + "/indices", Lowerer.ints(c.floatValues(n.input(1)).toLongs()),
            Lowerer.ints(c.floatValues(n.input(1)).shape()))
        : c.act(n, 1, IR);
    int y = rows != null ? c.out(n, 0, layout, rows) : c.out(n, 0, layout);
    int ax = axis;
    c.emit(BuiltinOperator.GATHER, c.version(n, BuiltinOperator.GATHER), new int[] {data, indices}, new int[] {y},
        new TflModel.Options(BuiltinOptions.GatherOptions,
            b -> org.tensorflow.lite.schema.GatherOptions.createGatherOptions(b, ax, 0)), n, "");
  }

  static void cast(Lowerer c, Node n) {
    Lowerer.Val in = c.actAnyLayout(n, 0);
    int y = c.out(n, 0, in.layout());
    c.emit(BuiltinOperator.CAST, c.version(n, BuiltinOperator.CAST), new int[] {in.tensor()}, new int[] {y}, TflModel.Options.NONE, n, "");
  }

  /** FULLY_CONNECTED with weights [out, in]; a zero bias when the node has none (v4 wants the input). */
  private static void fullyConnected(Lowerer c, Node n, boolean transposed, String biasValue) {
    long[] wShape = c.floatValues(n.input(1)).shape();
    int channels = (int) (transposed ? wShape[0] : wShape[1]);
    int[] perm = transposed ? null : new int[] {1, 0};
    int x = c.act(n, 0, IR);
    boolean keepDims = c.rank(n.input(0)) > 2;
    boolean q = c.quantized(n);
    int weights;
    int bias;
    boolean hybrid = !q && c.qconst(n.input(1)) != null;
    if (q) {
      weights = c.int8Weight(n.name() + "/weights", c.qconst(n.input(1)), perm);
      bias = c.int32Bias(n.name() + "/bias", biasValue, c.m.tensor(x).quant.scale()[0], c.m.tensor(weights).quant, channels);
    } else {
      // dynamic range (hybrid): int8 weights, float input and output, the kernel quantizes the input per run
      weights = hybrid ? c.int8Weight(n.name() + "/weights", c.qconst(n.input(1)), perm)
          : c.floatWeight(n.name() + "/weights", c.floatValues(n.input(1)), perm, n);
      bias = c.floatBias(n, biasValue, channels);
    }
    int y = c.out(n, 0, IR);
    byte act = c.fusedActivation(n);
    List<String> features = new java.util.ArrayList<>();
    if (keepDims) {
      features.add(TfliteBuiltin.KEEP_NUM_DIMS);
    }
    if (hybrid) {
      features.add(TfliteBuiltin.HYBRID);
    }
    int version = c.version(n, BuiltinOperator.FULLY_CONNECTED, q, features.toArray(String[]::new));
    c.emit(BuiltinOperator.FULLY_CONNECTED, version, new int[] {x, weights, bias}, new int[] {y},
        new TflModel.Options(BuiltinOptions.FullyConnectedOptions, b -> FullyConnectedOptions.createFullyConnectedOptions(
            b, act, FullyConnectedOptionsWeightsFormat.DEFAULT, keepDims, false)), act, n, "");
  }

  // ---- elementwise ----

  /**
   * The layout an elementwise op runs in: channels last (NHWC, NLC) when an activation input of the
   * output's rank is held so.
   */
  private static Layout elementwiseLayout(Lowerer c, Node n) {
    int rank = c.rank(n.output(0));
    for (String in : n.inputs()) {
      if (!in.isEmpty() && !c.isConstant(in) && c.layoutOf(in) != IR && c.layoutOf(in).rank() == rank) {
        return c.layoutOf(in);
      }
    }
    return IR;
  }

  static void binary(Lowerer c, Node n, int builtin) {
    if (n.inputs().size() != 2) {
      throw unsupported(n, n.op() + " with " + n.inputs().size() + " inputs (TFLite's is binary)");
    }
    Layout layout = elementwiseLayout(c, n);
    int rank = c.rank(n.output(0));
    boolean q = c.quantized(n);
    int[] ins = new int[2];
    for (int i = 0; i < 2; i++) {
      String v = n.input(i);
      if (c.isConstant(v)) {
        ins[i] = c.operand(n.name() + "/operand" + i, c.floatValues(v), rank, layout, q);
      } else {
        if (layout != IR && c.rank(v) != layout.rank()) {
          throw unsupported(n, "broadcast of a rank-" + c.rank(v) + " activation against an " + layout + " tensor");
        }
        ins[i] = c.act(n, i, layout);
      }
    }
    int y = c.out(n, 0, layout);
    byte act = c.fusedActivation(n);
    TflModel.Options o = switch (builtin) {
      case BuiltinOperator.ADD -> new TflModel.Options(BuiltinOptions.AddOptions,
          b -> org.tensorflow.lite.schema.AddOptions.createAddOptions(b, act, false));
      case BuiltinOperator.SUB -> new TflModel.Options(BuiltinOptions.SubOptions,
          b -> org.tensorflow.lite.schema.SubOptions.createSubOptions(b, act, false));
      case BuiltinOperator.MUL -> new TflModel.Options(BuiltinOptions.MulOptions,
          b -> org.tensorflow.lite.schema.MulOptions.createMulOptions(b, act));
      case BuiltinOperator.DIV -> new TflModel.Options(BuiltinOptions.DivOptions,
          b -> org.tensorflow.lite.schema.DivOptions.createDivOptions(b, act));
      default -> TflModel.Options.NONE;
    };
    c.emit(builtin, c.version(n, builtin), ins, new int[] {y}, o, act, n, "");
  }

  static void unary(Lowerer c, Node n, int builtin) {
    Lowerer.Val in = c.actAnyLayout(n, 0);
    int y = c.out(n, 0, in.layout());
    c.emit(builtin, c.version(n, builtin), new int[] {in.tensor()}, new int[] {y},
        TflModel.Options.NONE, n, "");
  }

  static void fixedUnary(Lowerer c, Node n, int builtin) {
    TflModel.Quant fixed = RULES.get(n.op()).fixedOutput();
    if (!c.quantized(n)) {
      unary(c, n, builtin);
      return;
    }
    Lowerer.Val in = c.actAnyLayout(n, 0);
    c.outFixed(n, in.layout(), fixed, y -> c.emit(builtin, c.version(n, builtin), new int[] {in.tensor()}, new int[] {y},
        TflModel.Options.NONE, n, ""));
  }

  static void clip(Lowerer c, Node n) {
    byte code = c.activationCode(n);
    int builtin = switch (code) {
      case org.tensorflow.lite.schema.ActivationFunctionType.RELU -> BuiltinOperator.RELU;
      case org.tensorflow.lite.schema.ActivationFunctionType.RELU6 -> BuiltinOperator.RELU6;
      case org.tensorflow.lite.schema.ActivationFunctionType.RELU_N1_TO_1 -> BuiltinOperator.RELU_N1_TO_1;
      default -> throw unsupported(n, "Clip" + Arrays.toString(c.clipBounds(n)) + " (only [0, 6], [-1, 1] and [0, inf) lower)");
    };
    unary(c, n, builtin);
  }

  static void leakyRelu(Lowerer c, Node n) {
    Lowerer.Val in = c.actAnyLayout(n, 0);
    int y = c.out(n, 0, in.layout());
    float alpha = n.attrs().getFloat("alpha", 0.01f);
    c.emit(BuiltinOperator.LEAKY_RELU, c.version(n, BuiltinOperator.LEAKY_RELU), new int[] {in.tensor()}, new int[] {y},
        new TflModel.Options(BuiltinOptions.LeakyReluOptions, b -> LeakyReluOptions.createLeakyReluOptions(b, alpha)), n, "");
  }

  /**
   * PRelu → PRELU with the constant slope broadcast to the input's rank and layout (ONNX [C,1,1]
   * becomes [1,1,1,C] on an NHWC input); in int8 the slope gets its own per-tensor params, which
   * TFLite's int8 kernel takes (its output params need not equal the input's).
   */
  static void prelu(Lowerer c, Node n) {
    if (!c.isConstant(n.input(1))) {
      throw unsupported(n, "PRelu with a slope that is not a constant");
    }
    Lowerer.Val in = c.actAnyLayout(n, 0);
    int rank = c.rank(n.input(0));
    if (c.floatValues(n.input(1)).rank() > rank) {
      throw unsupported(n, "PRelu slope of higher rank than its input");
    }
    int alpha = c.operand(n.name() + "/alpha", c.floatValues(n.input(1)), rank, in.layout(), c.quantized(n));
    int y = c.out(n, 0, in.layout());
    c.emit(BuiltinOperator.PRELU, c.version(n, BuiltinOperator.PRELU), new int[] {in.tensor(), alpha}, new int[] {y},
        TflModel.Options.NONE, n, "");
  }

  static void softmax(Lowerer c, Node n) {
    int rank = c.rank(n.input(0));
    int axis = (int) n.attrs().getInt("axis", c.g.opset() >= 13 ? -1 : 1);
    axis = axis < 0 ? axis + rank : axis;
    Layout layout = c.layoutOf(n.input(0));
    if (layout.axis(axis) != rank - 1) {
      layout = IR;
      if (axis != rank - 1) {
        throw unsupported(n, "Softmax over axis " + axis + " of a rank-" + rank + " tensor (TFLite's runs over the last axis)");
      }
    }
    int x = c.act(n, 0, layout);
    Layout l = layout;
    TflModel.Options o = new TflModel.Options(BuiltinOptions.SoftmaxOptions, b -> SoftmaxOptions.createSoftmaxOptions(b, 1f));
    if (c.quantized(n)) {
      c.outFixed(n, l, RULES.get(n.op()).fixedOutput(),
          y -> c.emit(BuiltinOperator.SOFTMAX, c.version(n, BuiltinOperator.SOFTMAX), new int[] {x}, new int[] {y}, o, n, ""));
    } else {
      int y = c.out(n, 0, l);
      c.emit(BuiltinOperator.SOFTMAX, c.version(n, BuiltinOperator.SOFTMAX), new int[] {x}, new int[] {y}, o, n, "");
    }
  }

  // ---- pooling and reductions ----

  static void pool(Lowerer c, Node n, int builtin) {
    long[] in = c.shape(n.input(0));
    long[] k = ints(n, "kernel_shape");
    long[] s = ints(n, "strides", 1, 1);
    long[] pads = ints(n, "pads", 0, 0, 0, 0);
    long[] out = c.shape(n.output(0));
    byte padding = padding(in, k, s, new long[] {1, 1}, pads);
    boolean countPads = n.attrs().getInt("count_include_pad", 0) != 0 && Arrays.stream(pads).anyMatch(p -> p != 0);
    if (padding < 0 || countPads || k.length != 2) {
      throw unsupported(n, n.op() + " pads " + Arrays.toString(pads) + (countPads ? " counted in the average" : "")
          + " match neither SAME nor VALID");
    }
    long expectH = padding == Padding.SAME ? (in[2] + s[0] - 1) / s[0] : (in[2] - k[0]) / s[0] + 1;
    if (expectH != out[2]) {
      throw unsupported(n, n.op() + " with ceil_mode rounding that TFLite's " + BuiltinOperator.name(builtin) + " does not do");
    }
    int x = sameParams(c, n, c.act(n, 0, NHWC));
    int y = c.out(n, 0, NHWC);
    byte pad = padding;
    c.emit(builtin, c.version(n, builtin), new int[] {x}, new int[] {y}, new TflModel.Options(BuiltinOptions.Pool2DOptions,
        b -> Pool2DOptions.createPool2DOptions(b, pad, (int) s[1], (int) s[0], (int) k[1], (int) k[0], (byte) 0)), n, "");
  }

  static void globalAveragePool(Lowerer c, Node n) {
    int x = c.act(n, 0, NHWC);
    int axes = c.int32Const(n.name() + "/axes", new int[] {1, 2}, new int[] {2});
    int y = c.out(n, 0, NHWC);
    c.emit(BuiltinOperator.MEAN, c.version(n, BuiltinOperator.MEAN), new int[] {x, axes}, new int[] {y},
        new TflModel.Options(BuiltinOptions.ReducerOptions, b -> ReducerOptions.createReducerOptions(b, true)), n, "");
  }

  static void reduceMean(Lowerer c, Node n) {
    int rank = c.rank(n.input(0));
    long[] axes = n.attrs().getInts("axes", null);
    if (axes == null && n.hasInput(1)) {
      axes = c.floatValues(n.input(1)).toLongs();
    }
    if (axes == null) {
      axes = java.util.stream.LongStream.range(0, rank).toArray();
    }
    boolean keep = n.attrs().getInt("keepdims", 1) != 0;
    Layout layout = c.layoutOf(n.input(0));
    java.util.Set<Long> reduced = new java.util.HashSet<>();
    for (long a : axes) {
      reduced.add(a < 0 ? a + rank : a);
    }
    // without keepdims an NHWC tensor that keeps C and H or W would come out in a different order
    if (layout == NHWC && !keep && !reduced.contains(1L) && (!reduced.contains(2L) || !reduced.contains(3L))) {
      layout = IR;
    }
    if (layout == Layout.NLC && !keep && !reduced.contains(1L) && !reduced.contains(2L)) {
      layout = IR;
    }
    int x = c.act(n, 0, layout);
    int[] tflAxes = new int[reduced.size()];
    int i = 0;
    for (long a : new java.util.TreeSet<>(reduced)) {
      tflAxes[i++] = layout.axis((int) a);
    }
    Arrays.sort(tflAxes);
    int ax = c.int32Const(n.name() + "/axes", tflAxes, new int[] {tflAxes.length});
    int y = c.out(n, 0, keep ? layout : IR);
    c.emit(BuiltinOperator.MEAN, c.version(n, BuiltinOperator.MEAN), new int[] {x, ax}, new int[] {y},
        new TflModel.Options(BuiltinOptions.ReducerOptions, b -> ReducerOptions.createReducerOptions(b, keep)), n, "");
  }

  // ---- data movement ----

  /** int8 ops whose kernel needs its input's params on its output: requantize the input when they differ. */
  private static int sameParams(Lowerer c, Node n, int x) {
    if (!c.quantized(n)) {
      return x;
    }
    return c.requantize(x, c.qParams(n.output(0)), n);
  }

  static void concat(Lowerer c, Node n) {
    int rank = c.rank(n.output(0));
    int axis = (int) n.attrs().getInt("axis", 1);
    axis = axis < 0 ? axis + rank : axis;
    Layout layout = elementwiseLayout(c, n);
    boolean q = c.quantized(n);
    TflModel.Quant outQ = q ? c.qParams(n.output(0)) : null;
    int[] ins = new int[n.inputs().size()];
    double smallest = Double.MAX_VALUE;
    double largest = 0;
    for (int i = 0; i < ins.length; i++) {
      String v = n.input(i);
      if (c.isConstant(v)) {
        ins[i] = c.operand(n.name() + "/operand" + i, c.floatValues(v), rank, layout, false);
        if (q) {
          throw unsupported(n, "int8 Concat with a constant input");
        }
        continue;
      }
      int t = c.act(n, i, layout);
      if (q) {
        TflModel.Quant p = c.m.tensor(t).quant;
        double span = 255.0 * p.scale()[0];
        smallest = Math.min(smallest, span);
        largest = Math.max(largest, span);
        t = c.requantize(t, outQ, n);
      }
      ins[i] = t;
    }
    if (q && largest > 16 * smallest) {
      c.notes.add(String.format(java.util.Locale.ROOT, "Concat '%s': its input ranges differ %.0fx; under one int8 scale "
          + "the smallest input keeps only %.0f of 256 levels", n.name(), largest / smallest, 256 * smallest / largest));
    }
    int y = c.out(n, 0, layout);
    int tflAxis = layout.axis(axis);
    c.emit(BuiltinOperator.CONCATENATION, c.version(n, BuiltinOperator.CONCATENATION), ins, new int[] {y},
        new TflModel.Options(BuiltinOptions.ConcatenationOptions,
            b -> ConcatenationOptions.createConcatenationOptions(b, tflAxis, (byte) 0)), n, "");
  }

  /**
   * Reshape, Flatten, Squeeze, Unsqueeze → RESHAPE to the IR's static output shape. Between an NHWC
   * value [N, C, H, W] and the token value [N, C, H*W] (and back) the reshape keeps channels last
   * (NHWC [N, H, W, C] to NLC [N, H*W, C]: the same elements in the same order). Any other
   * channels-last input reshapes directly when its element order equals the IR's (unit channels or
   * unit positions); otherwise it is brought back to the IR's order first (a TRANSPOSE, counted).
   */
  static void reshape(Lowerer c, Node n) {
    long[] in = c.shape(n.input(0));
    long[] outIr = c.shape(n.output(0));
    Lowerer.Val v = c.val(n.input(0));
    Layout keep = channelsLastReshape(v.layout(), in, outIr);
    if (keep != IR) {
      int x = sameParams(c, n, c.act(n, 0, null));
      int[] outShape = keep.shape(outIr);
      int shape = c.int32Const(n.name() + "/shape", outShape, new int[] {outShape.length});
      int y = c.out(n, 0, keep);
      c.emit(BuiltinOperator.RESHAPE, c.version(n, BuiltinOperator.RESHAPE), new int[] {x, shape}, new int[] {y},
          new TflModel.Options(BuiltinOptions.ReshapeOptions, b -> ReshapeOptions.createReshapeOptions(b,
              ReshapeOptions.createNewShapeVector(b, outShape))), n, "");
      return;
    }
    boolean sameOrder = v.layout() == IR || in[1] == 1 || (v.layout() == NHWC ? in[2] == 1 && in[3] == 1 : in[2] == 1);
    int x = sameOrder ? c.act(n, 0, null) : c.act(n, 0, IR);
    x = sameParams(c, n, x);
    int[] outShape = Lowerer.ints(c.shape(n.output(0)));
    int shape = c.int32Const(n.name() + "/shape", outShape, new int[] {outShape.length});
    int y = c.out(n, 0, IR);
    c.emit(BuiltinOperator.RESHAPE, c.version(n, BuiltinOperator.RESHAPE), new int[] {x, shape}, new int[] {y},
        new TflModel.Options(BuiltinOptions.ReshapeOptions, b -> ReshapeOptions.createReshapeOptions(b,
            ReshapeOptions.createNewShapeVector(b, outShape))), n, "");
  }

  /**
   * The channels-last layout a reshape's output keeps: NLC for NHWC [N, C, H, W] to [N, C, H*W], NHWC
   * for NLC [N, C, H*W] to [N, C, H, W] (batch and channels unchanged); IR for any other reshape.
   */
  static Layout channelsLastReshape(Layout from, long[] in, long[] out) {
    if (from == NHWC && out.length == 3 && out[0] == in[0] && out[1] == in[1] && out[2] == in[2] * in[3]) {
      return Layout.NLC;
    }
    if (from == Layout.NLC && out.length == 4 && out[0] == in[0] && out[1] == in[1] && out[2] * out[3] == in[2]) {
      return NHWC;
    }
    return IR;
  }

  static void resize(Lowerer c, Node n) {
    long[] in = c.shape(n.input(0));
    long[] out = c.shape(n.output(0));
    if (in.length != 4 || in[0] != out[0] || in[1] != out[1]) {
      throw unsupported(n, "Resize of anything but the spatial dims of a rank-4 tensor");
    }
    String mode = n.attrs().getString("mode", "nearest");
    String coord = n.attrs().getString("coordinate_transformation_mode", "half_pixel");
    boolean align = coord.equals("align_corners");
    boolean halfPixel = coord.equals("half_pixel") || coord.equals("pytorch_half_pixel");
    if (!align && !halfPixel && !coord.equals("asymmetric")) {
      throw unsupported(n, "Resize coordinate_transformation_mode " + coord);
    }
    int builtin;
    if (mode.equals("nearest")) {
      builtin = BuiltinOperator.RESIZE_NEAREST_NEIGHBOR;
      String nearest = n.attrs().getString("nearest_mode", "round_prefer_floor");
      boolean integerUp = out[2] % in[2] == 0 && out[3] % in[3] == 0;
      // TFLite floors; ONNX's rounding modes agree with it for integer upscales under half_pixel
      if (!(nearest.equals("floor") && coord.equals("asymmetric")) && !(integerUp && halfPixel)) {
        throw unsupported(n, "Resize nearest with " + coord + "/" + nearest + " at a non-integer scale");
      }
      halfPixel = false;
    } else if (mode.equals("linear")) {
      builtin = BuiltinOperator.RESIZE_BILINEAR;
    } else {
      throw unsupported(n, "Resize mode " + mode);
    }
    int x = sameParams(c, n, c.act(n, 0, NHWC));
    int size = c.int32Const(n.name() + "/size", new int[] {(int) out[2], (int) out[3]}, new int[] {2});
    int y = c.out(n, 0, NHWC);
    boolean hp = halfPixel;
    List<String> features = new java.util.ArrayList<>();
    if (align) {
      features.add(TfliteBuiltin.ALIGN_CORNERS);
    }
    if (hp) {
      features.add(TfliteBuiltin.HALF_PIXEL);
    }
    int version = c.version(n, builtin, c.quantized(n), features.toArray(String[]::new));
    TflModel.Options o = builtin == BuiltinOperator.RESIZE_BILINEAR
        ? new TflModel.Options(BuiltinOptions.ResizeBilinearOptions, b -> ResizeBilinearOptions.createResizeBilinearOptions(b, align, hp))
        : new TflModel.Options(BuiltinOptions.ResizeNearestNeighborOptions,
            b -> ResizeNearestNeighborOptions.createResizeNearestNeighborOptions(b, align, hp));
    c.emit(builtin, version, new int[] {x, size}, new int[] {y}, o, n, "");
  }

  static void pad(Lowerer c, Node n) {
    if (!n.attrs().getString("mode", "constant").equals("constant")) {
      throw unsupported(n, "Pad mode " + n.attrs().getString("mode", ""));
    }
    if (n.hasInput(2) && c.isConstant(n.input(2)) && c.floatValues(n.input(2)).getDouble(0) != 0) {
      throw unsupported(n, "Pad with a nonzero constant (PADV2 is not lowered yet)");
    }
    long[] pads = n.hasInput(1) ? c.floatValues(n.input(1)).toLongs() : n.attrs().getInts("pads", null);
    int rank = c.rank(n.input(0));
    Lowerer.Val v = c.actAnyLayout(n, 0);
    int x = sameParams(c, n, v.tensor());
    int[] p = new int[2 * rank];
    for (int a = 0; a < rank; a++) {
      int j = v.layout().axis(a);
      p[2 * j] = (int) pads[a];
      p[2 * j + 1] = (int) pads[a + rank];
    }
    int paddings = c.int32Const(n.name() + "/paddings", p, new int[] {rank, 2});
    int y = c.out(n, 0, v.layout());
    c.emit(BuiltinOperator.PAD, c.version(n, BuiltinOperator.PAD), new int[] {x, paddings}, new int[] {y}, TflModel.Options.NONE, n, "");
  }

  /**
   * The model's own Transpose. On an NHWC tensor its permutation composes with the layout's, and a
   * Transpose that only moves channels last (what exporters insert before NHWC-minded ops) vanishes.
   */
  static void transpose(Lowerer c, Node n) {
    int rank = c.rank(n.input(0));
    long[] perm = n.attrs().getInts("perm", null);
    if (perm == null) {
      perm = java.util.stream.LongStream.range(0, rank).map(i -> rank - 1 - i).toArray();
    }
    Lowerer.Val raw = c.val(n.input(0));
    // p[i]: the TFLite axis of the input holding output IR axis i
    int[] p = new int[rank];
    boolean identity = true;
    for (int i = 0; i < rank; i++) {
      p[i] = raw.layout().axis((int) perm[i]);
      identity &= p[i] == i;
    }
    // the data as it is is the output channels last (NHWC, NLC): an exporter's NHWC -> NCHW
    // Transpose, or the [N, L, C] -> [N, C, L] one after an attention block, cancels
    Layout cl = Layout.channelsLast(rank);
    boolean clCancel = cl != IR;
    for (int j = 0; clCancel && j < rank; j++) {
      clCancel = p[cl.toTflite()[j]] == j;
    }
    if ((identity || clCancel) && !c.quantized(n)) {
      // a layout Transpose that cancels moves no data: the tensor passes through as it is (an int8
      // graph input stays int8 for the QuantizeLinear after it, not dequantized and quantized again)
      c.bind(n.output(0), raw.tensor(), identity ? IR : cl);
      return;
    }
    Lowerer.Val v = c.actAnyLayout(n, 0);
    int x = sameParams(c, n, v.tensor());
    if (identity) { // the data is already in the output's IR order
      c.bind(n.output(0), x, IR);
      return;
    }
    if (clCancel) { // the data is the output channels last
      c.bind(n.output(0), x, cl);
      return;
    }
    int pt = c.int32Const(n.name() + "/perm", p, new int[] {rank});
    int y = c.out(n, 0, IR);
    c.emit(BuiltinOperator.TRANSPOSE, c.version(n, BuiltinOperator.TRANSPOSE), new int[] {x, pt}, new int[] {y}, TflModel.Options.NONE, n, "");
  }

  static BadInputException unsupported(Node n, String why) {
    return new dev.hwc.backends.LoweringException("TFLite backend cannot lower node '" + n.name() + "' (" + n.op() + "): "
        + why, n.name(), n.op(), why);
  }
}

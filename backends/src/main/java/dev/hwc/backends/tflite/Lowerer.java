package dev.hwc.backends.tflite;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Half;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.common.BadInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.TensorType;

/**
 * The state of one IR → TFLite lowering: which TFLite tensor (and in which {@link Layout}) stands for
 * each IR value, and the helpers the op rules in {@link TfliteOps} share: activations in the layout
 * and type an op needs (inserting DEQUANTIZE, requantizing QUANTIZE or a layout TRANSPOSE only when
 * they cannot be avoided), constants permuted for TFLite's weight layouts, output tensors typed by
 * whether the op runs in int8.
 *
 * <p>Quantization comes from the QDQ graph the quantization engine writes: an op whose activation
 * inputs all come from DequantizeLinear and whose outputs are all read by QuantizeLinear runs as
 * an int8 TFLite op, its tensors carrying the Q/DQ params; the Q/DQ pairs themselves vanish.
 */
final class Lowerer {
  record Val(int tensor, Layout layout) {}

  /** A constant that the QDQ graph stores as integers behind a DequantizeLinear. */
  record QConst(Tensor values, float[] scale, long[] zeroPoint, int axis) {}

  final Graph g;
  final TfliteLowering.Options opts;
  final TflModel m = new TflModel();
  final List<String> notes = new ArrayList<>();
  private final Map<String, Val> vals = new HashMap<>();
  private final Map<String, Integer> views = new HashMap<>();
  private final Map<String, Node> fusedInto = new HashMap<>();
  private final Set<String> folded = new HashSet<>();
  private final Map<String, Boolean> quantized = new HashMap<>();
  private int internalTransposes;

  Lowerer(Graph g, TfliteLowering.Options opts) {
    this.g = g;
    this.opts = opts;
    for (Node n : g.nodes()) {
      Node act = fusableActivation(n);
      if (act != null) {
        fusedInto.put(n.name(), act);
        folded.add(act.name());
      }
    }
  }

  int internalTransposes() {
    return internalTransposes;
  }

  // ---- what runs in int8 ----

  /** Whether n runs as an int8 TFLite op: activation inputs dequantized, every output quantized. */
  boolean quantized(Node n) {
    return quantized.computeIfAbsent(n.name(), k -> {
      if (isQdq(n)) {
        return false;
      }
      boolean anyActivation = false;
      boolean weighted = List.of("Conv", "ConvTranspose", "Gemm", "MatMul").contains(n.op());
      if (weighted && n.inputs().size() > 1 && g.isInitializer(n.input(1)) && g.initializer(n.input(1)).dtype().isFloat()) {
        return false; // float weights (a layer the plan keeps float between DQ and Q): a float kernel
      }
      for (String in : n.inputs()) {
        if (in.isEmpty() || g.isInitializer(in)) {
          continue;
        }
        Node p = g.producer(in);
        if (p == null || !p.op().equals("DequantizeLinear")) {
          return false;
        }
        anyActivation |= !g.isInitializer(p.input(0));
      }
      for (String out : n.outputs()) {
        List<Node> readers = g.consumers(out);
        if (out.isEmpty() || g.isGraphOutput(out) || readers.isEmpty()
            || !readers.stream().allMatch(r -> r.op().equals("QuantizeLinear"))) {
          return false;
        }
      }
      return anyActivation;
    });
  }

  static boolean isQdq(Node n) {
    return n.op().equals("QuantizeLinear") || n.op().equals("DequantizeLinear");
  }

  /** The params of the QuantizeLinear reading {@code value}. */
  TflModel.Quant qParams(String value) {
    Node q = g.consumers(value).stream().filter(r -> r.op().equals("QuantizeLinear")).findFirst()
        .orElseThrow(() -> new IllegalStateException("no QuantizeLinear reads " + value));
    return paramsOf(q);
  }

  TflModel.Quant paramsOf(Node qdq) {
    float scale = g.initializer(qdq.input(1)).toFloats()[0];
    if (!(scale > 0) || !Float.isFinite(scale) || scale > 1e6) {
      // TFLite's int8 kernels abort the process on the rescale multipliers such a scale implies
      throw new BadInputException("int8 scale " + scale + " on '" + qdq.input(0) + "' cannot run in TFLite's int8 kernels "
          + "(its calibrated range is not int8 material; keep the layers around it in float)");
    }
    long zp = qdq.hasInput(2) ? (long) g.initializer(qdq.input(2)).getDouble(0) : 0;
    if (qdq.hasInput(2) && g.initializer(qdq.input(2)).dtype() != DType.INT8) {
      throw new BadInputException("TFLite int8 needs int8 activations; node '" + qdq.name() + "' quantizes to "
          + g.initializer(qdq.input(2)).dtype().shortName());
    }
    return TflModel.Quant.perTensor(scale, zp);
  }

  // ---- values ----

  Val val(String irValue) {
    Val v = vals.get(irValue);
    if (v == null) {
      throw new IllegalStateException("value '" + irValue + "' was not lowered before its use");
    }
    return v;
  }

  void bind(String irValue, int tensor, Layout layout) {
    vals.put(irValue, new Val(tensor, layout));
  }

  Layout layoutOf(String irValue) {
    return val(irValue).layout();
  }

  long[] shape(String irValue) {
    Value t = g.type(irValue);
    if (t == null || !t.shape().isStatic()) {
      throw new BadInputException("TFLite needs static shapes: '" + irValue + "' has shape "
          + (t == null ? "unknown" : t.shape()) + "; pass --shape NAME=AxBxC for the model's inputs");
    }
    return t.shape().sizes();
  }

  int rank(String irValue) {
    return shape(irValue).length;
  }

  /**
   * Input i of n as the op needs it: int8 if n runs in int8, float otherwise (a DEQUANTIZE is inserted
   * once per tensor), in layout {@code want} (a TRANSPOSE once per tensor), or as it is when want is null.
   */
  int act(Node n, int i, Layout want) {
    Val v = val(n.input(i));
    int t = v.tensor();
    if (!quantized(n) && m.tensor(t).type == TensorType.INT8) {
      t = dequantize(t, n);
    }
    if (want != null && want != v.layout()) {
      t = relayout(t, v.layout(), want, n, fromGraphInput(v.tensor()) ? "io" : "layout");
    }
    return t;
  }

  /** The tensor of n's input i held in TFLite's order as-is, with the layout it is in. */
  Val actAnyLayout(Node n, int i) {
    Val v = val(n.input(i));
    return new Val(act(n, i, null), v.layout());
  }

  int dequantize(int t, Node origin) {
    return views.computeIfAbsent("dq:" + t, k -> {
      TflModel.Tensor src = m.tensor(t);
      int out = m.activation(src.name + "_dequantized", TensorType.FLOAT32, src.shape, null);
      emit(BuiltinOperator.DEQUANTIZE, version(origin, BuiltinOperator.DEQUANTIZE, true), new int[] {t}, new int[] {out}, TflModel.Options.NONE, origin, "dequantize");
      return out;
    });
  }

  /** An int8 tensor with other params: a requantizing QUANTIZE (int8 → int8). */
  int requantize(int t, TflModel.Quant to, Node origin) {
    TflModel.Tensor src = m.tensor(t);
    if (to.sameAs(src.quant)) {
      return t;
    }
    return views.computeIfAbsent("rq:" + t + ":" + to.scale()[0] + ":" + to.zeroPoint()[0], k -> {
      int out = m.activation(src.name + "_requantized", TensorType.INT8, src.shape, to);
      emit(BuiltinOperator.QUANTIZE, version(origin, BuiltinOperator.QUANTIZE, true), new int[] {t}, new int[] {out},
          TflModel.Options.NONE, origin, "requantize");
      return out;
    });
  }

  /**
   * The tensor in the other layout: a RESHAPE when the permutation moves only unit dims (C = 1, or
   * H = W = 1: the element order is the same), else a TRANSPOSE (counted when inside the graph).
   */
  int relayout(int t, Layout from, Layout to, Node origin, String role) {
    return views.computeIfAbsent("tr:" + t + ":" + to, k -> {
      TflModel.Tensor src = m.tensor(t);
      Layout cl = from == Layout.IR ? to : from;
      if (cl == Layout.IR || (from != Layout.IR && to != Layout.IR) || src.shape.length != cl.rank()) {
        throw new IllegalStateException("layout change of a rank-" + src.shape.length + " tensor from " + from + " to " + to);
      }
      int rank = src.shape.length;
      int[] perm = to == Layout.IR ? from.toIr() : to.toTflite();
      int[] shape = new int[rank];
      for (int j = 0; j < rank; j++) {
        shape[j] = src.shape[perm[j]];
      }
      String suffix = to == Layout.IR ? (rank == 4 ? "_nchw" : "_ncl") : "_" + to.name().toLowerCase(java.util.Locale.ROOT);
      int out = m.activation(src.name + suffix, src.type, shape, src.quant);
      if (keepsOrder(src.shape, perm)) {
        int s = int32Const(src.name + "_shape", shape, new int[] {rank});
        emit(BuiltinOperator.RESHAPE, version(origin, BuiltinOperator.RESHAPE, src.type == TensorType.INT8), new int[] {t, s}, new int[] {out}, new TflModel.Options(
            org.tensorflow.lite.schema.BuiltinOptions.ReshapeOptions, b -> org.tensorflow.lite.schema.ReshapeOptions
                .createReshapeOptions(b, org.tensorflow.lite.schema.ReshapeOptions.createNewShapeVector(b, shape))),
            origin, role);
        return out;
      }
      int p = int32Const(src.name + "_perm", perm, new int[] {rank});
      emit(BuiltinOperator.TRANSPOSE, version(origin, BuiltinOperator.TRANSPOSE, src.type == TensorType.INT8), new int[] {t, p}, new int[] {out},
          TflModel.Options.NONE, origin, role);
      if (role.equals("layout")) {
        internalTransposes++;
      }
      return out;
    });
  }

  /** Whether permuting {@code shape} by {@code perm} keeps the non-unit dims in their order. */
  static boolean keepsOrder(int[] shape, int[] perm) {
    int last = -1;
    for (int p : perm) {
      if (shape[p] != 1) {
        if (p < last) {
          return false;
        }
        last = p;
      }
    }
    return true;
  }

  /** A graph input's tensor, or one a QUANTIZE/DEQUANTIZE made of it at the boundary. */
  private boolean fromGraphInput(int t) {
    if (m.inputs.contains(t)) {
      return true;
    }
    for (TflModel.Op op : m.ops) {
      boolean convert = op.builtin() == BuiltinOperator.QUANTIZE || op.builtin() == BuiltinOperator.DEQUANTIZE;
      if (convert && op.outputs()[0] == t) {
        return fromGraphInput(op.inputs()[0]);
      }
    }
    return false;
  }

  /**
   * Creates output i of n (the folded activation's value when one was fused into n): int8 with the
   * reading QuantizeLinear's params if n runs in int8, float32 otherwise.
   */
  int out(Node n, int i, Layout layout) {
    return out(n, i, layout, quantized(n) ? qParams(n.output(i)) : null);
  }

  /** As {@link #out(Node, int, Layout)} with the given int8 params (null: float32). */
  int out(Node n, int i, Layout layout, TflModel.Quant q) {
    String v = n.output(i);
    Node act = i == 0 ? fusedInto.get(n.name()) : null;
    String name = act != null ? act.output(0) : v;
    int t = m.activation(name, q != null ? TensorType.INT8 : tensorType(g.type(v).dtype()), layout.shape(shape(name)), q);
    bind(v, t, layout);
    if (act != null) {
      bind(act.output(0), t, layout);
    }
    return t;
  }

  /**
   * Output 0 of an int8 op whose kernel fixes its output params (LOGISTIC, SOFTMAX, TANH): written at
   * those, then requantized when the graph asked for others.
   */
  int outFixed(Node n, Layout layout, TflModel.Quant fixed, java.util.function.IntConsumer emitOp) {
    TflModel.Quant wanted = qParams(n.output(0));
    if (wanted.sameAs(fixed)) {
      int t = out(n, 0, layout, fixed);
      emitOp.accept(t);
      return t;
    }
    int t = m.activation(n.output(0) + "_fixed", TensorType.INT8, layout.shape(shape(n.output(0))), fixed);
    emitOp.accept(t);
    int r = out(n, 0, layout, wanted);
    emit(BuiltinOperator.QUANTIZE, version(n, BuiltinOperator.QUANTIZE, true), new int[] {t}, new int[] {r},
        TflModel.Options.NONE, n, "requantize");
    return r;
  }

  /** The fused-activation code of n (RELU, RELU6, RELU_N1_TO_1), 0 when nothing was folded into it. */
  byte fusedActivation(Node n) {
    Node act = fusedInto.get(n.name());
    return act == null ? 0 : activationCode(act);
  }

  boolean isFolded(Node n) {
    return folded.contains(n.name());
  }

  /** A Relu or Clip(0,6)/Clip(-1,1) that alone reads a float weighted or arithmetic op's output. */
  private Node fusableActivation(Node n) {
    if (!Set.of("Conv", "Gemm", "MatMul", "Add", "Sub", "Mul").contains(n.op()) || n.outputs().size() != 1
        || g.isGraphOutput(n.output(0)) || g.consumers(n.output(0)).size() != 1 || quantized(n)) {
      return null;
    }
    Node r = g.consumers(n.output(0)).get(0);
    return activationCode(r) != 0 ? r : null;
  }

  byte activationCode(Node r) {
    if (r.op().equals("Relu")) {
      return org.tensorflow.lite.schema.ActivationFunctionType.RELU;
    }
    if (r.op().equals("Clip")) {
      double[] b = clipBounds(r);
      if (b[0] == 0 && b[1] == 6) {
        return org.tensorflow.lite.schema.ActivationFunctionType.RELU6;
      }
      if (b[0] == -1 && b[1] == 1) {
        return org.tensorflow.lite.schema.ActivationFunctionType.RELU_N1_TO_1;
      }
      if (b[0] == 0 && Double.isInfinite(b[1])) {
        return org.tensorflow.lite.schema.ActivationFunctionType.RELU;
      }
    }
    return 0;
  }

  /** Clip's bounds from its inputs (opset 11+) or attributes; absent bounds are infinite. */
  double[] clipBounds(Node r) {
    double lo = r.attrs().getFloat("min", Float.NEGATIVE_INFINITY);
    double hi = r.attrs().getFloat("max", Float.POSITIVE_INFINITY);
    if (r.hasInput(1) && constant(r.input(1)) != null) {
      lo = constant(r.input(1)).getDouble(0);
    }
    if (r.hasInput(2) && constant(r.input(2)) != null) {
      hi = constant(r.input(2)).getDouble(0);
    }
    return new double[] {lo, hi};
  }

  /** TFLite's element type for an IR type (float16 graphs are written as float32 activations). */
  static byte tensorType(DType t) {
    return switch (t) {
      case FLOAT, FLOAT16, DOUBLE -> TensorType.FLOAT32;
      case INT8 -> TensorType.INT8;
      case UINT8 -> TensorType.UINT8;
      case INT32 -> TensorType.INT32;
      case INT64 -> TensorType.INT64;
      case BOOL -> TensorType.BOOL;
      default -> throw new BadInputException("TFLite has no tensors of type " + t.shortName());
    };
  }

  // ---- constants ----

  /** A float (or integer) initializer, or null when the value is not constant. */
  Tensor constant(String v) {
    return v.isEmpty() ? null : g.initializer(v);
  }

  /** A quantized constant behind a DequantizeLinear, or null. */
  QConst qconst(String v) {
    Node p = g.producer(v);
    if (p == null || !p.op().equals("DequantizeLinear") || !g.isInitializer(p.input(0))) {
      return null;
    }
    Tensor scale = g.initializer(p.input(1));
    Tensor values = g.initializer(p.input(0));
    float[] s = scale.toFloats();
    long[] zp = new long[s.length];
    if (p.hasInput(2)) {
      double[] z = g.initializer(p.input(2)).toDoubles();
      for (int i = 0; i < zp.length; i++) {
        zp[i] = (long) z[i];
      }
    }
    int axis = (int) p.attrs().getInt("axis", 1);
    if (axis < 0) {
      axis += values.rank();
    }
    return new QConst(values, s, zp, s.length > 1 ? axis : 0);
  }

  /** Whether input v is a constant, float or quantized. */
  boolean isConstant(String v) {
    return !v.isEmpty() && (g.isInitializer(v) || qconst(v) != null);
  }

  /** The float values of a constant input, dequantized when the graph stores it as integers. */
  Tensor floatValues(String v) {
    Tensor t = constant(v);
    if (t != null) {
      return t;
    }
    QConst q = qconst(v);
    double[] d = q.values().toDoubles();
    long[] shape = q.values().shape();
    long inner = 1;
    for (int a = q.axis() + 1; a < shape.length; a++) {
      inner *= shape[a];
    }
    for (int i = 0; i < d.length; i++) {
      int c = q.scale().length == 1 ? 0 : (int) ((i / inner) % shape[q.axis()]);
      d[i] = (d[i] - q.zeroPoint()[c]) * q.scale()[c];
    }
    return Tensor.fromDoubles(DType.FLOAT, shape, d);
  }

  /**
   * A float weight, permuted by {@code perm} (null: as is); FLOAT16 behind a DEQUANTIZE when the
   * lowering writes fp16 weights.
   */
  int floatWeight(String name, Tensor t, int[] perm, Node origin) {
    long[] shape = perm == null ? t.shape() : Layout.permuted(t.shape(), perm);
    byte[] data = Tensor.fromDoubles(DType.FLOAT, t.shape(), t.toDoubles()).bytes();
    if (perm != null) {
      data = Layout.permute(data, t.shape(), perm, 4);
    }
    int[] s = ints(shape);
    if (!opts.fp16()) {
      return m.constant(name, TensorType.FLOAT32, s, null, data);
    }
    ByteBuffer f = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer h = ByteBuffer.allocate(data.length / 2).order(ByteOrder.LITTLE_ENDIAN);
    while (f.hasRemaining()) {
      h.putShort(Half.fromFloat(f.getFloat()));
    }
    int half = m.constant(name + "_fp16", TensorType.FLOAT16, s, null, h.array());
    int out = m.activation(name, TensorType.FLOAT32, s, null);
    emit(BuiltinOperator.DEQUANTIZE, version(origin, BuiltinOperator.DEQUANTIZE, false, TfliteBuiltin.FLOAT16), new int[] {half}, new int[] {out}, TflModel.Options.NONE, origin, "fp16 weight");
    return out;
  }

  /** A float op's bias as [channels] (zeros when the node has none: TFLite's kernels want the input). */
  int floatBias(Node n, String biasValue, int channels) {
    Tensor b = biasValue.isEmpty() ? Tensor.fromDoubles(DType.FLOAT, new long[] {channels}, new double[channels])
        : floatValues(biasValue);
    return floatWeight(n.name() + "/bias", b.reshape(new long[] {channels}), null, n);
  }

  /** A quantized weight, permuted; its quantized dimension follows the permutation. */
  int int8Weight(String name, QConst q, int[] perm) {
    if (q.values().dtype() != DType.INT8) {
      throw new BadInputException("TFLite int8 weights must be int8, '" + name + "' is " + q.values().dtype().shortName());
    }
    byte[] data = q.values().bytes();
    long[] shape = q.values().shape();
    int axis = q.axis();
    if (perm != null) {
      data = Layout.permute(data, shape, perm, 1);
      shape = Layout.permuted(q.values().shape(), perm);
      for (int j = 0; j < perm.length; j++) {
        if (perm[j] == q.axis()) {
          axis = j;
        }
      }
    }
    return m.constant(name, TensorType.INT8, ints(shape), new TflModel.Quant(q.scale(), q.zeroPoint(), axis), data);
  }

  /** An int32 bias with scale = input scale × weight scale (per channel), from a quantized or float bias. */
  int int32Bias(String name, String biasValue, float inputScale, TflModel.Quant weight, int channels) {
    float[] scale = new float[channels];
    for (int c = 0; c < channels; c++) {
      scale[c] = inputScale * weight.scale()[weight.scale().length == 1 ? 0 : c];
    }
    int[] values = new int[channels];
    QConst q = biasValue.isEmpty() ? null : qconst(biasValue);
    if (q != null && q.values().dtype() == DType.INT32) {
      double[] d = q.values().toDoubles();
      for (int c = 0; c < channels; c++) {
        values[c] = (int) d[c];
      }
    } else if (!biasValue.isEmpty()) {
      double[] d = floatValues(biasValue).toDoubles();
      for (int c = 0; c < channels; c++) {
        values[c] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.round(d[c] / scale[c])));
      }
    }
    ByteBuffer bb = ByteBuffer.allocate(4 * channels).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      bb.putInt(v);
    }
    boolean perAxis = weight.scale().length > 1;
    TflModel.Quant quant = perAxis ? new TflModel.Quant(scale, new long[channels], 0)
        : TflModel.Quant.perTensor(scale[0], 0);
    return m.constant(name, TensorType.INT32, new int[] {channels}, quant, bb.array());
  }

  /**
   * A float constant operand of an elementwise op or concat, broadcast to {@code rank} dims and laid
   * out as {@code layout}; per-tensor int8 (its own min/max, zero included) when {@code quantize}.
   */
  int operand(String name, Tensor t, int rank, Layout layout, boolean quantize) {
    long[] shape = t.shape();
    if (shape.length < rank) {
      long[] s = new long[rank];
      java.util.Arrays.fill(s, 1);
      System.arraycopy(shape, 0, s, rank - shape.length, shape.length);
      shape = s;
    }
    double[] d = t.toDoubles();
    byte[] data;
    byte type;
    TflModel.Quant q = null;
    if (quantize) {
      double lo = 0;
      double hi = 0;
      for (double x : d) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
      double scale = hi > lo ? (hi - lo) / 255 : 1;
      long zp = Math.round(-128 - lo / scale);
      q = TflModel.Quant.perTensor((float) scale, zp);
      data = new byte[d.length];
      for (int i = 0; i < d.length; i++) {
        data[i] = (byte) Math.max(-128, Math.min(127, Math.round(d[i] / scale) + zp));
      }
      type = TensorType.INT8;
    } else {
      data = Tensor.fromDoubles(DType.FLOAT, shape, d).bytes();
      type = TensorType.FLOAT32;
    }
    if (layout != Layout.IR && shape.length == layout.rank()) {
      data = Layout.permute(data, shape, layout.toTflite(), type == TensorType.INT8 ? 1 : 4);
      shape = Layout.permuted(shape, layout.toTflite());
    }
    return m.constant(name, type, ints(shape), q, data);
  }

  int int32Const(String name, int[] values, int[] shape) {
    ByteBuffer bb = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      bb.putInt(v);
    }
    return m.constant(name, TensorType.INT32, shape, null, bb.array());
  }

  void emit(int builtin, int version, int[] ins, int[] outs, TflModel.Options o, Node origin, String role) {
    emit(builtin, version, ins, outs, o, (byte) 0, origin, role);
  }

  void emit(int builtin, int version, int[] ins, int[] outs, TflModel.Options o, byte act, Node origin, String role) {
    m.add(new TflModel.Op(builtin, version, ins, outs, o, act, origin == null ? "" : origin.name(), role));
  }

  /** The version of a builtin emitted for n, from n's rule: its int8 version when n runs in int8, else its float one. */
  int version(Node n, int builtin) {
    return version(n, builtin, quantized(n));
  }

  /**
   * The version of a builtin emitted for {@code origin} (null: at the graph's edge) as its rule in
   * {@link TfliteOps} declares it, with the features used; a builtin the rule does not declare is a bug.
   */
  int version(Node origin, int builtin, boolean int8, String... features) {
    String op = origin == null ? null : origin.op();
    return TfliteOps.declaration(op, builtin)
        .orElseThrow(() -> new IllegalStateException("the TFLite rule for " + op + " emits "
            + BuiltinOperator.name(builtin) + " without declaring it"))
        .version(int8, features);
  }

  static int[] ints(long[] a) {
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = Math.toIntExact(a[i]);
    }
    return out;
  }
}

package dev.hwc.compiler.tflite;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Half;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.ConcatenationOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.DepthwiseConv2DOptions;
import org.tensorflow.lite.schema.FullyConnectedOptions;
import org.tensorflow.lite.schema.LeakyReluOptions;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.Pool2DOptions;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.ReducerOptions;
import org.tensorflow.lite.schema.ResizeBilinearOptions;
import org.tensorflow.lite.schema.ResizeNearestNeighborOptions;
import org.tensorflow.lite.schema.SoftmaxOptions;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.TensorType;
import org.tensorflow.lite.schema.TransposeConvOptions;

/**
 * Translates subgraph 0 of a TFLite model into the IR (opset 17).
 *
 * <p><b>Layout.</b> TFLite keeps rank-4 activations NHWC; the IR is NCHW. Graph inputs and outputs
 * keep the model's own shapes (NHWC), and every rank-4 tensor is held in whichever layout its
 * producer gave, converted on demand with one Transpose that is shared by all readers: convolutions,
 * pools, resizes, spatial means and pads take NCHW; reshapes, fully-connected layers and softmax
 * take the model's NHWC element order; elementwise ops run in the layout of their first rank-4
 * input (constants are permuted to it). The Transposes left in the IR are exactly the conversions
 * at layout boundaries, which the TFLite backend cancels against its own NHWC layout, so
 * re-emitting TFLite adds no TRANSPOSE for a CNN.
 *
 * <p><b>Types.</b> float32 as is; fp16 weights behind DEQUANTIZE become float constants; int8 and
 * uint8 tensors with quantization parameters become QDQ: a constant as DequantizeLinear of its
 * integer data (per-axis where the file says so), an activation as QuantizeLinear then
 * DequantizeLinear after the float op that computes it, so the IR states both the float function and
 * the model's own quantization.
 *
 * <p><b>Ops.</b> The builtins of published vision models (see {@link #OPS}), with fused
 * activations and SAME/VALID padding turned into explicit pads; MediaPipe's custom
 * {@code Convolution2DTransposeBias} as a ConvTranspose, {@code MaxPoolingWithArgmax2D} as a MaxPool
 * with its Indices output and {@code MaxUnpooling2D} as a MaxUnpool (the argmax is kept as ONNX's
 * flat NCHW position, which only the unpooling reads). Any other op, control flow (WHILE, IF,
 * CALL_ONCE: further subgraphs) or custom op gives one error naming every op type not read.
 */
final class TfliteImporter {
  static final int OPSET = 17;

  /** The builtins read, by name (for the error listing what is missing). */
  static final Set<String> OPS = Set.of("ADD", "SUB", "MUL", "DIV", "MAXIMUM", "MINIMUM", "RELU", "RELU6",
      "RELU_N1_TO_1", "LOGISTIC", "TANH", "HARD_SWISH", "LEAKY_RELU", "PRELU", "SOFTMAX", "CONV_2D",
      "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV", "FULLY_CONNECTED", "MAX_POOL_2D", "AVERAGE_POOL_2D", "MEAN",
      "CONCATENATION", "RESHAPE", "SQUEEZE", "PAD", "PADV2", "RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR",
      "DEQUANTIZE", "QUANTIZE", "TRANSPOSE");

  /** MediaPipe custom ops read. */
  static final Set<String> CUSTOM_OPS = Set.of("Convolution2DTransposeBias", "MaxPoolingWithArgmax2D", "MaxUnpooling2D");

  private static final long[] TO_NCHW = {0, 3, 1, 2};
  private static final long[] TO_NHWC = {0, 2, 3, 1};

  private final Model model;
  private final SubGraph sg;
  private final String source;
  private final Graph.Editor e;
  private final Set<String> used = new HashSet<>();
  /** IR value of each tensor in the model's own layout / in NCHW (rank-4 only). */
  private final Map<Integer, String> own = new HashMap<>();
  private final Map<Integer, String> nchw = new HashMap<>();
  private final Map<Integer, String> names = new HashMap<>();
  private int counter;

  TfliteImporter(Model model, String source) {
    this.model = model;
    this.source = source;
    if (model.subgraphsLength() == 0) {
      throw new BadInputException("TFLite model " + source + " has no subgraph");
    }
    this.sg = model.subgraphs(0);
    this.e = Graph.Editor.empty(graphName(source), OPSET);
  }

  private static String graphName(String source) {
    String n = java.nio.file.Path.of(source).getFileName().toString();
    return n.endsWith(".tflite") ? n.substring(0, n.length() - 7) : n;
  }

  Graph translate() {
    checkStructure();
    checkOps();
    for (int i = 0; i < sg.tensorsLength(); i++) {
      String n = sg.tensors(i).name();
      String base = n == null || n.isEmpty() ? "t" + i : n;
      names.put(i, unique(base));
    }
    for (int k = 0; k < sg.inputsLength(); k++) {
      int t = sg.inputs(k);
      org.tensorflow.lite.schema.Tensor tt = sg.tensors(t);
      String name = names.get(t);
      if (quantized(tt) && isInt(tt.type())) {
        e.inputs().add(new Value(name, dtype(tt), Shape.of(shapeOf(t))));
        own.put(t, dequantize(name, tt, name + "_dq"));
      } else {
        e.inputs().add(new Value(name, dtype(tt), Shape.of(shapeOf(t))));
        own.put(t, name);
      }
    }
    for (int i = 0; i < sg.operatorsLength(); i++) {
      op(sg.operators(i), i);
    }
    for (int k = 0; k < sg.outputsLength(); k++) {
      int t = sg.outputs(k);
      org.tensorflow.lite.schema.Tensor tt = sg.tensors(t);
      String v = value(t, false);
      String name = names.get(t);
      if (quantized(tt) && isInt(tt.type())) {
        // the graph output keeps the tensor's name: QuantizeLinear of the float value writes it
        Node dq = e.nodes().stream().filter(n -> n.outputs().contains(v) && n.op().equals("DequantizeLinear"))
            .findFirst().orElse(null);
        String q = dq != null && dq.input(0).endsWith("_q") ? dq.input(0) : quantize(v, tt, unique(name + "_q"));
        e.renameValue(q, name);
        e.outputs().add(new Value(name, dtype(tt), Shape.of(shapeOf(t))));
      } else {
        if (!v.equals(name) || isGraphInput(v)) {
          node("Identity", Attributes.EMPTY, List.of(v), name);
        }
        e.outputs().add(new Value(name, dtype(tt), Shape.of(shapeOf(t))));
      }
    }
    e.metadata().put("tflite.source", "converted from " + graphName(source) + ".tflite (TFLite schema v" + model.version() + ")");
    try {
      return e.build();
    } catch (IllegalArgumentException ex) {
      throw new BadInputException("TFLite model " + source + ": " + ex.getMessage());
    }
  }

  private boolean isGraphInput(String v) {
    return e.inputs().stream().anyMatch(x -> x.name().equals(v));
  }

  // ---- what the model uses

  private String opName(Operator op) {
    OperatorCode oc = model.operatorCodes((int) op.opcodeIndex());
    int code = Math.max(oc.builtinCode(), oc.deprecatedBuiltinCode());
    if (code == BuiltinOperator.CUSTOM) {
      return "custom:" + oc.customCode();
    }
    return code >= 0 && code < BuiltinOperator.names.length ? BuiltinOperator.name(code) : "builtin#" + code;
  }

  /** Largest tensor rank read (TFLite kernels take at most 6; more is a corrupt vector length). */
  static final int MAX_RANK = 16;

  /**
   * The flatbuffer's indices and vector lengths, checked before anything is read through them: every
   * tensor index an operator or the subgraph names lies in the tensor table (-1 marks an omitted
   * optional input), every buffer index in the buffer table, every shape within {@value #MAX_RANK}
   * dims, none negative.
   */
  private void checkStructure() {
    int tensors = sg.tensorsLength();
    for (int i = 0; i < tensors; i++) {
      org.tensorflow.lite.schema.Tensor t = sg.tensors(i);
      if (t == null) {
        throw new BadInputException("TFLite model " + source + ": tensor " + i + " is missing from the tensor table");
      }
      if (t.shapeLength() < 0 || t.shapeLength() > MAX_RANK) {
        throw new BadInputException("TFLite model " + source + ": tensor " + i + " has rank " + t.shapeLength()
            + " (at most " + MAX_RANK + " is read)");
      }
      for (int d = 0; d < t.shapeLength(); d++) {
        if (t.shape(d) < 0) {
          throw new BadInputException("TFLite model " + source + ": tensor " + i + " has a negative dim " + t.shape(d)
              + " (dynamic shapes are not read; fix the input size when converting)");
        }
      }
      if (t.buffer() < 0 || t.buffer() >= Math.max(1, model.buffersLength())) {
        throw new BadInputException("TFLite model " + source + ": tensor " + i + " names buffer " + t.buffer()
            + " of " + model.buffersLength());
      }
    }
    for (int k = 0; k < sg.inputsLength(); k++) {
      checkTensorIndex(sg.inputs(k), false, "subgraph input " + k);
    }
    for (int k = 0; k < sg.outputsLength(); k++) {
      checkTensorIndex(sg.outputs(k), false, "subgraph output " + k);
    }
    for (int i = 0; i < sg.operatorsLength(); i++) {
      Operator op = sg.operators(i);
      if (op == null) {
        throw new BadInputException("TFLite model " + source + ": operator " + i + " is missing from the operator table");
      }
      for (int k = 0; k < op.inputsLength(); k++) {
        checkTensorIndex(op.inputs(k), true, "operator " + i + " input " + k);
      }
      if (op.inputsLength() < 0) {
        // a corrupt vector length reads as negative: nothing after it can be trusted
        throw new BadInputException("TFLite model " + source + ": operator " + i + " has a corrupt input list");
      }
      if (op.outputsLength() <= 0) {
        throw new BadInputException("TFLite model " + source + ": operator " + i
            + (op.outputsLength() == 0 ? " has no output" : " has a corrupt output list"));
      }
      for (int k = 0; k < op.outputsLength(); k++) {
        checkTensorIndex(op.outputs(k), false, "operator " + i + " output " + k);
      }
    }
  }

  private void checkTensorIndex(int t, boolean optional, String what) {
    if (t >= sg.tensorsLength() || t < (optional ? -1 : 0)) {
      throw new BadInputException("TFLite model " + source + ": " + what + " names tensor " + t + " of "
          + sg.tensorsLength());
    }
  }

  /** One error listing every op type not read, with counts; control flow first. */
  private void checkOps() {
    Map<String, Integer> missing = new TreeMap<>();
    Set<String> control = new java.util.TreeSet<>();
    for (int i = 0; i < sg.operatorsLength(); i++) {
      Operator op = sg.operators(i);
      if (op.opcodeIndex() < 0 || op.opcodeIndex() >= model.operatorCodesLength()) {
        throw new BadInputException("TFLite model " + source + ": operator " + i + " has opcode index "
            + op.opcodeIndex() + " of " + model.operatorCodesLength());
      }
      String name = opName(op);
      if (Set.of("WHILE", "IF", "CALL_ONCE").contains(name)) {
        control.add(name);
      }
      boolean known = name.startsWith("custom:") ? CUSTOM_OPS.contains(name.substring(7)) : OPS.contains(name);
      if (!known) {
        missing.merge(name.startsWith("custom:") ? "custom op '" + name.substring(7) + "'" : name, 1, Integer::sum);
      }
    }
    if (!control.isEmpty()) {
      throw new BadInputException("TFLite model " + source + " has control flow (" + String.join(", ", control)
          + " over " + (model.subgraphsLength() - 1) + " more subgraphs), which hwc does not read");
    }
    if (!missing.isEmpty()) {
      StringBuilder s = new StringBuilder();
      missing.forEach((op, n) -> s.append(s.length() == 0 ? "" : ", ").append(op).append(" (").append(n)
          .append(n == 1 ? " node)" : " nodes)"));
      throw new BadInputException("TFLite model " + source + " uses ops hwc does not read: " + s
          + "; it reads " + String.join(", ", new java.util.TreeSet<>(OPS)) + " and the custom "
          + String.join(", ", CUSTOM_OPS));
    }
  }

  // ---- tensors

  private static int[] shape(org.tensorflow.lite.schema.Tensor t) {
    int[] s = new int[t.shapeLength()];
    for (int i = 0; i < s.length; i++) {
      s[i] = t.shape(i);
    }
    return s;
  }

  private long[] shapeOf(int t) {
    return Arrays.stream(shape(sg.tensors(t))).asLongStream().toArray();
  }

  private static boolean isInt(byte type) {
    return type == TensorType.INT8 || type == TensorType.UINT8 || type == TensorType.INT32 || type == TensorType.INT16;
  }

  private static boolean quantized(org.tensorflow.lite.schema.Tensor t) {
    QuantizationParameters q = t.quantization();
    return q != null && q.scaleLength() > 0;
  }

  private DType dtype(org.tensorflow.lite.schema.Tensor t) {
    return switch (t.type()) {
      case TensorType.FLOAT32 -> DType.FLOAT;
      case TensorType.FLOAT16 -> DType.FLOAT16;
      case TensorType.INT8 -> DType.INT8;
      case TensorType.UINT8 -> DType.UINT8;
      case TensorType.INT16 -> DType.INT16;
      case TensorType.INT32 -> DType.INT32;
      case TensorType.INT64 -> DType.INT64;
      case TensorType.BOOL -> DType.BOOL;
      default -> throw new BadInputException("TFLite model " + source + ": tensor '" + t.name() + "' has type "
          + TensorType.name(t.type()) + ", which hwc does not read");
    };
  }

  /** The raw data of a constant tensor, or null when it has none (an activation). */
  private byte[] data(int t) {
    org.tensorflow.lite.schema.Tensor tt = sg.tensors(t);
    long b = tt.buffer();
    if (b <= 0 || b >= model.buffersLength()) {
      return null;
    }
    org.tensorflow.lite.schema.Buffer buf = model.buffers((int) b);
    if (buf == null || buf.dataLength() == 0) {
      return null;
    }
    if (buf.dataLength() < 0) {
      throw new BadInputException("TFLite model " + source + ": buffer " + b + " has a negative length (corrupt flatbuffer)");
    }
    ByteBuffer bb = buf.dataAsByteBuffer();
    byte[] out = new byte[buf.dataLength()];
    bb.duplicate().get(out);
    long want = dtype(tt).byteSize;
    for (int d : shape(tt)) {
      want = want > out.length ? want : want * d; // stops growing past the data's size: no overflow
    }
    if (want != out.length) {
      throw new BadInputException("TFLite model " + source + ": tensor '" + tt.name() + "' holds " + out.length
          + " bytes, its shape " + Arrays.toString(shape(tt)) + " needs " + want);
    }
    return out;
  }

  /** The constant value of a tensor as the IR sees it: float for fp16 behind DEQUANTIZE, raw otherwise. */
  private Tensor constantTensor(int t) {
    byte[] d = data(t);
    if (d == null) {
      return null;
    }
    org.tensorflow.lite.schema.Tensor tt = sg.tensors(t);
    return Tensor.ofBytes(dtype(tt), shapeOf(t), d);
  }

  private boolean isConstant(int t) {
    return t >= 0 && data(t) != null || t >= 0 && foldedFp16.containsKey(t);
  }

  /** fp16 constants that a DEQUANTIZE turned into float: the float tensor's index -> the values. */
  private final Map<Integer, Tensor> foldedFp16 = new HashMap<>();

  /** The float values of a constant tensor (fp16 folded, int8 dequantized), or null. */
  private Tensor floatConstant(int t) {
    if (foldedFp16.containsKey(t)) {
      return foldedFp16.get(t);
    }
    Tensor raw = constantTensor(t);
    if (raw == null) {
      return null;
    }
    if (raw.dtype() == DType.FLOAT) {
      return raw;
    }
    if (raw.dtype() == DType.FLOAT16) {
      return Tensor.fromDoubles(DType.FLOAT, raw.shape(), raw.toDoubles());
    }
    return null;
  }

  // ---- values and layouts

  private String unique(String base) {
    String n = base;
    for (int i = 2; used.contains(n); i++) {
      n = base + "_" + i;
    }
    used.add(n);
    return n;
  }

  private String node(String op, Attributes a, List<String> inputs, String output) {
    e.addNode(new Node(unique(output + "_" + op.toLowerCase(java.util.Locale.ROOT)), op, inputs, List.of(output), a));
    return output;
  }

  private String constant(String hint, Tensor t) {
    String n = unique(hint);
    e.putInitializer(n, t);
    return n;
  }

  /**
   * The IR value of tensor t: in NCHW when {@code wantNchw} (rank 4 only), else in the model's own
   * layout; a missing one is made by one Transpose, or for a constant by permuting its data.
   */
  private String value(int t, boolean wantNchw) {
    if (t < 0) {
      return "";
    }
    boolean rank4 = shapeOf(t).length == 4;
    boolean nchwWanted = wantNchw && rank4;
    Map<Integer, String> have = nchwWanted ? nchw : own;
    if (have.containsKey(t)) {
      return have.get(t);
    }
    if (!own.containsKey(t) && !nchw.containsKey(t)) {
      constantValue(t);
      return value(t, wantNchw);
    }
    Map<Integer, String> other = nchwWanted ? own : nchw;
    String src = other.get(t);
    String out = unique(names.get(t) + (nchwWanted ? "_nchw" : "_nhwc"));
    node("Transpose", Attributes.of("perm", nchwWanted ? TO_NCHW : TO_NHWC), List.of(src), out);
    have.put(t, out);
    return out;
  }

  /** Makes the IR value(s) of a constant tensor: float data as an initializer, quantized data behind DequantizeLinear. */
  private void constantValue(int t) {
    org.tensorflow.lite.schema.Tensor tt = sg.tensors(t);
    Tensor f = floatConstant(t);
    if (f != null) {
      own.put(t, constant(names.get(t), f));
      if (f.rank() == 4) {
        nchw.put(t, constant(names.get(t) + "_nchw", permute(f, TO_NCHW)));
      }
      return;
    }
    Tensor raw = constantTensor(t);
    if (raw == null) {
      throw new BadInputException("TFLite model " + source + ": tensor '" + tt.name() + "' is read before any op writes it");
    }
    if (quantized(tt)) {
      String q = constant(names.get(t) + "_quantized", raw);
      own.put(t, dequantize(q, tt, names.get(t)));
      return;
    }
    own.put(t, constant(names.get(t), raw));
  }

  /** DequantizeLinear(x, scale, zero point[, axis]) of a tensor's quantization; returns out. */
  private String dequantize(String x, org.tensorflow.lite.schema.Tensor tt, String out) {
    List<String> qp = qparams(tt, out);
    Attributes a = tt.quantization().scaleLength() > 1
        ? Attributes.of("axis", (long) tt.quantization().quantizedDimension()) : Attributes.EMPTY;
    return node("DequantizeLinear", a, List.of(x, qp.get(0), qp.get(1)), unique(out));
  }

  private String quantize(String x, org.tensorflow.lite.schema.Tensor tt, String out) {
    List<String> qp = qparams(tt, out);
    if (tt.quantization().scaleLength() > 1) {
      throw new BadInputException("TFLite model " + source + ": activation '" + tt.name() + "' is quantized per axis");
    }
    return node("QuantizeLinear", Attributes.EMPTY, List.of(x, qp.get(0), qp.get(1)), out);
  }

  private List<String> qparams(org.tensorflow.lite.schema.Tensor tt, String hint) {
    QuantizationParameters q = tt.quantization();
    int n = q.scaleLength();
    float[] s = new float[n];
    for (int i = 0; i < n; i++) {
      s[i] = q.scale(i);
    }
    long[] zp = new long[n];
    for (int i = 0; i < n && i < q.zeroPointLength(); i++) {
      zp[i] = q.zeroPoint(i);
    }
    DType zt = dtype(tt);
    long[] shape = n == 1 ? new long[0] : new long[] {n};
    Tensor scale = Tensor.ofFloats(shape, s);
    double[] z = Arrays.stream(zp).asDoubleStream().toArray();
    Tensor zero = Tensor.fromDoubles(zt, shape, z);
    return List.of(constant(hint + "_scale", scale), constant(hint + "_zero_point", zero));
  }

  /** Binds the float result {@code v} (in NCHW or the own layout) to tensor t, adding Q/DQ for quantized tensors. */
  private void bind(int t, String v, boolean isNchw) {
    org.tensorflow.lite.schema.Tensor tt = sg.tensors(t);
    String out = v;
    if (quantized(tt) && isInt(tt.type())) {
      String q = quantize(v, tt, unique(names.get(t) + "_q"));
      out = dequantize(q, tt, names.get(t) + (isNchw ? "_nchw_dq" : "_dq"));
    }
    (isNchw && shapeOf(t).length == 4 ? nchw : own).put(t, out);
  }

  /** The output value name for tensor t's float result (before any Q/DQ). */
  private String outName(int t, boolean isNchw) {
    org.tensorflow.lite.schema.Tensor tt = sg.tensors(t);
    String base = names.get(t);
    boolean q = quantized(tt) && isInt(tt.type());
    return used.contains(base) || q || isNchw && shapeOf(t).length == 4
        ? unique(base + (isNchw && shapeOf(t).length == 4 ? "_nchw" : "") + (q ? "_float" : "")) : useName(base);
  }

  private String useName(String n) {
    used.add(n);
    return n;
  }

  /** Applies a fused activation to v; returns the value that holds the result. */
  private String activation(byte act, String v, String out, Operator op) {
    return switch (act) {
      case ActivationFunctionType.NONE -> v;
      case ActivationFunctionType.RELU -> node("Relu", Attributes.EMPTY, List.of(v), out);
      case ActivationFunctionType.RELU6 -> clip(v, 0, 6, out);
      case ActivationFunctionType.RELU_N1_TO_1 -> clip(v, -1, 1, out);
      case ActivationFunctionType.TANH -> node("Tanh", Attributes.EMPTY, List.of(v), out);
      default -> throw new BadInputException("TFLite model " + source + ": fused activation "
          + ActivationFunctionType.name(act) + " of " + opName(op) + " is not read");
    };
  }

  private String clip(String v, float lo, float hi, String out) {
    return node("Clip", Attributes.EMPTY, List.of(v, constant(out + "_min", Tensor.scalar(lo)),
        constant(out + "_max", Tensor.scalar(hi))), out);
  }

  /** Runs {@code body} to a raw output name, then applies the fused activation and binds t. */
  private void emit(int t, boolean isNchw, byte act, Operator op, java.util.function.Function<String, String> body) {
    String out = outName(t, isNchw);
    if (act == ActivationFunctionType.NONE) {
      bind(t, body.apply(out), isNchw);
      return;
    }
    String pre = unique(out + "_preact");
    String v = body.apply(pre);
    bind(t, activation(act, v, out, op), isNchw);
  }

  // ---- ops

  private int in(Operator op, int i) {
    return i < op.inputsLength() ? op.inputs(i) : -1;
  }

  private void op(Operator op, int index) {
    String name = opName(op);
    int out = op.outputs(0);
    switch (name) {
      case "CONV_2D" -> conv(op, false);
      case "DEPTHWISE_CONV_2D" -> conv(op, true);
      case "TRANSPOSE_CONV" -> transposeConv(op, in(op, 2), in(op, 1), in(op, 3), in(op, 0));
      case "custom:Convolution2DTransposeBias" -> mediapipeTransposeConv(op);
      case "custom:MaxPoolingWithArgmax2D" -> mediapipeMaxPoolArgmax(op);
      case "custom:MaxUnpooling2D" -> mediapipeMaxUnpool(op);
      case "FULLY_CONNECTED" -> fullyConnected(op);
      case "ADD" -> binary(op, "Add", addAct(op));
      case "SUB" -> binary(op, "Sub", subAct(op));
      case "MUL" -> binary(op, "Mul", mulAct(op));
      case "DIV" -> binary(op, "Div", divAct(op));
      case "MAXIMUM" -> binary(op, "Max", ActivationFunctionType.NONE);
      case "MINIMUM" -> binary(op, "Min", ActivationFunctionType.NONE);
      case "PRELU" -> binary(op, "PRelu", ActivationFunctionType.NONE);
      case "RELU" -> unary(op, "Relu", Attributes.EMPTY);
      case "LOGISTIC" -> unary(op, "Sigmoid", Attributes.EMPTY);
      case "TANH" -> unary(op, "Tanh", Attributes.EMPTY);
      case "HARD_SWISH" -> unary(op, "HardSwish", Attributes.EMPTY);
      case "LEAKY_RELU" -> {
        LeakyReluOptions o = (LeakyReluOptions) op.builtinOptions(new LeakyReluOptions());
        unary(op, "LeakyRelu", Attributes.of("alpha", o == null ? 0.2f : o.alpha()));
      }
      case "RELU6", "RELU_N1_TO_1" -> {
        boolean n = layoutOf(in(op, 0));
        float lo = name.equals("RELU6") ? 0 : -1;
        float hi = name.equals("RELU6") ? 6 : 1;
        emit(out, n, ActivationFunctionType.NONE, op, o -> clip(value(in(op, 0), n), lo, hi, o));
      }
      case "SOFTMAX" -> softmax(op);
      case "MAX_POOL_2D" -> pool(op, "MaxPool");
      case "AVERAGE_POOL_2D" -> pool(op, "AveragePool");
      case "MEAN" -> mean(op);
      case "CONCATENATION" -> concat(op);
      case "RESHAPE", "SQUEEZE" -> reshape(op);
      case "PAD", "PADV2" -> pad(op);
      case "RESIZE_BILINEAR" -> resize(op, true);
      case "RESIZE_NEAREST_NEIGHBOR" -> resize(op, false);
      case "DEQUANTIZE" -> dequantizeOp(op);
      case "QUANTIZE" -> quantizeOp(op);
      case "TRANSPOSE" -> transpose(op);
      default -> throw new IllegalStateException("op " + name + " passed the check but has no rule");
    }
  }

  private byte addAct(Operator op) {
    var o = (org.tensorflow.lite.schema.AddOptions) op.builtinOptions(new org.tensorflow.lite.schema.AddOptions());
    return o == null ? 0 : o.fusedActivationFunction();
  }

  private byte subAct(Operator op) {
    var o = (org.tensorflow.lite.schema.SubOptions) op.builtinOptions(new org.tensorflow.lite.schema.SubOptions());
    return o == null ? 0 : o.fusedActivationFunction();
  }

  private byte mulAct(Operator op) {
    var o = (org.tensorflow.lite.schema.MulOptions) op.builtinOptions(new org.tensorflow.lite.schema.MulOptions());
    return o == null ? 0 : o.fusedActivationFunction();
  }

  private byte divAct(Operator op) {
    var o = (org.tensorflow.lite.schema.DivOptions) op.builtinOptions(new org.tensorflow.lite.schema.DivOptions());
    return o == null ? 0 : o.fusedActivationFunction();
  }

  /** True when tensor t is (already) held in NCHW. */
  private boolean layoutOf(int t) {
    return nchw.containsKey(t) && !own.containsKey(t);
  }

  private void unary(Operator op, String irOp, Attributes a) {
    int x = in(op, 0);
    boolean n = layoutOf(x);
    emit(op.outputs(0), n, ActivationFunctionType.NONE, op, o -> node(irOp, a, List.of(value(x, n)), o));
  }

  /** Elementwise with broadcasting: in the layout of the first rank-4 activation; constants follow. */
  private void binary(Operator op, String irOp, byte act) {
    int a = in(op, 0);
    int b = in(op, 1);
    int out = op.outputs(0);
    boolean n = shapeOf(out).length == 4 && (layoutOf(a) || layoutOf(b)) && rankOk(a) && rankOk(b);
    emit(out, n, act, op, o -> node(irOp, Attributes.EMPTY, List.of(operand(a, n), operand(b, n)), o));
  }

  /** In NCHW, an operand of rank below 4 must be a constant (broadcast from the right in NHWC). */
  private boolean rankOk(int t) {
    return shapeOf(t).length == 4 || isConstant(t);
  }

  private String operand(int t, boolean nchwLayout) {
    if (!nchwLayout || shapeOf(t).length == 4) {
      return value(t, nchwLayout);
    }
    // a constant of rank < 4 meeting an NCHW tensor: as NHWC [1,..,c] then permuted
    Tensor f = floatConstant(t);
    if (f == null) {
      return value(t, false);
    }
    long[] s = f.shape();
    long[] four = new long[4];
    Arrays.fill(four, 1);
    System.arraycopy(s, 0, four, 4 - s.length, s.length);
    return constant(names.get(t) + "_nchw", permute(f.reshape(four), TO_NCHW));
  }

  /** The operator's builtin options, which this op cannot be read without (one line when absent). */
  @SuppressWarnings("unchecked")
  private <T extends com.google.flatbuffers.Table> T required(Operator op, T empty) {
    com.google.flatbuffers.Table t = op.builtinOptions(empty);
    if (t == null) {
      throw new BadInputException("TFLite model " + source + ": an operator lacks its " + empty.getClass().getSimpleName()
          + " (corrupt flatbuffer)");
    }
    return (T) t;
  }

  private long[] pads(byte padding, long[] inNhwc, long[] k, long[] s, long[] d) {
    for (int i = 0; i < 2; i++) {
      if (k[i] < 1 || s[i] < 1 || d[i] < 1) {
        throw new BadInputException("TFLite model " + source + ": a window op has kernel " + Arrays.toString(k)
            + ", stride " + Arrays.toString(s) + " and dilation " + Arrays.toString(d) + " (each must be at least 1)");
      }
    }
    if (padding == Padding.VALID) {
      return new long[] {0, 0, 0, 0};
    }
    long[] out = new long[4];
    for (int i = 0; i < 2; i++) {
      long in = inNhwc[1 + i];
      long eff = (k[i] - 1) * d[i] + 1;
      long o = (in + s[i] - 1) / s[i];
      long total = Math.max((o - 1) * s[i] + eff - in, 0);
      out[i] = total / 2;
      out[2 + i] = total - total / 2;
    }
    return out;
  }

  private void conv(Operator op, boolean depthwise) {
    int x = in(op, 0);
    int w = in(op, 1);
    int b = in(op, 2);
    int out = op.outputs(0);
    long[] ws = shapeOf(w);
    long[] xs = shapeOf(x);
    byte padding;
    byte act;
    long[] s;
    long[] d;
    if (depthwise) {
      DepthwiseConv2DOptions o = required(op, new DepthwiseConv2DOptions());
      padding = o.padding();
      act = o.fusedActivationFunction();
      s = new long[] {o.strideH(), o.strideW()};
      d = new long[] {Math.max(1, o.dilationHFactor()), Math.max(1, o.dilationWFactor())};
    } else {
      Conv2DOptions o = required(op, new Conv2DOptions());
      padding = o.padding();
      act = o.fusedActivationFunction();
      s = new long[] {o.strideH(), o.strideW()};
      d = new long[] {Math.max(1, o.dilationHFactor()), Math.max(1, o.dilationWFactor())};
    }
    long[] k = {ws[1], ws[2]};
    long[] p = pads(padding, xs, k, s, d);
    // filters: CONV_2D OHWI -> OIHW; DEPTHWISE 1HW(C*m) -> (C*m)1HW
    String wv = weight(w, depthwise ? new long[] {3, 0, 1, 2} : new long[] {0, 3, 1, 2}, depthwise ? 0 : -1);
    String bv = b >= 0 ? weight(b, null, -1) : null;
    long group = depthwise ? xs[3] : 1;
    if (!depthwise && xs[3] != ws[3]) {
      group = xs[3] / ws[3]; // grouped CONV_2D (TFLite v5+): filter holds in/group channels
    }
    Attributes a = Attributes.of("kernel_shape", k, "strides", s, "pads", p, "dilations", d, "group", group);
    List<String> ins = new ArrayList<>(List.of(value(x, true), wv));
    if (bv != null) {
      ins.add(bv);
    }
    emit(out, true, act, op, o -> node("Conv", a, ins, o));
  }

  /**
   * A constant weight for a layout-changing op: float (fp16 folded) permuted by perm, or quantized
   * data permuted and dequantized (per-axis axis mapped). perm null keeps the layout.
   */
  private String weight(int t, long[] perm, int axisAfter) {
    org.tensorflow.lite.schema.Tensor tt = sg.tensors(t);
    Tensor f = floatConstant(t);
    if (f != null) {
      return constant(names.get(t) + (perm == null ? "" : "_ir"), perm == null ? f : permute(f, perm));
    }
    Tensor raw = constantTensor(t);
    if (raw == null) {
      throw new BadInputException("TFLite model " + source + ": weights '" + tt.name() + "' are not constant; hwc reads"
          + " constant filters only");
    }
    if (!quantized(tt)) {
      return constant(names.get(t), perm == null ? raw : permute(raw, perm));
    }
    Tensor data = perm == null ? raw : permute(raw, perm);
    String q = constant(names.get(t) + "_quantized", data);
    List<String> qp = qparams(tt, names.get(t));
    Attributes a = Attributes.EMPTY;
    if (tt.quantization().scaleLength() > 1) {
      int dim = tt.quantization().quantizedDimension();
      int mapped = dim;
      if (perm != null) {
        for (int j = 0; j < perm.length; j++) {
          if (perm[j] == dim) {
            mapped = j;
          }
        }
      }
      a = Attributes.of("axis", (long) (axisAfter >= 0 ? axisAfter : mapped));
    }
    return node("DequantizeLinear", a, List.of(q, qp.get(0), qp.get(1)), unique(names.get(t) + "_ir"));
  }

  private void transposeConv(Operator op, int x, int w, int b, int outShape) {
    TransposeConvOptions o = (TransposeConvOptions) op.builtinOptions(new TransposeConvOptions());
    byte padding = o == null ? Padding.SAME : o.padding();
    long[] s = o == null ? new long[] {1, 1} : new long[] {o.strideH(), o.strideW()};
    byte act = o == null ? 0 : o.fusedActivationFunction();
    transposeConvWith(op, x, w, b, padding, s, act);
  }

  /**
   * TRANSPOSE_CONV: filter [O, kh, kw, I]; output size from the output tensor. ONNX ConvTranspose
   * weight is [I, O, kh, kw]; the pads are what makes the stated output size (TF puts the extra
   * padding after: total = (in-1)*s + k - out, begin = total/2).
   */
  private void transposeConvWith(Operator op, int x, int w, int b, byte padding, long[] s, byte act) {
    int out = op.outputs(0);
    long[] ws = shapeOf(w);
    long[] xs = shapeOf(x);
    long[] os = shapeOf(out);
    long[] k = {ws[1], ws[2]};
    long[] p = new long[4];
    for (int i = 0; i < 2; i++) {
      long total = (xs[1 + i] - 1) * s[i] + k[i] - os[1 + i];
      if (total < 0) {
        throw new BadInputException("TFLite model " + source + ": transposed conv '" + names.get(out)
            + "' states an output larger than its kernel and stride make");
      }
      p[i] = total / 2;
      p[2 + i] = total - total / 2;
    }
    String wv = weight(w, new long[] {3, 0, 1, 2}, 1);
    List<String> ins = new ArrayList<>(List.of(value(x, true), wv));
    if (b >= 0) {
      ins.add(weight(b, null, -1));
    }
    Attributes a = Attributes.of("kernel_shape", k, "strides", s, "pads", p);
    emit(out, true, act, op, o -> node("ConvTranspose", a, ins, o));
  }

  /**
   * MediaPipe's Convolution2DTransposeBias: inputs (x, filter [O, kh, kw, I], bias [O]); its custom
   * options are TFLite's TfLiteTransposeConvParams struct as raw bytes (padding enum, stride width,
   * stride height: three int32), with TfLitePadding 1 = SAME, 2 = VALID.
   */
  private void mediapipeTransposeConv(Operator op) {
    ByteBuffer opts = op.customOptionsAsByteBuffer();
    if (opts == null || op.customOptionsLength() < 12) {
      throw new BadInputException("TFLite model " + source + ": Convolution2DTransposeBias has no transpose-conv params");
    }
    ByteBuffer bb = opts.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int pad = bb.getInt();
    int sw = bb.getInt();
    int sh = bb.getInt();
    byte padding = pad == 2 ? Padding.VALID : Padding.SAME;
    transposeConvWith(op, in(op, 0), in(op, 1), in(op, 2), padding, new long[] {sh, sw}, ActivationFunctionType.NONE);
  }

  /**
   * The TfLitePoolParams struct MediaPipe's pooling custom ops carry as raw custom options: padding
   * (TfLitePadding: 1 SAME, 2 VALID), stride width, stride height, filter width, filter height (int32).
   */
  private int[] poolParams(Operator op, String what) {
    ByteBuffer opts = op.customOptionsAsByteBuffer();
    if (opts == null || op.customOptionsLength() < 20) {
      throw new BadInputException("TFLite model " + source + ": " + what + " has no pooling params");
    }
    ByteBuffer bb = opts.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int[] p = new int[5];
    for (int i = 0; i < 5; i++) {
      p[i] = bb.getInt();
    }
    return p;
  }

  /** MaxPoolingWithArgmax2D: outputs (values, argmax) -> MaxPool with both outputs. */
  private void mediapipeMaxPoolArgmax(Operator op) {
    int[] p = poolParams(op, "MaxPoolingWithArgmax2D");
    int x = in(op, 0);
    long[] k = {p[4], p[3]};
    long[] s = {p[2], p[1]};
    long[] pads = pads(p[0] == 2 ? Padding.VALID : Padding.SAME, shapeOf(x), k, s, new long[] {1, 1});
    int values = op.outputs(0);
    int argmax = op.outputs(1);
    String v = outName(values, true);
    String i = outName(argmax, true);
    e.addNode(new Node(unique(v + "_maxpool"), "MaxPool", List.of(value(x, true)), List.of(v, i),
        Attributes.of("kernel_shape", k, "strides", s, "pads", pads)));
    bind(values, v, true);
    nchw.put(argmax, i);
  }

  /** MaxUnpooling2D: inputs (values, argmax) -> MaxUnpool to the output tensor's size. */
  private void mediapipeMaxUnpool(Operator op) {
    int[] p = poolParams(op, "MaxUnpooling2D");
    int x = in(op, 0);
    int idx = in(op, 1);
    if (!nchw.containsKey(idx)) {
      throw new BadInputException("TFLite model " + source + ": MaxUnpooling2D reads indices that no"
          + " MaxPoolingWithArgmax2D of this model wrote");
    }
    int out = op.outputs(0);
    long[] os = shapeOf(out);
    long[] k = {p[4], p[3]};
    long[] s = {p[2], p[1]};
    String sizes = constant(names.get(out) + "_output_shape", Tensor.vector(os[0], os[3], os[1], os[2]));
    emit(out, true, ActivationFunctionType.NONE, op, name -> node("MaxUnpool",
        Attributes.of("kernel_shape", k, "strides", s), List.of(value(x, true), nchw.get(idx), sizes), name));
  }

  private void fullyConnected(Operator op) {
    FullyConnectedOptions o = (FullyConnectedOptions) op.builtinOptions(new FullyConnectedOptions());
    int x = in(op, 0);
    int w = in(op, 1);
    int b = in(op, 2);
    int out = op.outputs(0);
    long[] ws = shapeOf(w);
    long[] xs = shapeOf(x);
    long[] os = shapeOf(out);
    String xv = value(x, false);
    if (xs.length != 2 || xs[1] != ws[1]) {
      xv = node("Reshape", Attributes.EMPTY, List.of(xv, constant(names.get(out) + "_in_shape",
          Tensor.vector(-1, ws[1]))), unique(names.get(out) + "_in_2d"));
    }
    String wv = weight(w, null, -1);
    List<String> ins = new ArrayList<>(List.of(xv, wv));
    if (b >= 0) {
      ins.add(weight(b, null, -1));
    }
    byte act = o == null ? 0 : o.fusedActivationFunction();
    boolean reshapeAfter = os.length != 2;
    String xin = xv;
    emit(out, false, act, op, oname -> {
      if (!reshapeAfter) {
        return node("Gemm", Attributes.of("transB", 1L), ins, oname);
      }
      String g = node("Gemm", Attributes.of("transB", 1L), ins, unique(oname + "_2d"));
      return node("Reshape", Attributes.EMPTY, List.of(g, constant(oname + "_shape", Tensor.vector(os))), oname);
    });
  }

  private void softmax(Operator op) {
    SoftmaxOptions o = (SoftmaxOptions) op.builtinOptions(new SoftmaxOptions());
    float beta = o == null ? 1f : o.beta();
    int x = in(op, 0);
    emit(op.outputs(0), false, ActivationFunctionType.NONE, op, out -> {
      String v = value(x, false);
      if (beta != 1f) {
        v = node("Mul", Attributes.EMPTY, List.of(v, constant(out + "_beta", Tensor.scalar(beta))), unique(out + "_scaled"));
      }
      return node("Softmax", Attributes.of("axis", -1L), List.of(v), out);
    });
  }

  private void pool(Operator op, String irOp) {
    Pool2DOptions o = required(op, new Pool2DOptions());
    int x = in(op, 0);
    long[] k = {o.filterHeight(), o.filterWidth()};
    long[] s = {o.strideH(), o.strideW()};
    long[] p = pads(o.padding(), shapeOf(x), k, s, new long[] {1, 1});
    Attributes a = Attributes.of("kernel_shape", k, "strides", s, "pads", p);
    emit(op.outputs(0), true, o.fusedActivationFunction(), op, out -> node(irOp, a, List.of(value(x, true)), out));
  }

  private long[] intConstant(int t, String what) {
    Tensor c = constantTensor(t);
    if (c == null) {
      throw new BadInputException("TFLite model " + source + ": " + what + " must be a constant");
    }
    return c.toLongs();
  }

  private void mean(Operator op) {
    ReducerOptions o = (ReducerOptions) op.builtinOptions(new ReducerOptions());
    int x = in(op, 0);
    long[] axes = intConstant(in(op, 1), "the axes of MEAN");
    int rank = shapeOf(x).length;
    boolean keep = o != null && o.keepDims();
    long[] a = Arrays.stream(axes).map(v -> v < 0 ? v + rank : v).sorted().toArray();
    // in NCHW when the result keeps rank 4, or when it drops H and W: [N, C] has one element order in both
    boolean n = rank == 4 && (keep || Arrays.equals(a, new long[] {1, 2}));
    long[] irAxes = n ? Arrays.stream(a).map(v -> TO_NHWC[(int) v]).toArray() : a;
    emit(op.outputs(0), n, ActivationFunctionType.NONE, op, out -> node("ReduceMean",
        Attributes.of("axes", irAxes, "keepdims", keep ? 1L : 0L), List.of(value(x, n)), out));
  }

  private void concat(Operator op) {
    ConcatenationOptions o = required(op, new ConcatenationOptions());
    int out = op.outputs(0);
    int rank = shapeOf(out).length;
    boolean n = rank == 4;
    long axis = o.axis() < 0 ? o.axis() + rank : o.axis();
    long irAxis = n ? TO_NHWC[(int) axis] : axis;
    List<String> ins = new ArrayList<>();
    for (int i = 0; i < op.inputsLength(); i++) {
      ins.add(value(op.inputs(i), n));
    }
    emit(out, n, o.fusedActivationFunction(), op, name -> node("Concat", Attributes.of("axis", irAxis), ins, name));
  }

  private void reshape(Operator op) {
    int x = in(op, 0);
    int out = op.outputs(0);
    long[] target = shapeOf(out);
    emit(out, false, ActivationFunctionType.NONE, op, name -> node("Reshape", Attributes.EMPTY,
        List.of(value(x, false), constant(name + "_shape", Tensor.vector(target))), name));
  }

  private void pad(Operator op) {
    int x = in(op, 0);
    long[] p = intConstant(in(op, 1), "the paddings of PAD");
    int rank = shapeOf(x).length;
    boolean n = rank == 4;
    long[] onnx = new long[2 * rank];
    for (int i = 0; i < rank; i++) {
      int src = n ? (int) TO_NCHW[i] : i;
      onnx[i] = p[2 * src];
      onnx[rank + i] = p[2 * src + 1];
    }
    List<String> ins = new ArrayList<>(List.of(value(x, n), constant(names.get(out(op)) + "_pads", Tensor.vector(onnx))));
    int v = in(op, 2);
    if (v >= 0) {
      Tensor c = floatConstant(v);
      if (c == null) {
        throw new BadInputException("TFLite model " + source + ": PADV2's value must be a float constant");
      }
      ins.add(constant(names.get(out(op)) + "_value", Tensor.scalar((float) c.getDouble(0))));
    }
    emit(out(op), n, ActivationFunctionType.NONE, op, name -> node("Pad", Attributes.of("mode", "constant"), ins, name));
  }

  private int out(Operator op) {
    return op.outputs(0);
  }

  private void resize(Operator op, boolean bilinear) {
    int x = in(op, 0);
    int out = op.outputs(0);
    boolean align;
    boolean half;
    if (bilinear) {
      ResizeBilinearOptions o = (ResizeBilinearOptions) op.builtinOptions(new ResizeBilinearOptions());
      align = o != null && o.alignCorners();
      half = o != null && o.halfPixelCenters();
    } else {
      ResizeNearestNeighborOptions o = (ResizeNearestNeighborOptions) op.builtinOptions(new ResizeNearestNeighborOptions());
      align = o != null && o.alignCorners();
      half = o != null && o.halfPixelCenters();
    }
    long[] os = shapeOf(out);
    long[] sizes = {os[0], os[3], os[1], os[2]};
    String mode = align ? "align_corners" : half ? "half_pixel" : "asymmetric";
    Attributes a = bilinear
        ? Attributes.of("mode", "linear", "coordinate_transformation_mode", mode)
        : Attributes.of("mode", "nearest", "coordinate_transformation_mode", mode,
            "nearest_mode", align || half ? "round_prefer_ceil" : "floor");
    emit(out, true, ActivationFunctionType.NONE, op, name -> node("Resize", a,
        List.of(value(x, true), "", "", constant(name + "_sizes", Tensor.vector(sizes))), name));
  }

  /** DEQUANTIZE: fp16 constants fold to float; a quantized tensor's IR value is already its float value. */
  private void dequantizeOp(Operator op) {
    int x = in(op, 0);
    int out = op.outputs(0);
    org.tensorflow.lite.schema.Tensor xt = sg.tensors(x);
    if (xt.type() == TensorType.FLOAT16) {
      Tensor c = constantTensor(x);
      if (c == null) {
        throw new BadInputException("TFLite model " + source + ": DEQUANTIZE of a float16 activation is not read");
      }
      foldedFp16.put(out, Tensor.fromDoubles(DType.FLOAT, c.shape(), c.toDoubles()));
      return; // made on first use
    }
    boolean n = layoutOf(x);
    String v = value(x, n);
    String name = outName(out, n);
    (n ? nchw : own).put(out, node("Identity", Attributes.EMPTY, List.of(v), name));
  }

  /** QUANTIZE: float to int8 (or int8 to int8 with new params): the output's Q/DQ says it. */
  private void quantizeOp(Operator op) {
    int x = in(op, 0);
    boolean n = layoutOf(x);
    emit(op.outputs(0), n, ActivationFunctionType.NONE, op, name -> node("Identity", Attributes.EMPTY,
        List.of(value(x, n)), name));
  }

  private void transpose(Operator op) {
    int x = in(op, 0);
    long[] perm = intConstant(in(op, 1), "the permutation of TRANSPOSE");
    emit(op.outputs(0), false, ActivationFunctionType.NONE, op, name -> node("Transpose",
        Attributes.of("perm", perm), List.of(value(x, false)), name));
  }

  /** Permutes a tensor's axes: output dim j is input dim perm[j]. */
  static Tensor permute(Tensor t, long[] perm) {
    long[] s = t.shape();
    int rank = s.length;
    long[] os = new long[rank];
    for (int j = 0; j < rank; j++) {
      os[j] = s[(int) perm[j]];
    }
    long[] stride = new long[rank];
    long acc = 1;
    for (int d = rank - 1; d >= 0; d--) {
      stride[d] = acc;
      acc *= s[d];
    }
    int elem = t.dtype().byteSize;
    byte[] src = t.bytes();
    byte[] dst = new byte[src.length];
    int[] idx = new int[rank];
    for (long o = 0; o < acc; o++) {
      long from = 0;
      for (int j = 0; j < rank; j++) {
        from += idx[j] * stride[(int) perm[j]];
      }
      System.arraycopy(src, (int) (from * elem), dst, (int) (o * elem), elem);
      for (int j = rank - 1; j >= 0; j--) {
        if (++idx[j] < os[j]) {
          break;
        }
        idx[j] = 0;
      }
    }
    return Tensor.ofBytes(t.dtype(), os, dst);
  }
}

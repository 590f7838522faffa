package dev.hwc.backends.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.SessionOptions;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.onnx.OrtSession;
import dev.hwc.common.BadInputException;
import dev.hwc.compiler.frontend.Frontends;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Half;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.passes.Pipeline;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.AddOptions;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.ConcatenationOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.DepthwiseConv2DOptions;
import org.tensorflow.lite.schema.FullyConnectedOptions;
import org.tensorflow.lite.schema.FullyConnectedOptionsWeightsFormat;
import org.tensorflow.lite.schema.MulOptions;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.Pool2DOptions;
import org.tensorflow.lite.schema.ReducerOptions;
import org.tensorflow.lite.schema.ResizeBilinearOptions;
import org.tensorflow.lite.schema.SoftmaxOptions;
import org.tensorflow.lite.schema.TensorType;
import org.tensorflow.lite.schema.TransposeConvOptions;

/**
 * The TFLite frontend checked against the TFLite interpreter: a model is written as .tflite, run
 * on the interpreter, read into the IR, emitted as ONNX and run on ONNX Runtime; every output must
 * agree within 1e-4 (float). Re-targeting the IR to TFLite must add no TRANSPOSE.
 */
class TfliteFrontendTest {
  @TempDir Path dir;

  /** A small model writer over the backend's TflModel. */
  static final class Writer {
    final TflModel m = new TflModel();
    final Random r;
    final boolean fp16;

    Writer(long seed, boolean fp16) {
      this.r = new Random(seed);
      this.fp16 = fp16;
    }

    int act(String name, int... shape) {
      return m.activation(name, TensorType.FLOAT32, shape, null);
    }

    /** A float constant; in fp16 mode stored as FLOAT16 behind a DEQUANTIZE, as converters write fp16 models. */
    int weight(String name, double std, int... shape) {
      int n = 1;
      for (int s : shape) {
        n *= s;
      }
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = (float) (r.nextGaussian() * std);
      }
      if (!fp16) {
        ByteBuffer bb = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(v);
        return m.constant(name, TensorType.FLOAT32, shape, null, bb.array());
      }
      ByteBuffer bb = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
      for (float f : v) {
        bb.putShort(Half.fromFloat(f));
      }
      int h = m.constant(name + "_fp16", TensorType.FLOAT16, shape, null, bb.array());
      int f = act(name, shape);
      op(BuiltinOperator.DEQUANTIZE, TflModel.Options.NONE, new int[] {h}, f);
      return f;
    }

    int ints(String name, int... v) {
      ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      bb.asIntBuffer().put(v);
      return m.constant(name, TensorType.INT32, new int[] {v.length}, null, bb.array());
    }

    void op(int builtin, TflModel.Options o, int[] in, int out) {
      m.add(new TflModel.Op(builtin, 1, in, new int[] {out}, o, (byte) 0, "", ""));
    }

    byte[] finish(int[] in, int[] out) {
      for (int i : in) {
        m.inputs.add(i);
      }
      for (int o : out) {
        m.outputs.add(o);
      }
      return TflWriter.write(m);
    }
  }

  /**
   * A small segmenter with a classifier head, NHWC 24x24x3 in: conv (SAME, ReLU) -> depthwise
   * (stride 2, VALID after a PAD, ReLU6) -> max pool (SAME) -> conv 1x1 -> add of a per-channel
   * constant -> resize bilinear x4 (half-pixel) -> concat with the first conv -> conv -> LOGISTIC mask
   * [1,24,24,1]; and MEAN over H, W -> FULLY_CONNECTED -> SOFTMAX [1,4]; and a RESHAPE of the pooled
   * features to [1, 6*6*8] (the NHWC element order) -> FULLY_CONNECTED [1,2].
   */
  static byte[] segmenter(long seed, boolean fp16) {
    Writer w = new Writer(seed, fp16);
    int x = w.act("image", 1, 24, 24, 3);
    int c1 = w.act("conv1", 1, 24, 24, 8);
    w.op(BuiltinOperator.CONV_2D, new TflModel.Options(BuiltinOptions.Conv2DOptions,
        b -> Conv2DOptions.createConv2DOptions(b, Padding.SAME, 1, 1, ActivationFunctionType.RELU, 1, 1)),
        new int[] {x, w.weight("w1", 0.4, 8, 3, 3, 3), w.weight("b1", 0.1, 8)}, c1);
    int p = w.act("padded", 1, 25, 25, 8);
    w.op(BuiltinOperator.PAD, TflModel.Options.NONE, new int[] {c1, w.m.constant("paddings", TensorType.INT32,
        new int[] {4, 2}, null, intBytes(0, 0, 0, 1, 0, 1, 0, 0))}, p);
    int d = w.act("dw", 1, 12, 12, 8);
    w.op(BuiltinOperator.DEPTHWISE_CONV_2D, new TflModel.Options(BuiltinOptions.DepthwiseConv2DOptions,
        b -> DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, Padding.VALID, 2, 2, 1, ActivationFunctionType.RELU6, 1, 1)),
        new int[] {p, w.weight("wd", 0.4, 1, 3, 3, 8), w.weight("bd", 0.1, 8)}, d);
    int mp = w.act("pooled", 1, 6, 6, 8);
    w.op(BuiltinOperator.MAX_POOL_2D, new TflModel.Options(BuiltinOptions.Pool2DOptions,
        b -> Pool2DOptions.createPool2DOptions(b, Padding.SAME, 2, 2, 3, 3, ActivationFunctionType.NONE)), new int[] {d}, mp);
    int c2 = w.act("conv2", 1, 6, 6, 8);
    w.op(BuiltinOperator.CONV_2D, new TflModel.Options(BuiltinOptions.Conv2DOptions,
        b -> Conv2DOptions.createConv2DOptions(b, Padding.SAME, 1, 1, ActivationFunctionType.NONE, 1, 1)),
        new int[] {mp, w.weight("w2", 0.3, 8, 1, 1, 8), w.weight("b2", 0.1, 8)}, c2);
    int a = w.act("shifted", 1, 6, 6, 8);
    w.op(BuiltinOperator.ADD, new TflModel.Options(BuiltinOptions.AddOptions,
        b -> AddOptions.createAddOptions(b, ActivationFunctionType.RELU, false)), new int[] {c2, w.weight("shift", 0.5, 8)}, a);
    int up = w.act("up", 1, 24, 24, 8);
    w.op(BuiltinOperator.RESIZE_BILINEAR, new TflModel.Options(BuiltinOptions.ResizeBilinearOptions,
        b -> ResizeBilinearOptions.createResizeBilinearOptions(b, false, true)), new int[] {a, w.ints("size", 24, 24)}, up);
    int cat = w.act("joined", 1, 24, 24, 16);
    w.op(BuiltinOperator.CONCATENATION, new TflModel.Options(BuiltinOptions.ConcatenationOptions,
        b -> ConcatenationOptions.createConcatenationOptions(b, 3, ActivationFunctionType.NONE)), new int[] {up, c1}, cat);
    int logit = w.act("mask_logit", 1, 24, 24, 1);
    w.op(BuiltinOperator.CONV_2D, new TflModel.Options(BuiltinOptions.Conv2DOptions,
        b -> Conv2DOptions.createConv2DOptions(b, Padding.SAME, 1, 1, ActivationFunctionType.NONE, 1, 1)),
        new int[] {cat, w.weight("w3", 0.3, 1, 3, 3, 16), w.weight("b3", 0.1, 1)}, logit);
    int mask = w.act("mask", 1, 24, 24, 1);
    w.op(BuiltinOperator.LOGISTIC, TflModel.Options.NONE, new int[] {logit}, mask);
    // classifier head
    int mean = w.act("mean", 1, 8);
    w.op(BuiltinOperator.MEAN, new TflModel.Options(BuiltinOptions.ReducerOptions,
        b -> ReducerOptions.createReducerOptions(b, false)), new int[] {c2, w.ints("axes", 1, 2)}, mean);
    int fc = w.act("fc", 1, 4);
    w.op(BuiltinOperator.FULLY_CONNECTED, new TflModel.Options(BuiltinOptions.FullyConnectedOptions,
        b -> FullyConnectedOptions.createFullyConnectedOptions(b, ActivationFunctionType.NONE,
            FullyConnectedOptionsWeightsFormat.DEFAULT, false, false)),
        new int[] {mean, w.weight("fc_w", 0.5, 4, 8), w.weight("fc_b", 0.1, 4)}, fc);
    int probs = w.act("probs", 1, 4);
    w.op(BuiltinOperator.SOFTMAX, new TflModel.Options(BuiltinOptions.SoftmaxOptions,
        b -> SoftmaxOptions.createSoftmaxOptions(b, 1f)), new int[] {fc}, probs);
    // a flatten in NHWC element order, then a dense layer
    int flat = w.act("flat", 1, 288);
    w.op(BuiltinOperator.RESHAPE, TflModel.Options.NONE, new int[] {mp, w.ints("flat_shape", 1, 288)}, flat);
    int dense = w.act("dense", 1, 2);
    w.op(BuiltinOperator.FULLY_CONNECTED, new TflModel.Options(BuiltinOptions.FullyConnectedOptions,
        b -> FullyConnectedOptions.createFullyConnectedOptions(b, ActivationFunctionType.RELU_N1_TO_1,
            FullyConnectedOptionsWeightsFormat.DEFAULT, false, false)),
        new int[] {flat, w.weight("d_w", 0.02, 2, 288), w.weight("d_b", 0.1, 2)}, dense);
    return w.finish(new int[] {x}, new int[] {mask, probs, dense});
  }

  static byte[] intBytes(int... v) {
    ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bb.asIntBuffer().put(v);
    return bb.array();
  }

  /** Runs the .tflite on the interpreter and its IR (as ONNX) on ORT; returns the worst max abs diff over outputs. */
  private double tfliteVersusOrt(Path tflite, Graph g) throws Exception {
    Path onnx = dir.resolve(tflite.getFileName() + ".onnx");
    new OnnxEmitter().emit(g, onnx);
    Random r = new Random(8);
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (Value in : g.inputs()) {
      float[] v = new float[(int) in.shape().numElements()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextGaussian();
      }
      feed.put(in.name(), Tensor.ofFloats(in.shape().sizes(), v));
    }
    Map<String, Tensor> want;
    try (TfliteSession s = TfliteSession.open(tflite, SessionOptions.DEFAULT)) {
      want = s.run(feed);
    }
    Map<String, Tensor> got;
    try (OrtSession s = OrtSession.open(onnx, SessionOptions.DEFAULT)) {
      got = s.run(feed);
    }
    assertEquals(want.keySet(), got.keySet(), "output names");
    double worst = 0;
    for (String out : want.keySet()) {
      double d = maxAbsDiff(want.get(out), got.get(out));
      System.out.printf("  %s output %s: max abs diff %.3g%n", tflite.getFileName(), out, d);
      worst = Math.max(worst, d);
    }
    return worst;
  }

  static double maxAbsDiff(Tensor a, Tensor b) {
    assertTrue(java.util.Arrays.equals(a.shape(), b.shape()), java.util.Arrays.toString(a.shape()) + " vs "
        + java.util.Arrays.toString(b.shape()));
    double[] x = a.toDoubles();
    double[] y = b.toDoubles();
    double m = 0;
    for (int i = 0; i < x.length; i++) {
      m = Math.max(m, Math.abs(x[i] - y[i]));
    }
    return m;
  }

  @Test
  void floatAndFp16SegmentersMatchTheInterpreterOnOrtAndReTargetWithoutTranspose() throws Exception {
    for (boolean fp16 : new boolean[] {false, true}) {
      Path file = Files.write(dir.resolve(fp16 ? "seg_fp16.tflite" : "seg.tflite"), segmenter(3, fp16));
      Graph g = Frontends.read(file);
      assertEquals(List.of(), GraphValidator.validate(g));
      assertTrue(g.nodes().stream().noneMatch(n -> n.op().equals("Cast")), "fp16 weights folded to float constants");
      assertEquals(List.of("mask", "probs", "dense"), g.outputs().stream().map(Value::name).toList());
      double d = tfliteVersusOrt(file, g);
      System.out.printf("%s: %d IR nodes, worst max abs diff %.3g%n", file.getFileName(), g.nodes().size(), d);
      assertTrue(d <= 1e-4, file + ": " + d);

      TfliteLowering.Result back = TfliteLowering.lower(Pipeline.standard().run(g), TfliteLowering.Options.FLOAT);
      long transposes = back.model().count(BuiltinOperator.TRANSPOSE);
      System.out.printf("%s re-emitted to TFLite: %d ops, %d TRANSPOSE%n", file.getFileName(), back.model().ops.size(), transposes);
      assertEquals(0, transposes, "no TRANSPOSE inside the re-emitted graph");
      assertEquals(0, back.internalTransposes());
    }
  }

  /**
   * The float segmenter re-targeted to the Edge TPU (full-integer, int8 IO): no TRANSPOSE anywhere,
   * the NHWC input is quantized at the edge (int8, no QUANTIZE inside) and every op maps up to the
   * half-pixel RESIZE_BILINEAR (version 3; Coral's list takes version 2).
   */
  @Test
  void floatSegmenterReTargetedToTheEdgeTpuHasNoTranspose() throws Exception {
    Path file = Files.write(dir.resolve("seg.tflite"), segmenter(3, false));
    Graph g = EdgeTpuReportTest.optimized(Frontends.read(file));
    Graph q = EdgeTpuReportTest.qdq(g);
    TflModel m = TfliteLowering.lower(q, TfliteLowering.Options.FULL_INTEGER).model();
    EdgeTpuReport.Report r = EdgeTpuReport.analyze(m, q, EdgeTpuReportTest.EDGETPU);
    System.out.println(r.summary());
    assertEquals(0, m.count(BuiltinOperator.TRANSPOSE), "no TRANSPOSE in the Edge TPU model");
    assertEquals(TensorType.INT8, m.tensor(m.inputs.get(0)).type, "int8 input, quantized at the edge");
    assertEquals("RESIZE_BILINEAR", r.ops().get(r.splitIndex()).builtin(), r.summary());
    assertEquals(3, r.ops().get(r.splitIndex()).version());
    // conv, depthwise (the PAD folded into it), pool, conv, add, and the head's MEAN: all on the TPU before the split
    assertEquals(6, r.splitIndex(), r.summary());
    assertEquals(r.splitIndex(), r.opsOnTpu());
  }

  @Test
  void transposeConvAndMulMatchTheInterpreter() throws Exception {
    Writer w = new Writer(5, false);
    int x = w.act("x", 1, 5, 5, 4);
    int y = w.act("up", 1, 10, 10, 3);
    w.op(BuiltinOperator.TRANSPOSE_CONV, new TflModel.Options(BuiltinOptions.TransposeConvOptions,
        b -> TransposeConvOptions.createTransposeConvOptions(b, Padding.SAME, 2, 2, ActivationFunctionType.NONE)),
        new int[] {w.ints("out_shape", 1, 10, 10, 3), w.weight("wt", 0.3, 3, 3, 3, 4), x}, y);
    int z = w.act("scaled", 1, 10, 10, 3);
    w.op(BuiltinOperator.MUL, new TflModel.Options(BuiltinOptions.MulOptions,
        b -> MulOptions.createMulOptions(b, ActivationFunctionType.RELU6)), new int[] {y, w.weight("s", 1, 3)}, z);
    Path file = Files.write(dir.resolve("tconv.tflite"), w.finish(new int[] {x}, new int[] {z}));
    Graph g = Frontends.read(file);
    assertTrue(g.nodes().stream().anyMatch(n -> n.op().equals("ConvTranspose")));
    assertTrue(tfliteVersusOrt(file, g) <= 1e-4);
  }

  /**
   * A full-integer model as the TFLite converter writes one: int8 input, CONV_2D with per-channel
   * int8 weights and int32 bias (ReLU fused), AVERAGE_POOL_2D, int8 output. In the IR every
   * quantized tensor is QDQ; on ORT the int8 output must be within one step of the interpreter's.
   * The weights are 7-bit (-63..63): on x86 CPUs without VNNI, ONNX Runtime's U8S8 kernels sum pairs of
   * uint8 x int8 products in 16 bits (VPMADDUBSW) and saturate on full-range weights (22 steps off on
   * an AVX2-only machine), which is the runtime's documented limit, not the frontend's semantics.
   */
  @Test
  void int8ModelBecomesQdqAndAgreesWithinOneStep() throws Exception {
    TflModel m = new TflModel();
    TflModel.Quant inQ = TflModel.Quant.perTensor(0.05f, -3);
    TflModel.Quant outQ = TflModel.Quant.perTensor(0.04f, -128);
    int x = m.activation("x", TensorType.INT8, new int[] {1, 8, 8, 3}, inQ);
    Random r = new Random(2);
    byte[] wq = new byte[4 * 3 * 3 * 3];
    for (int i = 0; i < wq.length; i++) {
      wq[i] = (byte) (r.nextInt(127) - 63);
    }
    float[] ws = {0.004f, 0.003f, 0.005f, 0.002f};
    int w = m.constant("w", TensorType.INT8, new int[] {4, 3, 3, 3}, new TflModel.Quant(ws, new long[4], 0), wq);
    float[] bs = new float[4];
    int[] bias = new int[4];
    for (int k = 0; k < 4; k++) {
      bs[k] = 0.05f * ws[k];
      bias[k] = r.nextInt(2001) - 1000;
    }
    int b = m.constant("b", TensorType.INT32, new int[] {4}, new TflModel.Quant(bs, new long[4], 0), intBytes(bias));
    int c = m.activation("conv", TensorType.INT8, new int[] {1, 8, 8, 4}, outQ);
    m.add(new TflModel.Op(BuiltinOperator.CONV_2D, 3, new int[] {x, w, b}, new int[] {c}, new TflModel.Options(
        BuiltinOptions.Conv2DOptions, o -> Conv2DOptions.createConv2DOptions(o, Padding.SAME, 1, 1,
            ActivationFunctionType.RELU, 1, 1)), (byte) 0, "", ""));
    int p = m.activation("pool", TensorType.INT8, new int[] {1, 4, 4, 4}, outQ);
    m.add(new TflModel.Op(BuiltinOperator.AVERAGE_POOL_2D, 2, new int[] {c}, new int[] {p}, new TflModel.Options(
        BuiltinOptions.Pool2DOptions, o -> Pool2DOptions.createPool2DOptions(o, Padding.VALID, 2, 2, 2, 2,
            ActivationFunctionType.NONE)), (byte) 0, "", ""));
    m.inputs.add(x);
    m.outputs.add(p);
    Path file = Files.write(dir.resolve("int8.tflite"), TflWriter.write(m));
    Graph g = Frontends.read(file);
    assertEquals(List.of(), GraphValidator.validate(g));
    long qdq = g.nodes().stream().filter(n -> n.op().endsWith("quantizeLinear")).count();
    assertTrue(g.nodes().stream().filter(n -> n.op().equals("QuantizeLinear")).count() >= 2, "conv and pool outputs quantized");
    assertTrue(qdq >= 5, "QDQ nodes: " + qdq);
    assertEquals("x", g.inputs().get(0).name());
    assertEquals(List.of("pool"), g.outputs().stream().map(Value::name).toList());
    assertEquals(dev.hwc.compiler.ir.DType.INT8, g.outputs().get(0).dtype());
    Path onnx = dir.resolve("int8.onnx");
    new OnnxEmitter().emit(g, onnx);
    byte[] in = new byte[8 * 8 * 3];
    r.nextBytes(in);
    Map<String, Tensor> feed = Map.of(g.inputs().get(0).name(), Tensor.ofBytes(dev.hwc.compiler.ir.DType.INT8,
        new long[] {1, 8, 8, 3}, in));
    Tensor want;
    try (TfliteSession s = TfliteSession.open(file, SessionOptions.DEFAULT)) {
      want = s.run(Map.of("x", feed.values().iterator().next())).values().iterator().next();
    }
    Tensor got;
    try (OrtSession s = OrtSession.open(onnx, SessionOptions.DEFAULT)) {
      got = s.run(feed).values().iterator().next();
    }
    double d = maxAbsDiff(want, got);
    System.out.printf("int8 tflite vs its QDQ IR on ORT: max abs diff %.0f steps%n", d);
    assertTrue(d <= 1, "int8 outputs differ by " + d + " steps");
  }

  /** A TfLitePoolParams / TfLiteTransposeConvParams struct as the raw custom options MediaPipe writes. */
  private static int[] structBytes(int... fields) {
    byte[] b = intBytes(fields);
    int[] out = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = b[i] & 0xff;
    }
    return out;
  }

  private static org.tensorflow.lite.schema.TensorT tensor(String name, byte type, int buffer, int... shape) {
    org.tensorflow.lite.schema.TensorT t = new org.tensorflow.lite.schema.TensorT();
    t.setName(name);
    t.setType(type);
    t.setShape(shape);
    t.setBuffer(buffer);
    return t;
  }

  private static org.tensorflow.lite.schema.OperatorT custom(int code, int[] in, int[] out, int[] options) {
    org.tensorflow.lite.schema.OperatorT o = new org.tensorflow.lite.schema.OperatorT();
    o.setOpcodeIndex(code);
    o.setInputs(in);
    o.setOutputs(out);
    o.setCustomOptions(options);
    return o;
  }

  /**
   * MediaPipe's custom ops, written with the schema's object API (the interpreter here has no
   * kernels for them, so the IR on ORT is checked against their documented semantics computed here):
   * MaxPoolingWithArgmax2D 2x2/2 then MaxUnpooling2D puts each window's maximum back at its place
   * and zeros elsewhere; Convolution2DTransposeBias with a one-hot 1x1 filter, stride 2, VALID,
   * bias b is x spread on the even positions plus b.
   */
  @Test
  void mediapipeCustomOpsFollowTheirDocumentedSemanticsOnOrt() throws Exception {
    org.tensorflow.lite.schema.OperatorCodeT[] codes = new org.tensorflow.lite.schema.OperatorCodeT[3];
    String[] names = {"MaxPoolingWithArgmax2D", "MaxUnpooling2D", "Convolution2DTransposeBias"};
    for (int i = 0; i < 3; i++) {
      codes[i] = new org.tensorflow.lite.schema.OperatorCodeT();
      codes[i].setBuiltinCode(BuiltinOperator.CUSTOM);
      codes[i].setDeprecatedBuiltinCode((byte) BuiltinOperator.CUSTOM);
      codes[i].setCustomCode(names[i]);
      codes[i].setVersion(1);
    }
    org.tensorflow.lite.schema.BufferT[] buffers = new org.tensorflow.lite.schema.BufferT[3];
    for (int i = 0; i < 3; i++) {
      buffers[i] = new org.tensorflow.lite.schema.BufferT();
    }
    // filter [O=2, 1, 1, I=2] identity; bias [2]
    buffers[1].setData(structBytes(Float.floatToIntBits(1), 0, 0, Float.floatToIntBits(1)));
    buffers[2].setData(structBytes(Float.floatToIntBits(0.5f), Float.floatToIntBits(-2f)));
    org.tensorflow.lite.schema.SubGraphT g = new org.tensorflow.lite.schema.SubGraphT();
    g.setTensors(new org.tensorflow.lite.schema.TensorT[] {
      tensor("x", TensorType.FLOAT32, 0, 1, 4, 6, 2),
      tensor("pooled", TensorType.FLOAT32, 0, 1, 2, 3, 2),
      tensor("argmax", TensorType.INT32, 0, 1, 2, 3, 2),
      tensor("unpooled", TensorType.FLOAT32, 0, 1, 4, 6, 2),
      tensor("filter", TensorType.FLOAT32, 1, 2, 1, 1, 2),
      tensor("bias", TensorType.FLOAT32, 2, 2),
      tensor("up", TensorType.FLOAT32, 0, 1, 3, 5, 2)});
    int[] pool = structBytes(2, 2, 2, 2, 2, 0); // VALID, stride w/h 2, filter w/h 2, no activation
    g.setOperators(new org.tensorflow.lite.schema.OperatorT[] {
      custom(0, new int[] {0}, new int[] {1, 2}, pool),
      custom(1, new int[] {1, 2}, new int[] {3}, pool),
      custom(2, new int[] {1, 4, 5}, new int[] {6}, structBytes(2, 2, 2))}); // VALID, stride w/h 2
    g.setInputs(new int[] {0});
    g.setOutputs(new int[] {1, 3, 6});
    org.tensorflow.lite.schema.ModelT mt = new org.tensorflow.lite.schema.ModelT();
    mt.setVersion(3);
    mt.setOperatorCodes(codes);
    mt.setSubgraphs(new org.tensorflow.lite.schema.SubGraphT[] {g});
    mt.setBuffers(buffers);
    com.google.flatbuffers.FlatBufferBuilder fb = new com.google.flatbuffers.FlatBufferBuilder(1024);
    org.tensorflow.lite.schema.Model.finishModelBuffer(fb, org.tensorflow.lite.schema.Model.pack(fb, mt));
    Path file = Files.write(dir.resolve("mediapipe_ops.tflite"), fb.sizedByteArray());

    Graph ir = Frontends.read(file);
    assertEquals(List.of(), GraphValidator.validate(ir));
    Path onnx = dir.resolve("mediapipe_ops.onnx");
    new OnnxEmitter().emit(ir, onnx);
    float[] x = new float[4 * 6 * 2];
    Random r = new Random(4);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    Map<String, Tensor> got;
    try (OrtSession s = OrtSession.open(onnx, SessionOptions.DEFAULT)) {
      got = s.run(Map.of("x", Tensor.ofFloats(new long[] {1, 4, 6, 2}, x)));
    }
    // expected, NHWC: pooled[h][w][c] = max over the 2x2 window; unpooled keeps it at its argmax, 0 elsewhere
    float[] pooled = new float[2 * 3 * 2];
    float[] unpooled = new float[x.length];
    for (int h = 0; h < 2; h++) {
      for (int w = 0; w < 3; w++) {
        for (int c = 0; c < 2; c++) {
          int best = -1;
          for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
              int at = ((2 * h + dy) * 6 + 2 * w + dx) * 2 + c;
              if (best < 0 || x[at] > x[best]) {
                best = at;
              }
            }
          }
          pooled[(h * 3 + w) * 2 + c] = x[best];
          unpooled[best] = x[best];
        }
      }
    }
    float[] up = new float[3 * 5 * 2];
    float[] bias = {0.5f, -2f};
    for (int h = 0; h < 3; h++) {
      for (int w = 0; w < 5; w++) {
        for (int c = 0; c < 2; c++) {
          up[(h * 5 + w) * 2 + c] = bias[c] + (h % 2 == 0 && w % 2 == 0 && h / 2 < 2 && w / 2 < 3 ? pooled[((h / 2) * 3 + w / 2) * 2 + c] : 0);
        }
      }
    }
    assertEquals(0.0, maxAbsDiff(Tensor.ofFloats(new long[] {1, 2, 3, 2}, pooled), got.get("pooled")));
    assertEquals(0.0, maxAbsDiff(Tensor.ofFloats(new long[] {1, 4, 6, 2}, unpooled), got.get("unpooled")));
    assertTrue(maxAbsDiff(Tensor.ofFloats(new long[] {1, 3, 5, 2}, up), got.get("up")) <= 1e-6);
  }

  @Test
  void unreadOpsAreNamedAllAtOnceAndJunkIsOneLine() throws Exception {
    Writer w = new Writer(1, false);
    int x = w.act("x", 1, 4);
    int a = w.act("a", 1, 4);
    w.op(BuiltinOperator.EXP, TflModel.Options.NONE, new int[] {x}, a);
    int b = w.act("b", 1, 4);
    w.op(BuiltinOperator.EXP, TflModel.Options.NONE, new int[] {a}, b);
    int c = w.act("c", 1, 4);
    w.op(BuiltinOperator.SIN, TflModel.Options.NONE, new int[] {b}, c);
    Path file = Files.write(dir.resolve("exp.tflite"), w.finish(new int[] {x}, new int[] {c}));
    BadInputException e = assertThrows(BadInputException.class, () -> Frontends.read(file));
    assertTrue(e.getMessage().contains("uses ops hwc does not read: EXP (2 nodes), SIN (1 node)"), e.getMessage());
    Path junk = Files.write(dir.resolve("junk.tflite"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    BadInputException j = assertThrows(BadInputException.class, () -> Frontends.read(junk));
    assertTrue(j.getMessage().contains("not a TFLite flatbuffer"), j.getMessage());
    byte[] good = segmenter(1, false);
    Path cut = Files.write(dir.resolve("cut.tflite"), java.util.Arrays.copyOf(good, good.length / 3));
    BadInputException t = assertThrows(BadInputException.class, () -> Frontends.read(cut));
    assertTrue(!t.getMessage().contains("\n"), t.getMessage());
  }
}

package dev.hwc.backends.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.FullyConnectedOptions;
import org.tensorflow.lite.schema.FullyConnectedOptionsWeightsFormat;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorType;

/**
 * Writes tiny fp32 .tflite models with the flatbuffer schema classes, for tests of the TFLite
 * runtime and the harness (the TFLite emitter comes later). Layout per the TFLite schema: file
 * identifier "TFL3", version 3, buffer 0 empty (tensors without data point at it), operators in
 * execution order, operator codes with both deprecated_builtin_code and builtin_code.
 */
public final class TinyTflite {
  private final FlatBufferBuilder b = new FlatBufferBuilder(1 << 16);
  private final List<Integer> buffers = new ArrayList<>();
  private final List<Integer> tensors = new ArrayList<>();
  private final List<Integer> operators = new ArrayList<>();
  private final List<Integer> opcodes = new ArrayList<>();
  private final List<Integer> opcodeOffsets = new ArrayList<>();

  public TinyTflite() {
    Buffer.startBuffer(b);
    buffers.add(Buffer.endBuffer(b)); // buffer 0: empty, by convention
  }

  /** An activation tensor (no data); returns its index. */
  public int activation(String name, int... shape) {
    return tensor(name, shape, 0);
  }

  /** A constant fp32 tensor; returns its index. */
  public int constant(String name, float[] values, int... shape) {
    ByteBuffer bb = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bb.asFloatBuffer().put(values);
    byte[] bytes = bb.array();
    b.startVector(1, bytes.length, 16); // 16-byte aligned data, as TFLite's converter writes it
    for (int i = bytes.length - 1; i >= 0; i--) {
      b.addByte(bytes[i]);
    }
    int data = b.endVector();
    buffers.add(Buffer.createBuffer(b, data));
    return tensor(name, shape, buffers.size() - 1);
  }

  private int tensor(String name, int[] shape, int buffer) {
    int shapeOff = Tensor.createShapeVector(b, shape);
    int nameOff = b.createString(name);
    Tensor.startTensor(b);
    Tensor.addShape(b, shapeOff);
    Tensor.addType(b, TensorType.FLOAT32);
    Tensor.addBuffer(b, buffer);
    Tensor.addName(b, nameOff);
    tensors.add(Tensor.endTensor(b));
    return tensors.size() - 1;
  }

  /** y = x W^T + b: x [batch, in], weights [out, in], bias [out]. */
  public void fullyConnected(int input, int weights, int bias, int output, byte activation) {
    int opts = FullyConnectedOptions.createFullyConnectedOptions(b, activation,
        FullyConnectedOptionsWeightsFormat.DEFAULT, false, false);
    op(BuiltinOperator.FULLY_CONNECTED, new int[] {input, weights, bias}, output, BuiltinOptions.FullyConnectedOptions, opts);
  }

  /** NHWC conv: filter [out, kh, kw, in], bias [out], stride 1, SAME padding. */
  public void conv2d(int input, int filter, int bias, int output, byte activation) {
    int opts = Conv2DOptions.createConv2DOptions(b, Padding.SAME, 1, 1, activation, 1, 1);
    op(BuiltinOperator.CONV_2D, new int[] {input, filter, bias}, output, BuiltinOptions.Conv2DOptions, opts);
  }

  private void op(int builtin, int[] inputs, int output, byte optionsType, int options) {
    int index = opcodes.indexOf(builtin);
    if (index < 0) {
      OperatorCode.startOperatorCode(b);
      OperatorCode.addDeprecatedBuiltinCode(b, (byte) Math.min(builtin, 127));
      OperatorCode.addBuiltinCode(b, builtin);
      OperatorCode.addVersion(b, 1);
      opcodeOffsets.add(OperatorCode.endOperatorCode(b));
      opcodes.add(builtin);
      index = opcodes.size() - 1;
    }
    int in = Operator.createInputsVector(b, inputs);
    int out = Operator.createOutputsVector(b, new int[] {output});
    Operator.startOperator(b);
    Operator.addOpcodeIndex(b, index);
    Operator.addInputs(b, in);
    Operator.addOutputs(b, out);
    Operator.addBuiltinOptionsType(b, optionsType);
    Operator.addBuiltinOptions(b, options);
    operators.add(Operator.endOperator(b));
  }

  /** Finishes the model with the given graph inputs and outputs. */
  public byte[] finish(int[] inputs, int[] outputs) {
    int tensorVec = SubGraph.createTensorsVector(b, ints(tensors));
    int inVec = SubGraph.createInputsVector(b, inputs);
    int outVec = SubGraph.createOutputsVector(b, outputs);
    int opVec = SubGraph.createOperatorsVector(b, ints(operators));
    int name = b.createString("main");
    int subgraph = SubGraph.createSubGraph(b, tensorVec, inVec, outVec, opVec, name);
    int codes = Model.createOperatorCodesVector(b, ints(opcodeOffsets));
    int subgraphs = Model.createSubgraphsVector(b, new int[] {subgraph});
    int description = b.createString("hwc test model");
    int bufs = Model.createBuffersVector(b, ints(buffers));
    Model.startModel(b);
    Model.addVersion(b, 3);
    Model.addOperatorCodes(b, codes);
    Model.addSubgraphs(b, subgraphs);
    Model.addDescription(b, description);
    Model.addBuffers(b, bufs);
    Model.finishModelBuffer(b, Model.endModel(b));
    return b.sizedByteArray();
  }

  private static int[] ints(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The FULLY_CONNECTED test model: x [1,4] -> y [1,3], y = x W^T + b, no activation. */
  public static final float[] FC_WEIGHTS = {1, 2, 3, 4, -1, 0, 1, 0, 0.5f, 0.25f, -0.5f, 2};
  public static final float[] FC_BIAS = {0.5f, -1, 3};

  public static byte[] fullyConnectedModel() {
    TinyTflite m = new TinyTflite();
    int x = m.activation("x", 1, 4);
    int w = m.constant("weights", FC_WEIGHTS, 3, 4);
    int bias = m.constant("bias", FC_BIAS, 3);
    int y = m.activation("y", 1, 3);
    m.fullyConnected(x, w, bias, y, ActivationFunctionType.NONE);
    return m.finish(new int[] {x}, new int[] {y});
  }

  /**
   * A conv stack big enough to time: input [1, side, side, channels], {@code layers} 3x3 convs with
   * ReLU, seeded random weights (He-scaled so activations stay in range).
   */
  public static byte[] convStack(int side, int channels, int layers, long seed) {
    TinyTflite m = new TinyTflite();
    Random r = new Random(seed);
    int x = m.activation("image", 1, side, side, channels);
    int cur = x;
    for (int l = 0; l < layers; l++) {
      float[] w = new float[channels * 9 * channels];
      double scale = Math.sqrt(2.0 / (9 * channels));
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) (r.nextGaussian() * scale);
      }
      float[] bias = new float[channels];
      int f = m.constant("conv" + l + "/filter", w, channels, 3, 3, channels);
      int bi = m.constant("conv" + l + "/bias", bias, channels);
      int y = m.activation(l == layers - 1 ? "features" : "conv" + l, 1, side, side, channels);
      m.conv2d(cur, f, bi, y, ActivationFunctionType.RELU);
      cur = y;
    }
    return m.finish(new int[] {x}, new int[] {cur});
  }

  public static Path write(Path file, byte[] model) throws IOException {
    Files.write(file, model);
    return file;
  }
}

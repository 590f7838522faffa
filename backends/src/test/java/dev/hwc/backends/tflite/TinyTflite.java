package dev.hwc.backends.tflite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.FullyConnectedOptions;
import org.tensorflow.lite.schema.FullyConnectedOptionsWeightsFormat;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.TensorType;

/**
 * Writes tiny hand-built fp32 .tflite models for tests of the TFLite runtime and the harness,
 * through the backend's own {@link TflModel} and {@link TflWriter} (independent of the lowering, so a
 * runtime test does not depend on the IR).
 */
public final class TinyTflite {
  private final TflModel m = new TflModel();

  /** An activation tensor (no data); returns its index. */
  public int activation(String name, int... shape) {
    return m.activation(name, TensorType.FLOAT32, shape, null);
  }

  /** A constant fp32 tensor; returns its index. */
  public int constant(String name, float[] values, int... shape) {
    ByteBuffer bb = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bb.asFloatBuffer().put(values);
    return m.constant(name, TensorType.FLOAT32, shape, null, bb.array());
  }

  /** y = x W^T + b: x [batch, in], weights [out, in], bias [out]. */
  public void fullyConnected(int input, int weights, int bias, int output, byte activation) {
    op(BuiltinOperator.FULLY_CONNECTED, new int[] {input, weights, bias}, output, new TflModel.Options(
        BuiltinOptions.FullyConnectedOptions, b -> FullyConnectedOptions.createFullyConnectedOptions(b, activation,
            FullyConnectedOptionsWeightsFormat.DEFAULT, false, false)), activation);
  }

  /** NHWC conv: filter [out, kh, kw, in], bias [out], stride 1, SAME padding. */
  public void conv2d(int input, int filter, int bias, int output, byte activation) {
    op(BuiltinOperator.CONV_2D, new int[] {input, filter, bias}, output, new TflModel.Options(
        BuiltinOptions.Conv2DOptions, b -> Conv2DOptions.createConv2DOptions(b, Padding.SAME, 1, 1, activation, 1, 1)),
        activation);
  }

  private void op(int builtin, int[] inputs, int output, TflModel.Options options, byte activation) {
    m.add(new TflModel.Op(builtin, 1, inputs, new int[] {output}, options, activation, "", ""));
  }

  /** Finishes the model with the given graph inputs and outputs. */
  public byte[] finish(int[] inputs, int[] outputs) {
    for (int i : inputs) {
      m.inputs.add(i);
    }
    for (int o : outputs) {
      m.outputs.add(o);
    }
    m.description = "hwc test model";
    return TflWriter.write(m);
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

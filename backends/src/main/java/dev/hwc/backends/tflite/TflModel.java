package dev.hwc.backends.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.TensorType;

/**
 * A TFLite program as the lowering builds it: tensors, operators in execution order, graph inputs
 * and outputs, metadata. {@link TflWriter} serializes it; the Edge TPU report and the tests read it.
 * Every operator records the IR node it came from, so a report can name the user's layer.
 */
public final class TflModel {
  /**
   * Quantization of one tensor: real = (q - zeroPoint) * scale, per tensor (one entry) or per axis.
   *
   * @param axis quantized dimension for per-axis params (ignored for per-tensor)
   */
  public record Quant(float[] scale, long[] zeroPoint, int axis) {
    public static Quant perTensor(float scale, long zeroPoint) {
      return new Quant(new float[] {scale}, new long[] {zeroPoint}, 0);
    }

    public boolean perAxis() {
      return scale.length > 1;
    }

    /** Same params (per-tensor ones compared by value). */
    public boolean sameAs(Quant o) {
      return o != null && java.util.Arrays.equals(scale, o.scale) && java.util.Arrays.equals(zeroPoint, o.zeroPoint);
    }
  }

  /** One tensor; {@code data} is null for activations, little-endian bytes for constants. */
  public static final class Tensor {
    public String name;
    public final byte type;
    public final int[] shape;
    public final Quant quant;
    public final byte[] data;

    Tensor(String name, byte type, int[] shape, Quant quant, byte[] data) {
      this.name = name;
      this.type = type;
      this.shape = shape.clone();
      this.quant = quant;
      this.data = data;
    }

    public boolean isConstant() {
      return data != null;
    }

    public long elements() {
      long n = 1;
      for (int d : shape) {
        n *= d;
      }
      return n;
    }
  }

  /** Builtin options of one operator: the union type and a writer for its table. */
  public record Options(byte type, ToIntFunction<FlatBufferBuilder> writer) {
    public static final Options NONE = new Options((byte) 0, b -> 0);
  }

  /**
   * One operator.
   *
   * @param builtin {@link BuiltinOperator} code
   * @param version the lowest op version that carries the features used
   * @param fusedActivation the fused activation ({@link org.tensorflow.lite.schema.ActivationFunctionType}), 0 if none
   * @param origin the IR node it lowers (or the node it serves, for inserted QUANTIZE/TRANSPOSE ops)
   * @param role why an op that is not the node itself was inserted ("requantize", "layout", "io"), or empty
   */
  public record Op(int builtin, int version, int[] inputs, int[] outputs, Options options, byte fusedActivation,
      String origin, String role) {
    public String name() {
      return BuiltinOperator.name(builtin);
    }
  }

  public final List<Tensor> tensors = new ArrayList<>();
  public final List<Op> ops = new ArrayList<>();
  public final List<Integer> inputs = new ArrayList<>();
  public final List<Integer> outputs = new ArrayList<>();
  public final Map<String, String> metadata = new LinkedHashMap<>();
  public String description = "hwc";

  public int activation(String name, byte type, int[] shape, Quant quant) {
    tensors.add(new Tensor(name, type, shape, quant, null));
    return tensors.size() - 1;
  }

  public int constant(String name, byte type, int[] shape, Quant quant, byte[] data) {
    tensors.add(new Tensor(name, type, shape, quant, data));
    return tensors.size() - 1;
  }

  public Tensor tensor(int i) {
    return tensors.get(i);
  }

  public Op add(Op op) {
    ops.add(op);
    return op;
  }

  /** Bytes of constant data (weights, biases, shape operands). */
  public long constantBytes() {
    return tensors.stream().filter(Tensor::isConstant).mapToLong(t -> t.data.length).sum();
  }

  /** Operators of a builtin, e.g. how many TRANSPOSE ops the lowering had to keep. */
  public long count(int builtin) {
    return ops.stream().filter(o -> o.builtin() == builtin).count();
  }

  static String typeName(byte type) {
    return TensorType.name(type);
  }
}

package dev.hwc.compiler.ir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A constant tensor: element type, static shape and little-endian raw bytes (the layout ONNX uses
 * for raw_data). Immutable: the bytes are copied in and never handed out mutable.
 */
public final class Tensor {
  private final DType dtype;
  private final long[] shape;
  private final byte[] data;

  private Tensor(DType dtype, long[] shape, byte[] data) {
    if (dtype == DType.STRING || dtype == DType.UNDEFINED) {
      throw new IllegalArgumentException("tensors of " + dtype + " are not supported");
    }
    long n = count(shape);
    if (n * dtype.byteSize != data.length) {
      throw new IllegalArgumentException(
          "tensor of " + dtype + Shape.format(shape) + " needs " + n * dtype.byteSize
              + " bytes, got " + data.length);
    }
    this.dtype = dtype;
    this.shape = shape.clone();
    this.data = data;
  }

  /** Wraps little-endian bytes (copied). */
  public static Tensor ofBytes(DType dtype, long[] shape, byte[] littleEndian) {
    return new Tensor(dtype, shape, littleEndian.clone());
  }

  public static Tensor ofFloats(long[] shape, float... values) {
    ByteBuffer b = buffer(values.length * 4);
    b.asFloatBuffer().put(values);
    return new Tensor(DType.FLOAT, shape, b.array());
  }

  public static Tensor ofLongs(long[] shape, long... values) {
    ByteBuffer b = buffer(values.length * 8);
    b.asLongBuffer().put(values);
    return new Tensor(DType.INT64, shape, b.array());
  }

  public static Tensor ofInts(long[] shape, int... values) {
    ByteBuffer b = buffer(values.length * 4);
    b.asIntBuffer().put(values);
    return new Tensor(DType.INT32, shape, b.array());
  }

  public static Tensor scalar(float v) {
    return ofFloats(new long[0], v);
  }

  /** A 1-D int64 tensor, the form ONNX uses for shapes, axes, pads. */
  public static Tensor vector(long... values) {
    return ofLongs(new long[] {values.length}, values);
  }

  /** Builds a tensor of any numeric type from doubles, rounding or truncating as the type needs. */
  public static Tensor fromDoubles(DType dtype, long[] shape, double[] values) {
    ByteBuffer b = buffer(values.length * dtype.byteSize);
    for (double v : values) {
      switch (dtype) {
        case FLOAT -> b.putFloat((float) v);
        case DOUBLE -> b.putDouble(v);
        case FLOAT16 -> b.putShort(Half.fromFloat((float) v));
        case BFLOAT16 -> b.putShort((short) (Float.floatToIntBits((float) v) >>> 16));
        case INT64, UINT64 -> b.putLong((long) v);
        case INT32, UINT32 -> b.putInt((int) (long) v);
        case INT16, UINT16 -> b.putShort((short) (long) v);
        case INT8, UINT8 -> b.put((byte) (long) v);
        case BOOL -> b.put((byte) (v != 0 ? 1 : 0));
        default -> throw new IllegalArgumentException("cannot build a tensor of " + dtype);
      }
    }
    return new Tensor(dtype, shape, b.array());
  }

  private static ByteBuffer buffer(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static long count(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public DType dtype() {
    return dtype;
  }

  public long[] shape() {
    return shape.clone();
  }

  public Shape irShape() {
    return Shape.of(shape);
  }

  public int rank() {
    return shape.length;
  }

  public long numElements() {
    return count(shape);
  }

  public long byteSize() {
    return data.length;
  }

  /** A read-only little-endian view of the bytes. */
  public ByteBuffer buffer() {
    return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A copy of the raw little-endian bytes. */
  public byte[] bytes() {
    return data.clone();
  }

  /** Element i as a double, whatever the element type. */
  public double getDouble(int i) {
    ByteBuffer b = buffer();
    return switch (dtype) {
      case FLOAT -> b.getFloat(i * 4);
      case DOUBLE -> b.getDouble(i * 8);
      case FLOAT16 -> Half.toFloat(b.getShort(i * 2));
      case BFLOAT16 -> Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
      case INT64, UINT64 -> b.getLong(i * 8);
      case INT32 -> b.getInt(i * 4);
      case UINT32 -> b.getInt(i * 4) & 0xffffffffL;
      case INT16 -> b.getShort(i * 2);
      case UINT16 -> b.getShort(i * 2) & 0xffff;
      case INT8 -> b.get(i);
      case UINT8, BOOL -> b.get(i) & 0xff;
      default -> throw new IllegalStateException("no numeric view of " + dtype);
    };
  }

  public double[] toDoubles() {
    int n = Math.toIntExact(numElements());
    double[] out = new double[n];
    if (dtype == DType.FLOAT) {
      var fb = buffer().asFloatBuffer();
      for (int i = 0; i < n; i++) {
        out[i] = fb.get(i);
      }
      return out;
    }
    for (int i = 0; i < n; i++) {
      out[i] = getDouble(i);
    }
    return out;
  }

  public float[] toFloats() {
    int n = Math.toIntExact(numElements());
    float[] out = new float[n];
    if (dtype == DType.FLOAT) {
      buffer().asFloatBuffer().get(out);
      return out;
    }
    for (int i = 0; i < n; i++) {
      out[i] = (float) getDouble(i);
    }
    return out;
  }

  public long[] toLongs() {
    int n = Math.toIntExact(numElements());
    long[] out = new long[n];
    if (dtype == DType.INT64) {
      buffer().asLongBuffer().get(out);
      return out;
    }
    for (int i = 0; i < n; i++) {
      out[i] = (long) getDouble(i);
    }
    return out;
  }

  /** The same data under another shape with the same element count. */
  public Tensor reshape(long[] newShape) {
    return new Tensor(dtype, newShape, data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t
        && t.dtype == dtype
        && Arrays.equals(t.shape, shape)
        && Arrays.equals(t.data, data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Tensor" + dtype.shortName() + Shape.format(shape);
  }
}

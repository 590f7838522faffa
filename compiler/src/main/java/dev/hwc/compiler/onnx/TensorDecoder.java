package dev.hwc.compiler.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.common.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * TensorProto to IR {@link Tensor}: raw_data (little-endian), the typed fields, or external data.
 * Per the ONNX spec, int32_data also carries int8, uint8, int16, uint16, bool, float16 and bfloat16
 * (the last two as bit patterns), and uint64_data carries uint32 and uint64. The element count
 * always has to match the dims.
 */
final class TensorDecoder {
  private final ExternalData external;

  TensorDecoder(ExternalData external) {
    this.external = external;
  }

  /** Decodes a tensor; {@code what} names it in errors ("initializer 'w'"). */
  Tensor decode(TensorProto t, String what) throws IOException {
    DType dtype = OnnxTypes.dtype(t.getDataType(), what);
    if (dtype == DType.UNDEFINED || dtype == DType.STRING) {
      throw new BadInputException(what + " has unsupported element type " + dtype.shortName());
    }
    long[] dims = new long[t.getDimsCount()];
    long count = 1;
    for (int i = 0; i < dims.length; i++) {
      dims[i] = t.getDims(i);
      if (dims[i] < 0) {
        throw new BadInputException(what + " has a negative dimension " + dims[i]);
      }
      try {
        count = Math.multiplyExact(count, dims[i]);
      } catch (ArithmeticException e) {
        throw new BadInputException(what + " has absurd dims " + Shape.format(dims));
      }
    }
    long bytes;
    try {
      bytes = Math.multiplyExact(count, (long) dtype.byteSize);
    } catch (ArithmeticException e) {
      throw new BadInputException(what + " has absurd dims " + Shape.format(dims));
    }
    if (bytes > Integer.MAX_VALUE - 8) {
      throw new BadInputException(
          what + " is too large (" + bytes + " bytes; at most 2 GiB per tensor)");
    }
    byte[] data;
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      data = external.read(t, t.getName(), bytes);
    } else if (t.hasRawData()) {
      if (t.getRawData().size() != bytes) {
        throw new BadInputException(
            what + " has " + t.getRawData().size() + " bytes of raw_data but its dims "
                + Shape.format(dims) + " of " + dtype.shortName() + " need " + bytes);
      }
      data = t.getRawData().toByteArray();
    } else {
      data = typed(t, dtype, dims, (int) count, what);
    }
    return Tensor.ofBytes(dtype, dims, data);
  }

  private static byte[] typed(TensorProto t, DType dtype, long[] dims, int count, String what) {
    ByteBuffer b = ByteBuffer.allocate(count * dtype.byteSize).order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case FLOAT -> {
        check(t.getFloatDataCount(), count, "float_data", dims, what);
        for (int i = 0; i < count; i++) {
          b.putFloat(t.getFloatData(i));
        }
      }
      case DOUBLE -> {
        check(t.getDoubleDataCount(), count, "double_data", dims, what);
        for (int i = 0; i < count; i++) {
          b.putDouble(t.getDoubleData(i));
        }
      }
      case INT64 -> {
        check(t.getInt64DataCount(), count, "int64_data", dims, what);
        for (int i = 0; i < count; i++) {
          b.putLong(t.getInt64Data(i));
        }
      }
      case UINT64 -> {
        check(t.getUint64DataCount(), count, "uint64_data", dims, what);
        for (int i = 0; i < count; i++) {
          b.putLong(t.getUint64Data(i));
        }
      }
      case UINT32 -> {
        check(t.getUint64DataCount(), count, "uint64_data", dims, what);
        for (int i = 0; i < count; i++) {
          b.putInt((int) t.getUint64Data(i));
        }
      }
      case INT32 -> {
        check(t.getInt32DataCount(), count, "int32_data", dims, what);
        for (int i = 0; i < count; i++) {
          b.putInt(t.getInt32Data(i));
        }
      }
      case INT16, UINT16, FLOAT16, BFLOAT16 -> {
        check(t.getInt32DataCount(), count, "int32_data", dims, what);
        for (int i = 0; i < count; i++) {
          b.putShort((short) t.getInt32Data(i));
        }
      }
      case INT8, UINT8 -> {
        check(t.getInt32DataCount(), count, "int32_data", dims, what);
        for (int i = 0; i < count; i++) {
          b.put((byte) t.getInt32Data(i));
        }
      }
      case BOOL -> {
        check(t.getInt32DataCount(), count, "int32_data", dims, what);
        for (int i = 0; i < count; i++) {
          b.put((byte) (t.getInt32Data(i) != 0 ? 1 : 0));
        }
      }
      default -> throw new BadInputException(
          what + " has unsupported element type " + dtype.shortName());
    }
    return b.array();
  }

  private static void check(int have, int need, String field, long[] dims, String what) {
    if (have != need) {
      throw new BadInputException(
          what + " has " + have + " values in " + field + " but its dims " + Shape.format(dims)
              + " need " + need);
    }
  }
}

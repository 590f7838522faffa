package dev.hwc.compiler.ir;

import dev.hwc.common.BadInputException;

/** Element types of tensors, numbered as in ONNX's TensorProto.DataType. */
public enum DType {
  UNDEFINED(0, 0),
  FLOAT(1, 4),
  UINT8(2, 1),
  INT8(3, 1),
  UINT16(4, 2),
  INT16(5, 2),
  INT32(6, 4),
  INT64(7, 8),
  STRING(8, 0),
  BOOL(9, 1),
  FLOAT16(10, 2),
  DOUBLE(11, 8),
  UINT32(12, 4),
  UINT64(13, 8),
  BFLOAT16(16, 2);

  /** The ONNX TensorProto.DataType code. */
  public final int onnxCode;
  /** Bytes per element (0 for strings and undefined). */
  public final int byteSize;

  DType(int onnxCode, int byteSize) {
    this.onnxCode = onnxCode;
    this.byteSize = byteSize;
  }

  public boolean isFloat() {
    return this == FLOAT || this == FLOAT16 || this == DOUBLE || this == BFLOAT16;
  }

  public boolean isInteger() {
    return this == UINT8 || this == INT8 || this == UINT16 || this == INT16 || this == INT32
        || this == INT64 || this == UINT32 || this == UINT64;
  }

  public static DType fromOnnx(int code) {
    for (DType t : values()) {
      if (t.onnxCode == code) {
        return t;
      }
    }
    throw new BadInputException("unsupported ONNX tensor data type " + code);
  }

  /** Short lower-case name used in reports: fp32, fp16, int8, ... */
  public String shortName() {
    return switch (this) {
      case FLOAT -> "fp32";
      case FLOAT16 -> "fp16";
      case BFLOAT16 -> "bf16";
      case DOUBLE -> "fp64";
      default -> name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}

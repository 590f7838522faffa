package dev.hwc.compiler.onnx;

import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Value;
import dev.hwc.common.BadInputException;
import java.util.ArrayList;
import java.util.List;

/** ONNX element types and ValueInfoProto to IR {@link DType}, {@link Shape} and {@link Value}. */
final class OnnxTypes {
  private OnnxTypes() {}

  /** The IR type for an ONNX element type code; the error names {@code what}. */
  static DType dtype(int code, String what) {
    for (DType t : DType.values()) {
      if (t.onnxCode == code) {
        return t;
      }
    }
    throw new BadInputException(what + " has unsupported ONNX element type " + typeName(code));
  }

  private static String typeName(int code) {
    return switch (code) {
      case 14 -> "COMPLEX64";
      case 15 -> "COMPLEX128";
      case 17 -> "FLOAT8E4M3FN";
      case 18 -> "FLOAT8E4M3FNUZ";
      case 19 -> "FLOAT8E5M2";
      case 20 -> "FLOAT8E5M2FNUZ";
      case 21 -> "UINT4";
      case 22 -> "INT4";
      case 23 -> "FLOAT4E2M1";
      default -> Integer.toString(code);
    };
  }

  /**
   * A value's type. A missing type or shape gives UNDEFINED / {@link Shape#UNKNOWN}; non-tensor
   * types (sequence, map, optional) are refused when {@code strict}, else null.
   */
  static Value value(ValueInfoProto vi, String what, boolean strict) {
    if (!vi.hasType() || vi.getType().getValueCase() == TypeProto.ValueCase.VALUE_NOT_SET) {
      return new Value(vi.getName(), DType.UNDEFINED, Shape.UNKNOWN);
    }
    TypeProto type = vi.getType();
    if (!type.hasTensorType()) {
      if (strict) {
        throw new BadInputException(
            what + " has a " + type.getValueCase().name().toLowerCase(java.util.Locale.ROOT)
                .replace("_type", "") + " type; hwc reads tensors only");
      }
      return null;
    }
    TypeProto.Tensor tt = type.getTensorType();
    DType dtype = tt.hasElemType() ? dtype(tt.getElemType(), what) : DType.UNDEFINED;
    return new Value(vi.getName(), dtype, tt.hasShape() ? shape(tt.getShape()) : Shape.UNKNOWN);
  }

  static Shape shape(TensorShapeProto s) {
    List<Dim> dims = new ArrayList<>(s.getDimCount());
    for (TensorShapeProto.Dimension d : s.getDimList()) {
      if (d.hasDimValue() && d.getDimValue() >= 0) {
        dims.add(Dim.of(d.getDimValue()));
      } else if (d.hasDimParam()) {
        dims.add(Dim.symbol(d.getDimParam()));
      } else {
        dims.add(Dim.UNKNOWN);
      }
    }
    return Shape.of(dims);
  }
}

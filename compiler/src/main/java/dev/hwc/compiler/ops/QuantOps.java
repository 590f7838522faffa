package dev.hwc.compiler.ops;

import static dev.hwc.compiler.ops.OpTrait.BROADCAST;
import static dev.hwc.compiler.ops.OpTrait.UNARY;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Shape;
import java.util.List;

/**
 * The ops quantized graphs are written in (ONNX's QDQ form): QuantizeLinear and DequantizeLinear,
 * and for dynamic quantization DynamicQuantizeLinear with MatMulInteger. They have no reference
 * kernels on purpose: constant folding must never turn a quantized weight back into floats.
 */
final class QuantOps {
  private QuantOps() {}

  static List<OpDef> all() {
    return List.of(
        // y = saturate(round(x / scale) + zero_point); the zero point's type is the output's (uint8 when absent)
        OpDef.named("QuantizeLinear").inputs(2, 3).attrs("axis:INT", "saturate:INT", "block_size:INT")
            .traits(UNARY)
            .shape(c -> c.out(c.hasInput(2) ? c.dtype(2) : DType.UINT8, c.shape(0))),
        // y = (x - zero_point) * scale, in the scale's type
        OpDef.named("DequantizeLinear").inputs(2, 3).attrs("axis:INT", "block_size:INT")
            .traits(UNARY)
            .shape(c -> c.out(c.dtype(1), c.shape(0))),
        // uint8 quantization with a scale and zero point computed from this run's min and max
        OpDef.named("DynamicQuantizeLinear").outputs(3)
            .shape(c -> c.out(DType.UINT8, c.shape(0), DType.FLOAT, Shape.SCALAR, DType.UINT8, Shape.SCALAR)),
        // integer matrix product with zero points, int32 result
        OpDef.named("MatMulInteger").inputs(2, 4).traits(BROADCAST)
            .shape(c -> {
              var mm = OpRegistry.lookup("MatMul").orElseThrow().shape().infer(c);
              return c.out(DType.INT32, mm.get(0).shape());
            }));
  }
}

package dev.hwc.compiler.ops;

import static dev.hwc.compiler.ops.OpTrait.NORMALIZATION;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX Runtime's contrib ops (domain {@code com.microsoft}) that hwc's transformer fusion passes emit
 * for ONNX Runtime targets: fused attention, residual + LayerNormalization, and GELU with its bias. They
 * are registered under {@code com.microsoft:OP} and are never folded or quantized by hwc (their
 * {@link QuantRule} is float). Semantics: onnxruntime docs/ContribOperators.md
 * (https://github.com/microsoft/onnxruntime/blob/main/docs/ContribOperators.md).
 */
public final class ContribOps {
  /** The domain of ONNX Runtime's contrib ops. */
  public static final String DOMAIN = "com.microsoft";

  private ContribOps() {}

  static List<OpDef> all() {
    return List.of(
        // Attention(input [B,S,H], weights [H, 3H], bias [3H], mask_index, past, attention_bias) -> [B,S,H]
        // (output width = V's hidden size: a third of the packed weight's columns, or qkv_hidden_sizes[2]).
        OpDef.named("Attention").inputs(2, 6).outputs(2)
            .attrs("num_heads:INT", "scale:FLOAT", "mask_filter_value:FLOAT", "unidirectional:INT",
                "qkv_hidden_sizes:INTS", "do_rotary:INT", "past_present_share_buffer:INT")
            .shape(c -> {
              Shape in = c.shape(0);
              Shape w = c.shape(1);
              if (!in.hasRank() || in.rank() != 3) {
                return c.out(c.dtype(0), Shape.UNKNOWN);
              }
              long[] qkv = c.attrs().getInts("qkv_hidden_sizes", null);
              Dim v = qkv != null && qkv.length == 3 ? Dim.of(qkv[2])
                  : w.hasRank() && w.rank() == 2 && w.dim(1).isStatic() ? Dim.of(w.dim(1).size() / 3) : Dim.UNKNOWN;
              return c.out(c.dtype(0), Shape.of(List.of(in.dim(0), in.dim(1), v)));
            }),
        // QAttention(input uint8 [B,S,H], weight int8 [H, 3H], bias [3H], input_scale, weight_scale [3H] or scalar,
        // mask_index, input_zero_point, weight_zero_point, past) -> float [B,S,H]: Attention with its packed QKV
        // projection integer (the dynamic int8 plans emit it behind DynamicQuantizeLinear)
        OpDef.named("QAttention").inputs(5, 9).outputs(2)
            .attrs("num_heads:INT", "scale:FLOAT", "mask_filter_value:FLOAT", "unidirectional:INT", "do_rotary:INT",
                "past_present_share_buffer:INT")
            .shape(c -> {
              Shape in = c.shape(0);
              Shape w = c.shape(1);
              if (!in.hasRank() || in.rank() != 3) {
                return c.out(c.dtype(2), Shape.UNKNOWN);
              }
              Dim v = w.hasRank() && w.rank() == 2 && w.dim(1).isStatic() ? Dim.of(w.dim(1).size() / 3) : Dim.UNKNOWN;
              return c.out(c.dtype(2), Shape.of(List.of(in.dim(0), in.dim(1), v)));
            }),
        // MultiHeadAttention(query [B,S,D], key [B,L,D], value [B,L,Dv], bias, key_padding_mask, ...) -> [B,S,Dv]
        OpDef.named("MultiHeadAttention").inputs(1, 10).outputs(3)
            .attrs("num_heads:INT", "scale:FLOAT", "mask_filter_value:FLOAT", "unidirectional:INT")
            .shape(c -> {
              Shape q = c.shape(0);
              Shape v = c.inputCount() > 2 && c.hasInput(2) ? c.shape(2) : Shape.UNKNOWN;
              if (!q.hasRank() || q.rank() != 3) {
                return c.out(c.dtype(0), Shape.UNKNOWN);
              }
              Dim dv = v.hasRank() && v.rank() == 3 ? v.dim(2) : q.dim(2);
              return c.out(c.dtype(0), Shape.of(List.of(q.dim(0), q.dim(1), dv)));
            }),
        // SkipLayerNormalization(input, skip, gamma, beta, bias) -> output, mean, inv_std_var, input+skip+bias
        OpDef.named("SkipLayerNormalization").inputs(3, 5).outputs(4).attrs("epsilon:FLOAT").traits(NORMALIZATION)
            .shape(c -> {
              Shape s = c.shape(0);
              List<Value> out = new ArrayList<>(c.out(c.dtype(0), s));
              for (int i = 1; i < c.node().outputs().size(); i++) {
                String name = c.node().output(i);
                if (name.isEmpty()) {
                  continue;
                }
                if (i == 3) {
                  out.add(new Value(name, c.dtype(0), s));
                } else {
                  List<Dim> d = s.hasRank() ? new ArrayList<>(s.dims()) : null;
                  if (d != null && !d.isEmpty()) {
                    d.set(d.size() - 1, Dim.of(1));
                  }
                  out.add(new Value(name, DType.FLOAT, d == null ? Shape.UNKNOWN : Shape.of(d)));
                }
              }
              return out;
            }),
        // BiasGelu(A, bias) = Gelu(A + bias), the exact (erf) GELU; FastGelu(X, bias?) is the tanh approximation.
        OpDef.named("BiasGelu").inputs(2, 2).shape(ElementwiseOps::sameAsInput),
        OpDef.named("FastGelu").inputs(1, 2).shape(ElementwiseOps::sameAsInput),
        OpDef.named("Gelu").inputs(1, 1).shape(ElementwiseOps::sameAsInput));
  }
}

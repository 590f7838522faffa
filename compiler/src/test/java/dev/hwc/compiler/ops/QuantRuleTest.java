package dev.hwc.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.quant.QuantScheme;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The quantization rules in the op registry, one per op, and the op sets the quantizer derives from them. */
class QuantRuleTest {
  private static QuantRule rule(String op) {
    return OpRegistry.lookup(op).orElseThrow().quant();
  }

  private static Node node(String op, Object... attrs) {
    return new Node("n", op, List.of("x", "w"), List.of("y"), Attributes.of(attrs));
  }

  @Test
  void weightedOpsNameTheirOutputChannelAxis() {
    assertEquals(0, rule("Conv").weightAxis().of(node("Conv"), new long[] {16, 3, 3, 3}));
    assertEquals(1, rule("ConvTranspose").weightAxis().of(node("ConvTranspose"), new long[] {16, 8, 2, 2}));
    assertEquals(-1, rule("ConvTranspose").weightAxis().of(node("ConvTranspose", "group", 2L), new long[] {16, 4, 2, 2}));
    assertEquals(0, rule("Gemm").weightAxis().of(node("Gemm", "transB", 1L), new long[] {10, 32}));
    assertEquals(1, rule("Gemm").weightAxis().of(node("Gemm"), new long[] {32, 10}));
    assertEquals(1, rule("MatMul").weightAxis().of(node("MatMul"), new long[] {384, 1536}));
    assertEquals(-1, rule("MatMul").weightAxis().of(node("MatMul"), new long[] {2, 384, 1536}));
    assertNull(rule("Add").weightAxis());
  }

  @Test
  void kindsFollowWhatTheKernelsDo() {
    for (String op : List.of("MaxPool", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Resize", "Pad",
        "Gather", "Slice", "Split", "Expand")) {
      assertEquals(QuantRule.Kind.SHARED, rule(op).kind(), op);
    }
    assertEquals(QuantRule.Kind.INTEGER, rule("Concat").kind(), "Concat has its own output params");
    assertEquals(QuantRule.Kind.CLAMP, rule("Relu").kind());
    assertEquals(QuantRule.Kind.CLAMP, rule("Clip").kind());
    for (String op : List.of("Sigmoid", "HardSwish", "LeakyRelu")) {
      assertEquals(QuantRule.Kind.INTEGER, rule(op).kind(), op);
      assertTrue(rule(op).onnxQdq(), op + ": QLinearSigmoid/QLinearLeakyRelu, HardSwish rewritten to QLinearAdd/Mul");
    }
    assertEquals(QuantRule.Kind.FLOAT, rule("HardSigmoid").kind(), "no integer kernel of its own");
    assertTrue(rule("HardSigmoid").onnxQdq(), "rewritten to QLinearAdd in QDQ");
    for (String op : List.of("Tanh", "Softmax", "ReduceMean", "Sub")) {
      assertEquals(QuantRule.Kind.INTEGER, rule(op).kind(), op);
      assertFalse(rule(op).onnxQdq(), op + " is quantized in full-integer formats only");
    }
    for (String op : List.of("Erf", "Div", "Pow", "Sqrt", "LayerNormalization", "Shape", "Cast")) {
      OpRegistry.lookup(op).ifPresent(d -> assertEquals(QuantRule.Kind.FLOAT, d.quant().kind(), op));
    }
  }

  @Test
  void theQuantizersOpSetsComeFromTheRegistry() {
    assertEquals(Set.of("Conv", "ConvTranspose", "Gemm", "MatMul", "Add", "Mul", "Concat", "AveragePool",
        "GlobalAveragePool", "Sigmoid", "LeakyRelu", "HardSwish", "HardSigmoid"), QuantScheme.SUPPORTED_OPS);
    Set<String> kernels = new java.util.HashSet<>(QuantScheme.SUPPORTED_OPS);
    kernels.remove("HardSigmoid"); // no int8 kernel of its own: TFLite builds lower it to Add, Clip, Mul
    assertTrue(QuantScheme.TFLITE_INT8_OPS.containsAll(kernels));
    assertFalse(QuantScheme.TFLITE_INT8_OPS.contains("HardSigmoid"));
    assertTrue(QuantScheme.TFLITE_INT8_OPS.containsAll(Set.of("Sigmoid", "Softmax", "Relu", "Clip", "ReduceMean")));
    assertFalse(QuantScheme.TFLITE_INT8_OPS.contains("MaxPool"), "shared, not an own-params kernel");
  }
}

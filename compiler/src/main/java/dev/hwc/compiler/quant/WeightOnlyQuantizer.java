package dev.hwc.compiler.quant;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ops.OpRegistry;
import dev.hwc.compiler.ops.QuantRule;
import dev.hwc.compiler.ops.ShapeInference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * int8 weights with float activations, the dynamic-range quantization of TFLite: each MatMul or
 * Gemm with constant 2-D float weights reads them through a DequantizeLinear of int8 values, one
 * scale per output column; activations stay float, and the runtime's hybrid kernel quantizes each
 * input per run (TFLite's FULLY_CONNECTED with int8 weights and float input). Large embedding
 * tables read by Gather become int8 with one scale (TFLite's GATHER copies int8 rows, a DEQUANTIZE
 * widens only those). No calibration.
 * The graph must be at opset 13 or later (per-axis DequantizeLinear).
 */
public final class WeightOnlyQuantizer {
  private WeightOnlyQuantizer() {}

  /** The rewritten graph and the layers whose weights became int8. */
  public record Result(Graph graph, List<String> layers) {}

  public static Result apply(Graph g, Set<String> keepFloatNodes) {
    Graph.Editor e = g.edit();
    StaticQuantizer.Names names = new StaticQuantizer.Names(g);
    List<String> layers = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (isTableLookup(g, n) && !keepFloatNodes.contains(n.name())) {
        // an embedding table: int8 with one scale (a gathered row has no row scale left to apply)
        WeightQuantizer.Quantized q = WeightQuantizer.perChannel(g.initializer(n.input(0)), -1, 127);
        String dq = StaticQuantizer.dequantized(e, names, n.input(0), q);
        List<String> ins = new ArrayList<>(n.inputs());
        ins.set(0, dq);
        e.replaceNode(n, List.of(n.withInputs(ins)));
        if (g.consumers(n.input(0)).size() == 1) {
          e.removeInitializer(n.input(0));
        }
        layers.add(n.name());
        continue;
      }
      boolean product = n.op().equals("MatMul") || n.op().equals("Gemm") && n.attrs().getInt("transA", 0) == 0;
      if (!product || keepFloatNodes.contains(n.name()) || !n.domain().isEmpty() || !g.isInitializer(n.input(1))) {
        continue;
      }
      Tensor w = g.initializer(n.input(1));
      if (w.rank() != 2 || w.dtype() != DType.FLOAT) {
        continue;
      }
      QuantRule.WeightAxis rule = OpRegistry.lookup(n.op()).orElseThrow().quant().weightAxis();
      int axis = rule.of(n, w.shape());
      WeightQuantizer.Quantized q = WeightQuantizer.perChannel(w, axis, 127);
      String base = n.input(1);
      String dq = StaticQuantizer.dequantized(e, names, base, q);
      List<String> ins = new ArrayList<>(n.inputs());
      ins.set(1, dq);
      e.replaceNode(n, List.of(n.withInputs(ins)));
      if (g.consumers(base).size() == 1 && !g.isGraphOutput(base)) {
        e.removeInitializer(base);
      }
      layers.add(n.name());
    }
    return new Result(ShapeInference.run(e.build()), layers);
  }

  /** A Gather along axis 0 from a large constant 2-D float table (word embeddings). */
  private static boolean isTableLookup(Graph g, Node n) {
    if (!n.op().equals("Gather") || n.attrs().getInt("axis", 0) != 0 || !g.isInitializer(n.input(0))) {
      return false;
    }
    Tensor t = g.initializer(n.input(0));
    return t.rank() == 2 && t.dtype() == DType.FLOAT && t.numElements() >= DynamicQuantizer.MIN_TABLE_ELEMENTS;
  }
}

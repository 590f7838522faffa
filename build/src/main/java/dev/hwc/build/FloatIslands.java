package dev.hwc.build;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.quant.QuantScheme;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which compute nodes of a QDQ graph run in float on a runtime that fuses QDQ groups (ONNX Runtime):
 * every node that is not a QuantizeLinear/DequantizeLinear, does not sit between DQs (or
 * constants) on all its inputs and Qs on all its readers, and does not read integers straight from
 * Qs, with the reason it stayed float.
 */
final class FloatIslands {
  private FloatIslands() {}

  /** Ops whose integer kernel writes float (QGemm, MatMulIntegerToFloat): integer without an output Q. */
  private static final Set<String> FLOAT_OUTPUT_KERNELS = Set.of("Gemm", "MatMul");

  /**
   * @param qdq the plan's QDQ graph
   * @param scheme the target's integer scheme
   * @param reasons why the search kept nodes float (user, calibration range, gate fallback, speed), by node name
   */
  static List<BuildReport.FloatNode> of(Graph qdq, QuantScheme scheme, Map<String, String> reasons) {
    List<BuildReport.FloatNode> out = new ArrayList<>();
    for (Node n : qdq.nodes()) {
      if (n.op().equals("QuantizeLinear") || n.op().equals("DequantizeLinear") || n.op().equals("Constant")) {
        continue;
      }
      boolean inputsQuantized = n.inputs().stream().allMatch(v -> v.isEmpty() || qdq.isInitializer(v)
          || qdq.producer(v) != null && qdq.producer(v).op().equals("DequantizeLinear"));
      boolean anyActivation = n.inputs().stream().anyMatch(v -> !v.isEmpty() && !qdq.isInitializer(v));
      // data movement on the integers themselves (an input conv's channel Pad between its Q and DQ)
      boolean onIntegers = n.inputs().stream().allMatch(v -> v.isEmpty() || qdq.isInitializer(v)
          || qdq.producer(v) != null && qdq.producer(v).op().equals("QuantizeLinear"));
      if (anyActivation && onIntegers) {
        continue;
      }
      boolean outputsQuantized = n.outputs().stream().allMatch(v -> !qdq.consumers(v).isEmpty()
          && qdq.consumers(v).stream().allMatch(r -> r.op().equals("QuantizeLinear")) && !qdq.isGraphOutput(v));
      if (!anyActivation || inputsQuantized && (outputsQuantized || FLOAT_OUTPUT_KERNELS.contains(n.op()))) {
        continue;
      }
      out.add(new BuildReport.FloatNode(n.name(), n.op(), reason(n, scheme, reasons, inputsQuantized)));
    }
    return out;
  }

  private static String reason(Node n, QuantScheme scheme, Map<String, String> reasons, boolean inputsQuantized) {
    if (reasons.containsKey(n.name())) {
      return reasons.get(n.name());
    }
    if (scheme.keepFloat().contains(n.op())) {
      return "kept in higher precision by the profile (keepHigherPrecision)";
    }
    if (!scheme.quantizedOps().contains(n.op()) && !scheme.sharedScaleOps().contains(n.op())) {
      return "no integer kernel for " + n.op() + " on this target (not in the profile's fusedQdqOps)";
    }
    return inputsQuantized ? "writes a graph output or a float reader (fp32 graph IO)" : "reads a float value (its producer stayed float)";
  }
}

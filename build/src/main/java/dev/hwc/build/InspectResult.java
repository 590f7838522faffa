package dev.hwc.build;

import dev.hwc.compiler.analysis.ModelStats;
import dev.hwc.compiler.ir.Value;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a model is made of, and which targets can run which of its ops.
 *
 * @param model the file inspected
 * @param bytes its size
 * @param opset its ONNX opset
 * @param inputs its graph inputs (with any fixed shapes)
 * @param outputs its graph outputs
 * @param stats node count, op histogram, parameters, of the model as read
 * @param macs multiply-accumulates of the optimized graph (the passes keep every product but make
 *     shapes known); -1 when symbolic dims leave them unknown
 * @param symbolicDims the inputs' symbolic dims (what --shape must fix for MACs to be known)
 * @param nodesAfterOptimization nodes after hwc's fp32 passes
 * @param legality per target, after hwc's fp32 passes (TFLite targets: on the graph their backend lowers)
 */
public record InspectResult(Path model, long bytes, int opset, List<Value> inputs, List<Value> outputs,
    ModelStats stats, long macs, Set<String> symbolicDims, int nodesAfterOptimization, List<TargetLegality> legality) {

  /**
   * Legality of one target, summarised.
   *
   * @param target the target's id
   * @param unit what was counted: the IR's nodes, or (on a target that partitions once) the lowered TFLite ops
   * @param supported ops the target runs
   * @param unsupported ops it cannot run
   * @param cpuAfterPartition ops that fall to the CPU after the target's one split
   * @param firstUnsupported the first op it cannot run, described; null when every op runs
   * @param unsupportedOps op to "xCOUNT  first reason", in name order (shape-only reasons share one line)
   */
  public record TargetLegality(String target, String unit, long supported, long unsupported, long cpuAfterPartition,
      String firstUnsupported, Map<String, String> unsupportedOps) {}
}

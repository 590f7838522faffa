package dev.hwc.profiles;

import java.util.List;

/**
 * What happens to ops the target cannot run. {@code mode} is one of {@link #MODES}:
 *
 * <ul>
 *   <li>{@code whole-graph}: every op must be legal for the target, or the build fails;
 *   <li>{@code first-unsupported-to-cpu}: the target's compiler partitions once; the first op it cannot map
 *       and every op after it run on the CPU (Edge TPU compiler);
 *   <li>{@code per-op-fallback}: the runtime runs each unsupported op on the CPU and the rest on the target
 *       (ONNX Runtime execution providers, TensorRT through ONNX Runtime).
 * </ul>
 */
public record Partitioning(String mode) {
  public static final List<String> MODES = List.of("whole-graph", "first-unsupported-to-cpu", "per-op-fallback");
  public static final Partitioning WHOLE_GRAPH = new Partitioning("whole-graph");

  public boolean isWholeGraph() {
    return "whole-graph".equals(mode);
  }

  public boolean isFirstUnsupportedToCpu() {
    return "first-unsupported-to-cpu".equals(mode);
  }

  public boolean isPerOpFallback() {
    return "per-op-fallback".equals(mode);
  }
}

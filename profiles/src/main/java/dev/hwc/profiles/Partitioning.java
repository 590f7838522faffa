package dev.hwc.profiles;

import java.util.List;

/**
 * What happens to ops the target cannot run: {@link PartitionMode#WHOLE_GRAPH} (the default),
 * {@link PartitionMode#FIRST_UNSUPPORTED_TO_CPU} (Edge TPU compiler) or {@link PartitionMode#PER_OP_FALLBACK}
 * (ONNX Runtime execution providers, TensorRT through ONNX Runtime).
 */
public record Partitioning(PartitionMode mode) {
  /** The names a profile file may give {@code partitioning.mode}. */
  public static final List<String> MODES = PartitionMode.ids();
  public static final Partitioning WHOLE_GRAPH = new Partitioning(PartitionMode.WHOLE_GRAPH);

  public boolean isWholeGraph() {
    return mode == PartitionMode.WHOLE_GRAPH;
  }

  public boolean isFirstUnsupportedToCpu() {
    return mode == PartitionMode.FIRST_UNSUPPORTED_TO_CPU;
  }

  public boolean isPerOpFallback() {
    return mode == PartitionMode.PER_OP_FALLBACK;
  }
}

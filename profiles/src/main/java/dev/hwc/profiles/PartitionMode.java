package dev.hwc.profiles;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What happens to ops a target cannot run; see {@link Partitioning}. */
public enum PartitionMode {
  /** Every op must be legal for the target, or the build fails. */
  WHOLE_GRAPH("whole-graph"),
  /** The target's compiler partitions once: the first op it cannot map and every op after it run on the CPU (Edge TPU). */
  FIRST_UNSUPPORTED_TO_CPU("first-unsupported-to-cpu"),
  /** The runtime runs each unsupported op on the CPU and the rest on the target (ONNX Runtime execution providers). */
  PER_OP_FALLBACK("per-op-fallback");

  private final String id;

  PartitionMode(String id) {
    this.id = id;
  }

  /** The name in profile files: {@code whole-graph}, {@code first-unsupported-to-cpu}, {@code per-op-fallback}. */
  @JsonValue
  public String id() {
    return id;
  }

  @Override
  public String toString() {
    return id;
  }

  public static Optional<PartitionMode> byId(String id) {
    return Arrays.stream(values()).filter(f -> f.id.equals(id)).findFirst();
  }

  public static List<String> ids() {
    return Arrays.stream(values()).map(PartitionMode::id).toList();
  }
}

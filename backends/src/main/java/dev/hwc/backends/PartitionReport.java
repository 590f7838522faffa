package dev.hwc.backends;

import java.util.List;

/**
 * How a target whose compiler partitions once (the Edge TPU) would split an artifact: each op in
 * execution order, mapped to the accelerator or not and why; the first op that does not map is the
 * split point, and it and every op after it run on the CPU.
 */
public interface PartitionReport {
  /** The target's id. */
  String target();

  /** The first op that does not map, -1 when all do. */
  int splitIndex();

  int opsTotal();

  List<? extends PartitionedOp> ops();

  /** A readable multi-line summary. */
  String summary();

  /** One op of the artifact as the partitioner judges it. */
  interface PartitionedOp {
    int index();

    /** The artifact's op (a TFLite builtin). */
    String op();

    /** The IR node it came from. */
    String origin();

    /** Why the lowering inserted it, "" when it is the node itself. */
    String role();

    /** Whether it runs on the accelerator. */
    boolean onTarget();

    /** Why it would not map (its own reasons, also after the split); empty when it would. */
    List<String> reasons();
  }
}

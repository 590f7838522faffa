package dev.hwc.backends;

import dev.hwc.profiles.ArtifactFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An artifact as a backend lowered it, with the facts of that one lowering.
 *
 * @param format the artifact format
 * @param extension file extension, without the dot
 * @param bytes the artifact's bytes; null when the facts were kept without them
 * @param ops the artifact's ops in execution order (TFLite builtins, ONNX op types)
 * @param notes findings for the build report (TRANSPOSE ops kept, concat ranges that differ...)
 * @param partition for a target that partitions once (Edge TPU), how its compiler would split this artifact
 */
public record Lowered(ArtifactFormat format, String extension, byte[] bytes, List<Op> ops, List<String> notes,
    Optional<PartitionReport> partition) {

  /**
   * One op of the artifact.
   *
   * @param name the op (TFLite builtin such as CONV_2D, or the ONNX op type)
   * @param version its version (TFLite builtin version, or the ONNX opset)
   * @param origin the IR node it lowers or serves ("" at the graph's edge)
   * @param role why the lowering inserted it ("requantize", "layout", "io", ...), "" when it is the node itself
   */
  public record Op(String name, int version, String origin, String role) {
    public boolean inserted() {
      return !role.isEmpty();
    }
  }

  public Lowered {
    ops = List.copyOf(ops);
    notes = List.copyOf(notes);
  }

  /** The ops the lowering inserted (not the IR's own nodes). */
  public List<Op> inserted() {
    return ops.stream().filter(Op::inserted).toList();
  }

  /** How many ops of each name, in name order. */
  public Map<String, Integer> opCounts() {
    Map<String, Integer> m = new TreeMap<>();
    ops.forEach(o -> m.merge(o.name(), 1, Integer::sum));
    return m;
  }

  /** The same facts without the artifact's bytes (what a build keeps of each candidate). */
  public Lowered withoutBytes() {
    return new Lowered(format, extension, null, ops, notes, partition);
  }
}

package dev.hwc.profiles;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A target's capability profile: what the artifact may contain so that the target runs it. Loaded from YAML
 * by {@link ProfileLoader}; see {@code package-info.java} for the file format.
 *
 * @param id short name, e.g. {@code edgetpu}
 * @param description one line for people
 * @param artifact the artifact format
 * @param runtime what loads and checks the artifact, one of {@link #RUNTIMES}
 * @param precisions legal data types per role
 * @param quantization integer-quantization rules; {@link Quantization#none()} for float-only targets
 * @param ops supported ops keyed by IR op name (the ONNX op type, e.g. {@code Conv}); an op not listed is
 *     unsupported
 * @param shapes shape limits for every tensor
 * @param memory memory sizes of the target
 * @param keepHigherPrecision IR op names kept in a float type by default on a quantized or fp16 build
 * @param partitioning what happens to unsupported ops
 * @param gate default accuracy gate
 * @param contribOps whether the backend may emit the runtime's own (non-standard-domain) ops the profile lists
 *     in {@code ops} as {@code domain:OP} (ONNX Runtime's {@code com.microsoft:Attention}...): hwc's fusion
 *     passes form them; false (or none listed) keeps the standard-op graph. Absent means true.
 * @param source where the profile came from: {@code builtin:<id>} or the file's path
 */
public record Profile(
    String id,
    String description,
    ArtifactFormat artifact,
    String runtime,
    Precisions precisions,
    Quantization quantization,
    Map<String, OpRule> ops,
    ShapeLimits shapes,
    Memory memory,
    List<String> keepHigherPrecision,
    Partitioning partitioning,
    Gate gate,
    Boolean contribOps,
    @JsonIgnore String source) {

  /** The names a profile file may give {@code artifact}. */
  public static final List<String> ARTIFACTS = ArtifactFormat.ids();
  public static final List<String> RUNTIMES = List.of("onnxruntime", "tflite", "tensorrt");

  public Profile {
    description = description == null ? "" : description;
    quantization = quantization == null ? Quantization.none() : quantization;
    ops = Copies.map(ops);
    shapes = shapes == null ? ShapeLimits.NONE : shapes;
    memory = memory == null ? Memory.UNKNOWN : memory;
    keepHigherPrecision = Copies.list(keepHigherPrecision);
    partitioning = partitioning == null ? Partitioning.WHOLE_GRAPH : partitioning;
    gate = gate == null ? Gate.DEFAULT : gate;
    contribOps = contribOps == null ? Boolean.TRUE : contribOps;
    source = source == null ? "" : source;
  }

  /** The same profile with another {@code source}. */
  public Profile withSource(String newSource) {
    return new Profile(id, description, artifact, runtime, precisions, quantization, ops, shapes, memory,
        keepHigherPrecision, partitioning, gate, contribOps, newSource);
  }

  /**
   * True when the backend may emit the runtime's op {@code domainOp} ({@code com.microsoft:Attention}): the
   * profile lists it in ops and its contribOps flag is on.
   */
  public boolean offersContrib(String domainOp) {
    return contribOps && ops.containsKey(domainOp);
  }

  public boolean supports(String op) {
    return ops.containsKey(op);
  }

  public Optional<OpRule> op(String op) {
    return Optional.ofNullable(ops.get(op));
  }

  /** The op's limits; empty when the op has none or is unsupported. */
  public List<Constraint> limits(String op) {
    OpRule rule = ops.get(op);
    return rule == null ? List.of() : rule.limits();
  }

  /** True when no activation may be a float type: everything inside the graph is integer (Edge TPU). */
  public boolean isIntegerOnly() {
    return !precisions.floatActivations();
  }

  /** True when some activations may stay in a float type. */
  public boolean allowsFloat() {
    return precisions.floatActivations();
  }

  /** True when the profile has integer-quantization rules. */
  public boolean isQuantized() {
    return quantization.enabled();
  }

  public boolean keepsHigherPrecision(String op) {
    return keepHigherPrecision.contains(op);
  }
}

package dev.hwc.profiles;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How a target runs one IR op.
 *
 * @param lowersTo the target's op the IR op becomes (e.g. TFLite {@code CONV_2D}); null when the artifact
 *     keeps the IR op (ONNX targets)
 * @param opVersion the target op's version to emit (TFLite builtin versions); null when not versioned
 * @param limits per-op limits from the {@link ConstraintKind} vocabulary; an op that breaks one is
 *     unsupported on this target
 * @param note free text for people: a limit the vocabulary cannot state, a lowering detail
 */
public record OpRule(String lowersTo, Integer opVersion, List<Constraint> limits, String note) {

  public OpRule {
    limits = Copies.list(limits);
    note = note == null ? "" : note;
  }

  /** An op supported without limits, lowering or version. */
  public static OpRule plain() {
    return new OpRule(null, null, List.of(), "");
  }

  public Optional<String> lowering() {
    return Optional.ofNullable(lowersTo);
  }

  public boolean has(ConstraintKind kind) {
    return limits.stream().anyMatch(c -> c.kind().equals(kind.yamlName()));
  }

  /** The value of a value-taking limit, or empty when the op has no such limit. */
  public OptionalLong value(ConstraintKind kind) {
    return limits.stream()
        .filter(c -> c.kind().equals(kind.yamlName()) && c.value() != null)
        .mapToLong(Constraint::value)
        .findFirst();
  }
}

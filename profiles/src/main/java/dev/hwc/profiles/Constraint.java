package dev.hwc.profiles;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

/**
 * One per-op limit: a {@code kind} from the {@link ConstraintKind} vocabulary and, for kinds that take one,
 * its integer {@code value} (null otherwise). The loader guarantees that {@code kind} is known and that
 * {@code value} is present exactly when the kind takes one. In YAML a limit is a bare kind
 * ({@code sameDilation}) or a one-entry mapping ({@code {maxElements: 16000}}).
 */
@JsonDeserialize(using = ConstraintDeserializer.class)
public record Constraint(String kind, Long value) {

  /** A limit without a value, e.g. {@code flag(ConstraintKind.SAME_DILATION)}. */
  public static Constraint flag(ConstraintKind kind) {
    return new Constraint(kind.yamlName(), null);
  }

  /** A limit with a value, e.g. {@code of(ConstraintKind.MAX_ELEMENTS, 16000)}. */
  public static Constraint of(ConstraintKind kind, long value) {
    return new Constraint(kind.yamlName(), value);
  }

  /** The kind as an enum constant; loaded profiles only hold known kinds. */
  public ConstraintKind type() {
    return ConstraintKind.byName(kind)
        .orElseThrow(() -> new IllegalStateException("unknown constraint kind '" + kind + "'"));
  }

  @Override
  public String toString() {
    return value == null ? kind : kind + "=" + value;
  }
}

package dev.hwc.build;

import dev.hwc.common.BadInputException;
import java.util.Locale;

/** The numeric precision of a build's weights: what {@code --precision} names. */
public enum Precision {
  FP32, FP16, INT8;

  /** The name profiles and reports use: "fp32", "fp16", "int8". */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** From a profile's or a user's name; bad input when it is none of fp32, fp16, int8. */
  public static Precision of(String id) {
    for (Precision p : values()) {
      if (p.id().equals(id)) {
        return p;
      }
    }
    throw new BadInputException("--precision must be fp32, fp16 or int8, got '" + id + "'");
  }

  @Override
  public String toString() {
    return id();
  }
}

package dev.hwc.build;

import dev.hwc.common.BadInputException;
import java.util.Locale;

/**
 * Which int8 plans a build tries: {@link #STATIC} (calibrated QDQ, or full-integer TFLite),
 * {@link #DYNAMIC} (MatMuls quantized per run, or TFLite's dynamic range), or {@link #AUTO}: both
 * where the target allows them, the faster one that passes the gate.
 */
public enum Scheme {
  AUTO, STATIC, DYNAMIC;

  /** The name {@code --scheme} takes: "auto", "static", "dynamic". */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Scheme of(String id) {
    for (Scheme s : values()) {
      if (s.id().equals(id)) {
        return s;
      }
    }
    throw new BadInputException("--scheme must be auto, static or dynamic, got '" + id + "'");
  }

  @Override
  public String toString() {
    return id();
  }
}

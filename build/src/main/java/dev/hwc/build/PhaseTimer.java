package dev.hwc.build;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Wall seconds per build phase, summed over repeats (report.json's {@code phaseSeconds}). */
final class PhaseTimer {
  /** A phase body that may throw. */
  interface Body<T> {
    T run() throws Exception;
  }

  private final Map<String, Long> nanos = new LinkedHashMap<>();

  <T> T time(String phase, Body<T> body) throws Exception {
    long t0 = System.nanoTime();
    try {
      return body.run();
    } finally {
      add(phase, System.nanoTime() - t0);
    }
  }

  void add(String phase, long ns) {
    nanos.merge(phase, ns, Long::sum);
  }

  /** Adds another timer's phases (summing those of the same name). */
  void addAll(PhaseTimer other) {
    other.nanos.forEach(this::add);
  }

  /** Seconds per phase, to the millisecond, in the order first timed. */
  Map<String, Double> seconds() {
    Map<String, Double> out = new LinkedHashMap<>();
    nanos.forEach((k, v) -> out.put(k, Math.round(v / 1e6) / 1e3));
    return Collections.unmodifiableMap(out);
  }
}

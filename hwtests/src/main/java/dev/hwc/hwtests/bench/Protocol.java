package dev.hwc.hwtests.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;

/**
 * The parent ↔ child protocol. The child writes one JSON object per line on stdout, each line
 * starting with {@link #PREFIX} (so stray native prints on stdout are ignored), and reads one
 * command per line on stdin: {@code warmup N}, {@code run K}, {@code stop}. Events: {@code ready}
 * (after load and first inference), {@code unavailable} (runtime missing here, with the reason),
 * {@code warm}, {@code batch} (per-inference nanoseconds), {@code done} (memory). Errors go to
 * stderr and the child exits non-zero: 2 for bad input, 3 for anything else.
 */
final class Protocol {
  static final String PREFIX = "@hwc-bench ";
  static final ObjectMapper JSON = new ObjectMapper();
  /** Most inferences in one batch (keeps a batch's reply line under a megabyte). */
  static final int MAX_BATCH = 10_000;

  private Protocol() {}

  static String line(Object event) {
    try {
      return PREFIX + JSON.writeValueAsString(event);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode parse(String line) {
    try {
      return JSON.readTree(line.substring(PREFIX.length()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("bench child sent a malformed line: " + line, e);
    }
  }
}

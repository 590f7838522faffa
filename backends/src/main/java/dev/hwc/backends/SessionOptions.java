package dev.hwc.backends;

/**
 * How a runtime session runs.
 *
 * @param threads intra-op threads, 0 for the runtime's default
 * @param optimize whether the runtime may apply its own graph optimizations
 */
public record SessionOptions(int threads, boolean optimize) {
  public static final SessionOptions DEFAULT = new SessionOptions(0, true);
}

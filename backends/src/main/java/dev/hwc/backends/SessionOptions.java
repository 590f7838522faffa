package dev.hwc.backends;

/**
 * How a runtime session runs.
 *
 * @param threads intra-op threads, 0 for the runtime's default
 * @param optimize whether the runtime may apply its own graph optimizations
 * @param sourceIo present the artifact's inputs and outputs as the source model's: float, in the
 *     source's layout (a TFLite model's NHWC or int8 IO is converted at the boundary), so a checker
 *     can feed the source model's samples and compare outputs directly; the harness leaves it off
 */
public record SessionOptions(int threads, boolean optimize, boolean sourceIo) {
  public static final SessionOptions DEFAULT = new SessionOptions(0, true, false);
  /** For comparing an artifact with its source model. */
  public static final SessionOptions SOURCE_IO = new SessionOptions(0, true, true);

  public SessionOptions(int threads, boolean optimize) {
    this(threads, optimize, false);
  }
}

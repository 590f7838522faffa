package dev.hwc.backends;

/**
 * One inference with its inputs already bound, for timing loops: {@link #run()} executes the model
 * and drops the outputs, so a loop over it times the runtime, not hwc's tensor conversions. Made by
 * {@link RuntimeSession#bind}; valid while its session is open.
 */
public interface BoundRun extends AutoCloseable {
  /** Runs the model once on the bound inputs. */
  void run() throws Exception;

  /** Releases what the binding holds (native input tensors); the session stays open. */
  @Override
  default void close() {}
}

package dev.hwc.build;

/** What a sweep reports while it runs; every method has an empty default. */
public interface SweepListener {
  SweepListener NONE = new SweepListener() {};

  /** A plain statement (a candidate not built and why, where data came from, the PNG skipped). */
  default void info(String message) {}

  /**
   * A candidate is about to be built (or read from the cache).
   *
   * @param index 1-based
   * @param total candidates to build
   * @param id the candidate's id
   * @param etaSeconds estimated seconds left (NaN before the first built candidate)
   */
  default void candidateStarted(int index, int total, String id, double etaSeconds) {}

  /** A candidate is done: its weakest metric, whether it passed, whether it came from the cache. */
  default void candidateFinished(int index, int total, SweepResult.Candidate c, boolean cached) {}
}

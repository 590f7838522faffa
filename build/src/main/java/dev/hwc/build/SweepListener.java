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

  /**
   * With more than one job: a candidate's build in a child process is done (before any timing, which
   * runs one candidate at a time after the builds).
   *
   * @param done builds finished so far
   * @param total builds to do
   * @param etaSeconds estimated seconds left for the builds
   */
  default void candidateBuilt(int done, int total, SweepResult.Candidate c, double etaSeconds) {}

  /** A candidate is done: its weakest metric, whether it passed, whether it came from the cache. */
  default void candidateFinished(int index, int total, SweepResult.Candidate c, boolean cached) {}
}

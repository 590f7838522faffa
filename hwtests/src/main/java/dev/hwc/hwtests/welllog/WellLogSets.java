package dev.hwc.hwtests.welllog;

/**
 * The seed ranges of the generated strips, disjoint so that no strip is both trained on and scored:
 * training strips of data seed d come from [TRAIN_BASE + d * TRAIN_SPAN, ... + TRAIN_SPAN).
 */
public final class WellLogSets {
  public static final long TRAIN_BASE = 0;
  public static final long TRAIN_SPAN = 10_000_000L;
  /** The held-out strips the README's numbers are measured on (200 of them). */
  public static final long HELD_OUT_BASE = 50_000_000_000L;
  /** The strips committed as examples/welllog/calib/strips.npz. */
  public static final long CALIB_BASE = 60_000_000_000L;
  /** The strips committed as examples/welllog/eval/strips.npz. */
  public static final long EVAL_BASE = 70_000_000_000L;

  private WellLogSets() {}
}

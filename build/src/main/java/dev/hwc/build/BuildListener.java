package dev.hwc.build;

import dev.hwc.compiler.quant.calib.Calibration;
import java.nio.file.Path;
import java.util.List;

/**
 * What a build reports while it runs, in order: the command line prints these as lines and progress
 * bars; a sweep or an IDE can draw its own. Every method has an empty default; calls come from the
 * thread that runs {@link Compiler#build}.
 */
public interface BuildListener {
  /** A listener that ignores everything. */
  BuildListener NONE = new BuildListener() {};

  /**
   * The build is set up: the model read and checked, the precision and the checking runtime chosen.
   *
   * @param model how the model is named (its path, "bundled example welllog.onnx", or the graph's name)
   * @param target the target's id
   * @param precision the precision being built
   * @param format the artifact format ("onnx", "tflite", "tensorrt")
   * @param checkedOn the runtime that checks the artifact
   */
  record Started(String model, String target, Precision precision, String format, String checkedOn) {}

  default void started(Started s) {}

  /** A plain statement of something the build decided or found (a warning, where data came from, a fallback). */
  default void info(String message) {}

  /** Calibration of a static int8 plan begins: {@code activations} ranges measured on {@code samples} samples. */
  default void calibrationStarted(int activations, int samples, Calibration method) {}

  /** Progress of a long step: "calibrate", "smooth" (per-channel measurements) or "sensitivity" (the fallback's ranking). */
  default void progress(String stage, int done, int total) {}

  /**
   * One fine-tuning step done.
   *
   * @param step steps done (1-based)
   * @param steps steps asked for
   * @param loss this step's loss
   * @param seconds seconds since fine-tuning began
   * @param etaSeconds estimated seconds left (step budget or time budget, whichever ends first)
   */
  record FineTuneStep(int step, int steps, double loss, double seconds, double etaSeconds) {}

  default void fineTuneStep(FineTuneStep s) {}

  /** An artifact was written for a plan (or for the fp32 reference): one lowering, with its facts. */
  default void lowered(Lowering lowering) {}

  /** A plan was emitted and judged against the gate. */
  default void planJudged(Plan plan) {}

  /** A plan failed the gate; the search ranks {@code layers} layers by how much quantizing each alone hurts. */
  default void fallbackStarted(Plan failed, int layers) {}

  /** A fallback step: the {@code keptFloat} most sensitive layers kept in float gave {@code plan}. */
  default void fallbackStep(int keptFloat, Plan plan) {}

  /** The speed check begins: fp32 against these plans, interleaved, {@code secondsEach} timed seconds each. */
  default void timingStarted(List<PlanKind> plans, double secondsEach) {}

  /** The speed check is done (or skipped: then {@code speed.measured()} is false and its note says why). */
  default void timingFinished(BuildReport.Speed speed) {}

  /**
   * One artifact written: the format, the file (in the build's working folder), and for TFLite the
   * lowering's facts (null for ONNX).
   */
  record Lowering(String format, Path file, long bytes, TfliteFacts tflite) {}
}

package dev.hwc.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Kneedle on falling curves: a flat-then-falling curve knees where it starts to fall; flat and straight ones do not. */
class KneeTest {
  private static final double[] X = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};

  @Test
  void flatThenFallingKneesAtTheLastFlatPoint() {
    double[] y = {1, 0.999, 0.998, 0.997, 0.996, 0.995, 0.99, 0.6, 0.3, 0.1};
    assertEquals(6, Knee.find(X, y, 0.01));
  }

  @Test
  void earlyBendIsFoundEarly() {
    double[] y = {1, 0.99, 0.7, 0.55, 0.5, 0.47, 0.45, 0.44, 0.43, 0.42};
    assertEquals(1, Knee.find(X, y, 0.01));
  }

  @Test
  void flatCurveHasNoKnee() {
    double[] y = {1, 1, 0.999, 0.999, 0.998, 0.998, 0.998, 0.997, 0.997, 0.996};
    assertEquals(-1, Knee.find(X, y, 0.01));
  }

  @Test
  void straightLineHasNoKnee() {
    double[] y = new double[X.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = 1 - 0.5 * X[i];
    }
    assertEquals(-1, Knee.find(X, y, 0.01));
  }

  private static SweepResult.Candidate candidate(double level, boolean passed, double weakest, long bytes, long gzip) {
    return new SweepResult.Candidate("c" + level, "s", "int8-dynamic", "lowrank", level, true, null, "dynamic", passed,
        passed ? "passes" : "fails", java.util.List.of(), "y", weakest, weakest, "mean cosine", java.util.List.of(),
        java.util.List.of(), false, bytes, gzip, null, null, "k");
  }

  @Test
  void theOperatingPointIsAStepThatBanksSomething() {
    // level 0.03 passes but is as large as the start (a low-rank level that factorized next to nothing);
    // level 0.05 is past the wall: the operating point stays at the start, not at the empty step
    var flat = java.util.List.of(candidate(0, true, 0.99, 1000, 900), candidate(0.03, true, 0.985, 1000, 901),
        candidate(0.05, false, 0.79, 800, 700), candidate(0.1, false, 0.67, 700, 600));
    SweepJob.Analysis a = SweepJob.analyseSeries("s", flat);
    assertEquals(2, a.wall());
    assertEquals(0, a.op());
    // the same series where level 0.03 is 5% smaller gzipped: that is the operating point
    var real = java.util.List.of(candidate(0, true, 0.99, 1000, 900), candidate(0.03, true, 0.985, 1000, 855),
        candidate(0.05, false, 0.79, 800, 700), candidate(0.1, false, 0.67, 700, 600));
    assertEquals(1, SweepJob.analyseSeries("s", real).op());
  }
}

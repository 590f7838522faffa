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
}

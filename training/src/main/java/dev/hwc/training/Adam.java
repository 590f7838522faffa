package dev.hwc.training;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba), applied in Java to the parameters the trainer feeds TensorFlow: the same
 * update as TensorFlow's ApplyAdam, bias-corrected, in double precision arithmetic per element, so
 * the optimizer itself is deterministic whatever the thread count.
 */
public final class Adam {
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final Map<String, float[]> m = new LinkedHashMap<>();
  private final Map<String, float[]> v = new LinkedHashMap<>();
  private long t;

  public Adam() {
    this(0.9, 0.999, 1e-8);
  }

  public Adam(double beta1, double beta2, double epsilon) {
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  /** One step: every parameter moves against its gradient at learning rate lr. */
  public void step(Map<String, float[]> params, Map<String, float[]> grads, double lr) {
    t++;
    double c1 = 1 - Math.pow(beta1, t);
    double c2 = 1 - Math.pow(beta2, t);
    double alpha = lr * Math.sqrt(c2) / c1;
    for (Map.Entry<String, float[]> e : params.entrySet()) {
      float[] p = e.getValue();
      float[] g = grads.get(e.getKey());
      if (g == null) {
        continue;
      }
      float[] mm = m.computeIfAbsent(e.getKey(), k -> new float[p.length]);
      float[] vv = v.computeIfAbsent(e.getKey(), k -> new float[p.length]);
      for (int i = 0; i < p.length; i++) {
        double gi = g[i];
        mm[i] = (float) (beta1 * mm[i] + (1 - beta1) * gi);
        vv[i] = (float) (beta2 * vv[i] + (1 - beta2) * gi * gi);
        p[i] = (float) (p[i] - alpha * mm[i] / (Math.sqrt(vv[i]) + epsilon));
      }
    }
  }

  public long steps() {
    return t;
  }
}

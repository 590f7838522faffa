package dev.hwc.hwtests;

import dev.hwc.compiler.ir.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-curve figures of a segmenter candidate against its reference, beside the per-channel IoU of
 * {@link Fidelity}: the curve read row by row from each thin-curve channel and scored by R² (against
 * the ground truth where the eval data has it, else against the curve read from the reference), and
 * whether the channel broke into more pieces than the reference's.
 */
public final class CurveFidelity {
  private final List<MaskSpec> specs;
  private final Map<String, Acc> acc = new LinkedHashMap<>();

  private static final class Acc {
    final CurveR2 candidate = new CurveR2();
    final CurveR2 reference = new CurveR2();
    long refFragments;
    long candFragments;
    boolean truth = true;
  }

  public CurveFidelity(List<MaskSpec> specs) {
    this.specs = List.copyOf(specs);
    for (MaskSpec s : specs) {
      for (int c : s.curves()) {
        acc.put(key(s, c), new Acc());
      }
    }
  }

  public boolean isEmpty() {
    return acc.isEmpty();
  }

  private static String key(MaskSpec s, int c) {
    return s.output() + "\u0000" + c;
  }

  /** Adds one sample's outputs; truth may be null (then R² is against the reference's curve). */
  public void add(Map<String, Tensor> reference, Map<String, Tensor> candidate, MaskTruth.Sample truth) {
    for (MaskSpec s : specs) {
      Tensor r = reference.get(s.output());
      Tensor k = candidate.get(s.output());
      if (r == null || k == null || r.rank() != 4) {
        continue;
      }
      long[] shape = r.shape();
      int h = (int) shape[2];
      int w = (int) shape[3];
      for (int n = 0; n < shape[0]; n++) {
        byte[] rc = CurveTrace.argmax(r, n);
        byte[] kc = CurveTrace.argmax(k, n);
        for (int j = 0; j < s.curves().size(); j++) {
          int c = s.curves().get(j);
          Acc a = acc.get(key(s, c));
          a.refFragments += CurveTrace.components(rc, w, h, c);
          a.candFragments += CurveTrace.components(kc, w, h, c);
          float[] kx = CurveTrace.extract(kc, w, h, c);
          float[] rx = CurveTrace.extract(rc, w, h, c);
          boolean hasTruth = truth != null && truth.curveX() != null && j < truth.curveX().length && shape[0] == 1
              && truth.curveX()[j].length == h;
          if (hasTruth) {
            a.candidate.add(kx, truth.curveX()[j], w);
            a.reference.add(rx, truth.curveX()[j], w);
          } else {
            a.truth = false;
            if (!Float.isNaN(rx[0])) {
              a.candidate.add(kx, rx, w);
            }
          }
        }
      }
    }
  }

  /**
   * The curve figures of a candidate artifact over an evaluation's samples, against the
   * evaluation's reference outputs and the ground truth stored beside the samples (see
   * {@link MaskTruth}); empty when no spec names a curve channel.
   */
  public static List<CurveResult> measure(Evaluation eval, dev.hwc.backends.Runtime runtime, java.nio.file.Path candidate,
      List<MaskSpec> specs) throws Exception {
    if (specs.stream().allMatch(s -> s.curves().isEmpty())) {
      return List.of();
    }
    List<MaskTruth.Sample> truth = MaskTruth.forSamples(eval.samples());
    CurveFidelity f = new CurveFidelity(specs);
    try (dev.hwc.backends.RuntimeSession s = eval.open(candidate)) {
      for (int i = 0; i < eval.size(); i++) {
        f.add(eval.referenceOutputs(i), s.run(eval.samples().get(i)), truth.get(i));
      }
    }
    return f.results();
  }

  public List<CurveResult> results() {
    List<CurveResult> out = new ArrayList<>();
    for (MaskSpec s : specs) {
      for (int c : s.curves()) {
        Acc a = acc.get(key(s, c));
        boolean truth = a.truth && a.candidate.rows() > 0;
        out.add(new CurveResult(s.output(), s.channel(c), c, a.candidate.r2(), truth ? "ground truth" : "input model",
            truth ? a.reference.r2() : Double.NaN, a.refFragments, a.candFragments,
            CurveResult.fragmented(a.refFragments, a.candFragments)));
      }
    }
    return out;
  }
}

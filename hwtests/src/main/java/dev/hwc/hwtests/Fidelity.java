package dev.hwc.hwtests;

import dev.hwc.compiler.ir.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-output accuracy of a candidate against a reference. Accumulates over many samples, so the
 * figures describe the whole eval set; the weakest output (lowest cosine) governs any gate.
 */
public final class Fidelity {
  private final Map<String, Acc> acc = new LinkedHashMap<>();

  private static final class Acc {
    double maxAbs;
    double sumAbs;
    double sumRefSq;
    double sumCandSq;
    double sumDot;
    double sumDiffSq;
    long n;
    long[] shape;
  }

  /** Adds one sample's outputs; both maps must hold the same names and shapes. */
  public void add(Map<String, Tensor> reference, Map<String, Tensor> candidate) {
    for (Map.Entry<String, Tensor> e : reference.entrySet()) {
      Tensor c = candidate.get(e.getKey());
      if (c == null) {
        throw new IllegalArgumentException("candidate has no output '" + e.getKey() + "'");
      }
      if (!Arrays.equals(c.shape(), e.getValue().shape())) {
        throw new IllegalArgumentException("output '" + e.getKey() + "' has shape "
            + Arrays.toString(c.shape()) + ", reference " + Arrays.toString(e.getValue().shape()));
      }
      double[] r = e.getValue().toDoubles();
      double[] k = c.toDoubles();
      Acc a = acc.computeIfAbsent(e.getKey(), x -> new Acc());
      a.shape = e.getValue().shape();
      for (int i = 0; i < r.length; i++) {
        double d = k[i] - r[i];
        a.maxAbs = Math.max(a.maxAbs, Math.abs(d));
        a.sumAbs += Math.abs(d);
        a.sumRefSq += r[i] * r[i];
        a.sumCandSq += k[i] * k[i];
        a.sumDot += r[i] * k[i];
        a.sumDiffSq += d * d;
      }
      a.n += r.length;
    }
  }

  /** The figures per output, in the reference's output order. */
  public List<OutputFidelity> results() {
    List<OutputFidelity> out = new ArrayList<>();
    acc.forEach((name, a) -> {
      double norms = Math.sqrt(a.sumRefSq) * Math.sqrt(a.sumCandSq);
      double cosine = norms == 0 ? (a.sumRefSq == a.sumCandSq ? 1 : 0) : a.sumDot / norms;
      double relL2 = a.sumRefSq == 0 ? (a.sumDiffSq == 0 ? 0 : Double.POSITIVE_INFINITY)
          : Math.sqrt(a.sumDiffSq / a.sumRefSq);
      double snr = a.sumDiffSq == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(a.sumRefSq / a.sumDiffSq);
      out.add(new OutputFidelity(name, a.maxAbs, a.n == 0 ? 0 : a.sumAbs / a.n, relL2, cosine, snr));
    });
    return out;
  }

  /** The output with the lowest cosine: the one that governs a gate. */
  public static OutputFidelity weakest(List<OutputFidelity> results) {
    return results.stream().min(Comparator.comparingDouble(OutputFidelity::cosine)).orElseThrow();
  }

  /** One-sample convenience. */
  public static List<OutputFidelity> compare(Map<String, Tensor> reference, Map<String, Tensor> candidate) {
    Fidelity f = new Fidelity();
    f.add(reference, candidate);
    return f.results();
  }
}

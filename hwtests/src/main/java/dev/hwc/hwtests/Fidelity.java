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
  private final Map<String, OutputKind> kinds;

  /** Numeric figures only (every output judged as regression). */
  public Fidelity() {
    this(Map.of());
  }

  /** With output kinds: masks and labels also get an IoU per channel or class. */
  public Fidelity(Map<String, OutputKind> kinds) {
    this.kinds = Map.copyOf(kinds);
  }

  private static final class Acc {
    double maxAbs;
    double sumAbs;
    double sumRefSq;
    double sumCandSq;
    double sumDot;
    double sumDiffSq;
    long n;
    long[] shape;
    long[] intersection;
    long[] union;
    double pooledSum;
    double pooledWorst = Double.POSITIVE_INFINITY;
    long pooledRows;
    String weightedBy;
  }

  /** Adds one sample's outputs; both maps must hold the same names and shapes. */
  public void add(Map<String, Tensor> reference, Map<String, Tensor> candidate) {
    add(Map.of(), reference, candidate);
  }

  /**
   * Adds one sample's outputs, with the inputs that produced them (an embedding output is pooled with
   * the sample's attention mask, when it has one).
   */
  public void add(Map<String, Tensor> inputs, Map<String, Tensor> reference, Map<String, Tensor> candidate) {
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
      OutputKind kind = kinds.getOrDefault(e.getKey(), OutputKind.REGRESSION);
      if ((kind == OutputKind.MASK || kind == OutputKind.LABELS) && a.shape.length >= 2) {
        addIoU(a, kind, r, k);
      }
      if (kind == OutputKind.EMBEDDING && (a.shape.length == 2 || a.shape.length == 3)) {
        addPooled(a, inputs, r, k);
      }
    }
  }

  /**
   * Rows of an embedding: [batch, dim] as they are; [batch, tokens, dim] mean-pooled over the tokens,
   * each token weighted by the sample's input of shape [batch, tokens] whose name says mask (so padding
   * counts for nothing, as sentence-embedding users pool), or alike when there is none.
   */
  private static void addPooled(Acc a, Map<String, Tensor> inputs, double[] r, double[] k) {
    int batch = Math.toIntExact(a.shape[0]);
    int tokens = a.shape.length == 3 ? Math.toIntExact(a.shape[1]) : 1;
    int dim = Math.toIntExact(a.shape[a.shape.length - 1]);
    double[] weight = null;
    if (a.shape.length == 3) {
      for (Map.Entry<String, Tensor> in : inputs.entrySet()) {
        long[] s = in.getValue().shape();
        if (s.length == 2 && s[0] == batch && s[1] == tokens
            && in.getKey().toLowerCase(java.util.Locale.ROOT).contains("mask")) {
          weight = in.getValue().toDoubles();
          a.weightedBy = in.getKey();
          break;
        }
      }
    }
    double[] pr = new double[dim];
    double[] pk = new double[dim];
    for (int b = 0; b < batch; b++) {
      Arrays.fill(pr, 0);
      Arrays.fill(pk, 0);
      for (int t = 0; t < tokens; t++) {
        double w = weight == null ? 1 : (weight[b * tokens + t] != 0 ? 1 : 0);
        if (w == 0) {
          continue;
        }
        int base = (b * tokens + t) * dim;
        for (int d = 0; d < dim; d++) {
          pr[d] += r[base + d];
          pk[d] += k[base + d];
        }
      }
      double dot = 0;
      double nr = 0;
      double nk = 0;
      for (int d = 0; d < dim; d++) {
        dot += pr[d] * pk[d];
        nr += pr[d] * pr[d];
        nk += pk[d] * pk[d];
      }
      // the mean's 1/count cancels in the cosine
      double cos = nr == 0 || nk == 0 ? (nr == nk ? 1 : 0) : dot / Math.sqrt(nr * nk);
      a.pooledSum += cos;
      a.pooledWorst = Math.min(a.pooledWorst, cos);
      a.pooledRows++;
    }
  }

  /** Per channel (axis 1): pixels on in reference and candidate, and on in either. */
  private static void addIoU(Acc a, OutputKind kind, double[] r, double[] k) {
    int channels = (int) a.shape[1];
    long inner = 1;
    for (int d = 2; d < a.shape.length; d++) {
      inner *= a.shape[d];
    }
    if (a.intersection == null) {
      a.intersection = new long[channels];
      a.union = new long[channels];
    }
    long outer = r.length / (channels * inner);
    for (long o = 0; o < outer; o++) {
      for (long p = 0; p < inner; p++) {
        int rc = -1;
        int kc = -1;
        if (kind == OutputKind.LABELS) {
          rc = argmax(r, o, p, channels, inner);
          kc = argmax(k, o, p, channels, inner);
        }
        for (int c = 0; c < channels; c++) {
          int i = (int) ((o * channels + c) * inner + p);
          boolean ref = kind == OutputKind.LABELS ? rc == c : r[i] >= 0.5;
          boolean cand = kind == OutputKind.LABELS ? kc == c : k[i] >= 0.5;
          if (ref && cand) {
            a.intersection[c]++;
          }
          if (ref || cand) {
            a.union[c]++;
          }
        }
      }
    }
  }

  private static int argmax(double[] v, long o, long p, int channels, long inner) {
    int best = 0;
    for (int c = 1; c < channels; c++) {
      if (v[(int) ((o * channels + c) * inner + p)] > v[(int) ((o * channels + best) * inner + p)]) {
        best = c;
      }
    }
    return best;
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
      double[] iou = new double[a.intersection == null ? 0 : a.intersection.length];
      for (int c = 0; c < iou.length; c++) {
        iou[c] = a.union[c] == 0 ? 1 : (double) a.intersection[c] / a.union[c];
      }
      out.add(new OutputFidelity(name, a.maxAbs, a.n == 0 ? 0 : a.sumAbs / a.n, relL2, cosine, snr,
          kinds.getOrDefault(name, OutputKind.REGRESSION), iou, a.pooledRows == 0 ? null
              : new OutputFidelity.Pooled(a.pooledSum / a.pooledRows, a.pooledWorst, a.pooledRows, a.weightedBy)));
    });
    return out;
  }

  /** The output with the lowest cosine: the one that governs a gate. */
  public static OutputFidelity weakest(List<OutputFidelity> results) {
    return results.stream().min(Comparator.comparingDouble(OutputFidelity::cosine)).orElseThrow();
  }

  /** The output holding the lowest per-channel IoU, if any output has IoU. */
  public static java.util.Optional<OutputFidelity> weakestMask(List<OutputFidelity> results) {
    return results.stream().filter(o -> o.iou().length > 0).min(Comparator.comparingDouble(OutputFidelity::minIoU));
  }

  /** One-sample convenience. */
  public static List<OutputFidelity> compare(Map<String, Tensor> reference, Map<String, Tensor> candidate) {
    Fidelity f = new Fidelity();
    f.add(reference, candidate);
    return f.results();
  }
}

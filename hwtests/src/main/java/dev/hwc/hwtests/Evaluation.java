package dev.hwc.hwtests;

import dev.hwc.backends.Runtime;
import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compares candidate artifacts with a reference model on an eval set, per output. The reference
 * runs once per sample and its outputs are kept, so every candidate (a quantization plan, a
 * fallback step) is judged on the same numbers.
 */
public final class Evaluation {
  private final Runtime runtime;
  private final SampleSet samples;
  private final Map<String, OutputKind> kinds;
  private final List<Map<String, Tensor>> reference = new ArrayList<>();

  /** @param kinds output kinds (masks and labels get IoU per channel); see {@link OutputKind#infer} */
  public Evaluation(Runtime runtime, Path referenceModel, SampleSet samples, Map<String, OutputKind> kinds)
      throws Exception {
    this.runtime = runtime;
    this.samples = samples;
    this.kinds = Map.copyOf(kinds);
    try (RuntimeSession s = runtime.open(referenceModel, SessionOptions.DEFAULT)) {
      for (int i = 0; i < samples.size(); i++) {
        reference.add(s.run(samples.get(i)));
      }
    }
  }

  public int size() {
    return samples.size();
  }

  /** Per-output fidelity of a candidate over the whole eval set (or its first {@code limit} samples). */
  public List<OutputFidelity> compare(Path candidate, int limit) throws Exception {
    Fidelity f = new Fidelity(kinds);
    try (RuntimeSession s = runtime.open(candidate, SessionOptions.DEFAULT)) {
      for (int i = 0; i < Math.min(limit, samples.size()); i++) {
        f.add(reference.get(i), s.run(samples.get(i)));
      }
    }
    return f.results();
  }

  public List<OutputFidelity> compare(Path candidate) throws Exception {
    return compare(candidate, Integer.MAX_VALUE);
  }

  /** The reference outputs of sample i. */
  public Map<String, Tensor> referenceOutputs(int i) {
    return reference.get(i);
  }

  public SampleSet samples() {
    return samples;
  }
}

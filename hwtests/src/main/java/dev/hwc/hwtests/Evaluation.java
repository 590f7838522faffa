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
  private final SessionOptions candidateOptions;
  private final Map<String, OutputKind> kinds;
  private final List<Map<String, Tensor>> reference = new ArrayList<>();

  /** @param kinds output kinds (masks and labels get IoU per channel); see {@link OutputKind#infer} */
  public Evaluation(Runtime runtime, Path referenceModel, SampleSet samples, Map<String, OutputKind> kinds)
      throws Exception {
    this(runtime, referenceModel, runtime, samples, kinds);
  }

  /**
   * The reference model runs on {@code referenceRuntime} (ONNX Runtime for an ONNX source), the
   * candidates on {@code runtime}, seen with the source's IO (float, source layout; see
   * {@link SessionOptions#sourceIo()}), so a TFLite artifact is judged against the ONNX model itself.
   */
  public Evaluation(Runtime referenceRuntime, Path referenceModel, Runtime runtime, SampleSet samples,
      Map<String, OutputKind> kinds) throws Exception {
    this.runtime = runtime;
    this.samples = samples;
    this.kinds = Map.copyOf(kinds);
    this.candidateOptions = SessionOptions.SOURCE_IO;
    try (RuntimeSession s = referenceRuntime.open(referenceModel, SessionOptions.DEFAULT)) {
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
    try (RuntimeSession s = open(candidate)) {
      for (int i = 0; i < Math.min(limit, samples.size()); i++) {
        Map<String, Tensor> in = samples.get(i);
        f.add(in, reference.get(i), s.run(in));
      }
    }
    return f.results();
  }

  /**
   * As {@link #compare(Path, int)} for a serialized ONNX candidate held in memory, or null when the
   * candidates' runtime takes no ONNX bytes (the caller then writes the file and compares that).
   */
  public List<OutputFidelity> compareOnnxBytes(byte[] candidate, int limit) throws Exception {
    RuntimeSession s = runtime.openOnnxBytes(candidate, "in-memory plan", candidateOptions);
    if (s == null) {
      return null;
    }
    Fidelity f = new Fidelity(kinds);
    try (s) {
      for (int i = 0; i < Math.min(limit, samples.size()); i++) {
        Map<String, Tensor> in = samples.get(i);
        f.add(in, reference.get(i), s.run(in));
      }
    }
    return f.results();
  }

  public List<OutputFidelity> compare(Path candidate) throws Exception {
    return compare(candidate, Integer.MAX_VALUE);
  }

  /** A candidate opened the way the comparisons open it. */
  public RuntimeSession open(Path candidate) throws Exception {
    return runtime.open(candidate, candidateOptions);
  }

  /** The runtime the candidates run on. */
  public Runtime runtime() {
    return runtime;
  }

  /** The reference outputs of sample i. */
  public Map<String, Tensor> referenceOutputs(int i) {
    return reference.get(i);
  }

  public SampleSet samples() {
    return samples;
  }
}

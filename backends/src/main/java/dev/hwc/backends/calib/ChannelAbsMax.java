package dev.hwc.backends.calib;

import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The largest magnitude of each channel (the last axis) of some activations over calibration
 * samples, as activation smoothing needs. Streams: one sample's activations at a time.
 */
public final class ChannelAbsMax {
  private ChannelAbsMax() {}

  /** Accumulates per-channel magnitudes from samples' computed values (a calibration run's tap). */
  public static final class Accumulator implements java.util.function.Consumer<Map<String, Tensor>> {
    private final Collection<String> names;
    private final Map<String, float[]> out = new LinkedHashMap<>();

    public Accumulator(Collection<String> names) {
      this.names = List.copyOf(names);
    }

    @Override
    public void accept(Map<String, Tensor> values) {
      for (String n : names) {
        Tensor t = values.get(n);
        if (t != null) {
          add(out, n, t);
        }
      }
    }

    /** The per-channel magnitudes so far, for every name seen. */
    public Map<String, float[]> result() {
      return out;
    }
  }

  private static void add(Map<String, float[]> out, String n, Tensor t) {
    long[] shape = t.shape();
    int k = (int) shape[shape.length - 1];
    float[] v = t.toFloats();
    float[] m = out.computeIfAbsent(n, x -> new float[k]);
    for (int q = 0; q < v.length; q++) {
      m[q % k] = Math.max(m[q % k], Math.abs(v[q]));
    }
  }

  public static Map<String, float[]> measure(Graph g, Collection<String> names, SampleSet samples,
      Calibrator.Progress progress) throws Exception {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (IntermediateRunner r = IntermediateRunner.open(g, names, SessionOptions.DEFAULT)) {
      for (int i = 0; i < samples.size(); i++) {
        Map<String, Tensor> values = r.run(samples.get(i));
        for (String n : names) {
          Tensor t = values.get(n);
          long[] shape = t.shape();
          int k = (int) shape[shape.length - 1];
          float[] v = t.toFloats();
          float[] m = out.computeIfAbsent(n, x -> new float[k]);
          for (int q = 0; q < v.length; q++) {
            m[q % k] = Math.max(m[q % k], Math.abs(v[q]));
          }
        }
        progress.update(i + 1, samples.size());
      }
    }
    return out;
  }
}

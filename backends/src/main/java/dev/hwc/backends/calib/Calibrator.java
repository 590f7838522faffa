package dev.hwc.backends.calib;

import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.data.NonFinite;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.quant.calib.Calibration;
import dev.hwc.compiler.quant.calib.ChannelMeanCollector;
import dev.hwc.compiler.quant.calib.RangeCollector;
import dev.hwc.compiler.quant.calib.TensorRange;
import dev.hwc.common.BadInputException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * Calibration: runs a float graph on ONNX Runtime over a {@link SampleSet}, one sample at a time,
 * and feeds every observed activation to its {@link RangeCollector} (and, where asked, a
 * {@link ChannelMeanCollector} for bias correction). Only one sample's activations exist at any
 * time; collectors hold histograms, never values. Observed values are graph inputs or node outputs
 * of a float type; the graph itself is not changed (a copy with those values as outputs is run).
 *
 * <p>The ranges set int8 scales, so calibration refuses a sample whose float graph input holds NaN or
 * infinite values, or on which an observed activation computes NaN (infinities in activations are
 * left to the collectors, which ignore them: a -inf mask fill is legitimate).
 */
public final class Calibrator {
  private Calibrator() {}

  /** Reports progress after each sample: {@code done} of {@code total}. */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (done, total) -> {};

    void update(int done, int total);
  }

  /**
   * How calibration runs.
   *
   * @param session ONNX Runtime options (default threads and optimizations unless told otherwise)
   * @param channelMeanAxes observed values whose per-channel mean to collect, with the channel axis
   *     (1 for an NCHW Conv input, -1 for a MatMul input); each must be observed
   * @param progress called after every sample
   * @param tapNames more values to compute on every sample, handed to {@code tap} (not calibrated)
   * @param tap given every sample's computed values (observed and tapped): another statistic from the
   *     same runs (the per-channel magnitudes activation smoothing needs), instead of a second pass
   */
  public record Options(SessionOptions session, Map<String, Integer> channelMeanAxes, Progress progress,
      java.util.Set<String> tapNames, java.util.function.Consumer<Map<String, Tensor>> tap) {
    public static final Options DEFAULT = new Options(SessionOptions.DEFAULT, Map.of(), Progress.NONE);

    public Options {
      session = session == null ? SessionOptions.DEFAULT : session;
      channelMeanAxes = Map.copyOf(channelMeanAxes == null ? Map.of() : channelMeanAxes);
      progress = progress == null ? Progress.NONE : progress;
      tapNames = tapNames == null ? java.util.Set.of() : java.util.Set.copyOf(tapNames);
      tap = tap == null ? v -> {} : tap;
    }

    public Options(SessionOptions session, Map<String, Integer> channelMeanAxes, Progress progress) {
      this(session, channelMeanAxes, progress, null, null);
    }

    public Options withSession(SessionOptions s) {
      return new Options(s, channelMeanAxes, progress, tapNames, tap);
    }

    public Options withChannelMeans(Map<String, Integer> axes) {
      return new Options(session, axes, progress, tapNames, tap);
    }

    /** These options also computing {@code names} on every sample and handing each sample's values to {@code tap}. */
    public Options withTap(java.util.Collection<String> names, java.util.function.Consumer<Map<String, Tensor>> t) {
      return new Options(session, channelMeanAxes, progress, new java.util.LinkedHashSet<>(names), t);
    }

    public Options withProgress(Progress p) {
      return new Options(session, channelMeanAxes, p, tapNames, tap);
    }
  }

  /** Calibrates {@code observe} with one method and default options. */
  public static Map<String, TensorRange> calibrate(
      Graph g, Collection<String> observe, SampleSet samples, Calibration method) throws Exception {
    return calibrate(g, observe, samples, method, Options.DEFAULT);
  }

  /** Calibrates {@code observe} with one method. */
  public static Map<String, TensorRange> calibrate(
      Graph g, Collection<String> observe, SampleSet samples, Calibration method, Options options) throws Exception {
    Map<String, Calibration> each = new LinkedHashMap<>();
    for (String name : new LinkedHashSet<>(observe)) {
      each.put(name, method);
    }
    return calibrate(g, each, samples, options);
  }

  /**
   * Calibrates each observed value with its own method; the result has one {@link TensorRange} per
   * value, in the order given.
   *
   * @throws BadInputException when there are no samples, a sample does not fit the graph, an
   *     observed value is not floating-point, a float graph input holds NaN/Inf or an observed value
   *     computes NaN (message names the sample and the input or value)
   * @throws IllegalArgumentException for an unknown or constant value name
   */
  public static Map<String, TensorRange> calibrate(
      Graph g, Map<String, Calibration> observe, SampleSet samples, Options options) throws Exception {
    for (String name : options.channelMeanAxes().keySet()) {
      if (!observe.containsKey(name)) {
        throw new IllegalArgumentException("channel mean asked for '" + name + "', which is not observed");
      }
    }
    int n = samples.size();
    if (n == 0) {
      throw new BadInputException("no calibration samples");
    }
    Map<String, RangeCollector> ranges = new LinkedHashMap<>();
    observe.forEach((name, method) -> ranges.put(name, method.newCollector()));
    Map<String, ChannelMeanCollector> means = new HashMap<>();
    options.channelMeanAxes().forEach((name, axis) -> means.put(name, new ChannelMeanCollector(axis)));

    java.util.Set<String> computed = new java.util.LinkedHashSet<>(ranges.keySet());
    computed.addAll(options.tapNames());
    try (IntermediateRunner runner = IntermediateRunner.open(g, computed, options.session())) {
      for (int i = 0; i < n; i++) {
        Map<String, Tensor> values;
        Map<String, Tensor> sample = samples.get(i);
        for (var in : g.inputs()) {
          Tensor t = sample.get(in.name());
          long bad = t == null ? 0 : NonFinite.count(t);
          if (bad > 0) {
            throw new BadInputException(samples.label(i) + ": input '" + in.name() + "' holds " + bad + " NaN/Inf of "
                + t.numElements() + " values; int8 ranges are calibrated on finite samples only");
          }
        }
        try {
          values = runner.run(sample);
        } catch (BadInputException e) {
          throw new BadInputException(samples.label(i) + ": " + e.getMessage(), e);
        }
        for (Map.Entry<String, Tensor> v : values.entrySet()) {
          if (!ranges.containsKey(v.getKey())) {
            continue; // tapped only
          }
          Tensor t = v.getValue();
          if (!t.dtype().isFloat()) {
            throw new BadInputException(samples.label(i) + ": calibration observes float values, '" + v.getKey()
                + "' is " + t.dtype().shortName());
          }
          long nan = NonFinite.countNaN(t);
          if (nan > 0) {
            throw new BadInputException(samples.label(i) + ": '" + v.getKey() + "' computes " + nan + " NaN of "
                + t.numElements() + " values on this sample; int8 ranges need finite activations");
          }
          ranges.get(v.getKey()).add(t);
          ChannelMeanCollector m = means.get(v.getKey());
          if (m != null) {
            m.add(t);
          }
        }
        options.tap().accept(values);
        options.progress().update(i + 1, n);
      }
    }
    Map<String, TensorRange> out = new LinkedHashMap<>();
    ranges.forEach((name, c) -> {
      ChannelMeanCollector m = means.get(name);
      out.put(name, TensorRange.of(name, c, n, m == null ? null : m.mean()));
    });
    return out;
  }

  /**
   * Runs {@code g} once on {@code sample} and returns the named values (graph inputs, node outputs,
   * graph outputs), in the order given. For many samples, open an {@link IntermediateRunner}.
   */
  public static Map<String, Tensor> runIntermediates(Graph g, Map<String, Tensor> sample, Collection<String> names)
      throws Exception {
    try (IntermediateRunner r = IntermediateRunner.open(g, names, SessionOptions.DEFAULT)) {
      return r.run(sample);
    }
  }
}

package dev.hwc.build;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Graph;
import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * Fine-tunes a compressed graph so that it recovers what compression cost, keeping its structure
 * and its pruned zeros. The implementation lives in hwc's training module (TensorFlow Java), which
 * the library finds through {@link ServiceLoader}: the command-line jar stays free of TensorFlow's
 * natives, and the {@code hwc} launcher puts the training module on the class path beside it.
 */
public interface FineTuner {
  /**
   * @param student the compressed float graph to train
   * @param teacher the float graph before compression (the distillation target)
   * @param inputs unlabelled model inputs to train on (the training set; never the eval set)
   * @param spec steps, time budget, seed, mode
   * @param listener progress (one {@link BuildListener#fineTuneStep} per step)
   * @param int8 the target's integer rules, which fake quantization ({@code qat=M}) simulates; null when
   *     the build does not quantize
   */
  record Request(Graph student, Graph teacher, SampleSet inputs, Compression.FineTune spec, BuildListener listener,
      Int8 int8) {
    /** For a build that does not quantize. */
    public Request(Graph student, Graph teacher, SampleSet inputs, Compression.FineTune spec, BuildListener listener) {
      this(student, teacher, inputs, spec, listener, null);
    }
  }

  /**
   * What the target's int8 build will round, for fake quantization: its weight and activation rules
   * and the ops it keeps in float (whose inputs are left unrounded).
   */
  record Int8(dev.hwc.profiles.WeightQuant weights, dev.hwc.profiles.ActivationQuant activations,
      java.util.Set<String> floatOps) {
    public Int8 {
      floatOps = java.util.Set.copyOf(floatOps);
    }

    /** A profile's rules, or null when it does not quantize. */
    public static Int8 of(dev.hwc.profiles.Profile p) {
      dev.hwc.profiles.Quantization q = p.quantization();
      return q == null || !q.enabled() ? null : new Int8(q.weights(), q.activations(), java.util.Set.copyOf(p.keepHigherPrecision()));
    }
  }

  /**
   * @param graph the fine-tuned graph (same nodes and initializer names as the student)
   * @param steps optimizer steps taken (fewer than asked when the time budget ran out)
   * @param seconds wall time of the training
   * @param lossBefore mean loss over the first steps
   * @param lossAfter mean loss over the last steps
   * @param summary one line for the build's notes
   */
  record Result(Graph graph, int steps, double seconds, double lossBefore, double lossAfter, String summary) {}

  Result fineTune(Request request);

  /**
   * Refuses, before any work, a graph the fine-tuner cannot train (one line naming every op it
   * cannot lower); the default accepts every graph.
   */
  default void requireTrainable(Graph g) {}

  /** The fine-tuner on the class path, or a bad-input error that says how to get one. */
  static FineTuner load() {
    Iterator<FineTuner> it = ServiceLoader.load(FineTuner.class, FineTuner.class.getClassLoader()).iterator();
    if (!it.hasNext()) {
      throw new BadInputException("--fine-tune needs hwc's training module (TensorFlow Java) on the class path: run "
          + "the repository's ./hwc launcher, which adds it, or add dev.hwc:hwc-training to the application");
    }
    return it.next();
  }
}

package dev.hwc.training;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

/**
 * Trains an hwc graph with TensorFlow and returns it with new weights and the same structure.
 *
 * <p>The graph is lowered (NHWC, static shapes at the training batch), the loss is built on it, and
 * TensorFlow's graph gradients give d loss / d parameter. Parameters live in Java and are fed each
 * step; the Java {@link Adam} updates them after the gradients are clipped to a global norm. The
 * learning rate warms up linearly, then follows a cosine down to {@code finalLrFraction} of its peak.
 * TensorFlow runs with a fixed number of intra-op threads and one inter-op thread, so that a run
 * repeats (see the README of examples/welllog for how closely).
 */
public final class Trainer {
  /**
   * @param steps optimizer steps
   * @param learningRate peak learning rate
   * @param warmupSteps linear warm-up steps
   * @param finalLrFraction learning rate at the last step, as a fraction of the peak
   * @param clipNorm global gradient-norm clip (0: none)
   * @param threads TensorFlow intra-op threads
   * @param logEvery print a line every this many steps (0: never)
   */
  public record Options(int steps, double learningRate, int warmupSteps, double finalLrFraction, double clipNorm,
      int threads, int logEvery) {}

  /** One training batch: model inputs at the training batch size, and the loss's targets. */
  public record Batch(Map<String, Tensor> inputs, Map<String, Tensor> targets) {}

  /** Supplies batch {@code step}; must be deterministic in step for runs to repeat. */
  @FunctionalInterface
  public interface Batches {
    Batch get(int step);
  }

  /** Per-step figures, for logs and tests. */
  public record StepLog(int step, double lr, double loss, Map<String, Double> metrics, double gradNorm) {}

  /** The trained graph and the loss curve. */
  public record Outcome(Graph graph, List<StepLog> log, double seconds) {}

  private final Options options;
  private final PrintWriter out;
  private java.util.Set<String> fixedZeros = java.util.Set.of();
  private double secondsBudget;
  private java.util.function.Consumer<StepLog> onStep = s -> {};
  private FakeQuant fakeQuant;
  private int fakeQuantFrom;

  public Trainer(Options options, PrintWriter out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Keeps the zeros of these parameters (by initializer name) exactly zero: their gradients are
   * masked before clipping and the mask is applied again after each Adam step, so pruned weights
   * stay pruned.
   */
  public Trainer fixZeros(java.util.Collection<String> names) {
    this.fixedZeros = java.util.Set.copyOf(names);
    return this;
  }

  /** Stops after the step during which this many seconds have passed since training began (0: no limit). */
  public Trainer timeBudget(double seconds) {
    this.secondsBudget = seconds;
    return this;
  }

  /**
   * Quantization-aware training from step {@code fromStep} on: the graph is lowered with {@code fq}'s
   * fake quantization, switched off before that step and on from it (straight-through gradients, the
   * float weights are what Adam updates and what is returned).
   */
  public Trainer fakeQuant(FakeQuant fq, int fromStep) {
    this.fakeQuant = fq;
    this.fakeQuantFrom = fromStep;
    return this;
  }

  /** Called after every step (for progress bars). */
  public Trainer onStep(java.util.function.Consumer<StepLog> listener) {
    this.onStep = listener;
    return this;
  }

  /** 1 where a value may move, 0 where it is held at zero; null when nothing is held. */
  private static Map<String, boolean[]> zeroMasks(Map<String, float[]> values, java.util.Set<String> names) {
    Map<String, boolean[]> out = new LinkedHashMap<>();
    for (String n : names) {
      float[] v = values.get(n);
      if (v == null) {
        continue;
      }
      boolean[] z = new boolean[v.length];
      boolean any = false;
      for (int i = 0; i < v.length; i++) {
        z[i] = v[i] == 0f;
        any |= z[i];
      }
      if (any) {
        out.put(n, z);
      }
    }
    return out;
  }

  private static void applyMasks(Map<String, float[]> arrays, Map<String, boolean[]> masks) {
    masks.forEach((n, z) -> {
      float[] a = arrays.get(n);
      if (a != null) {
        for (int i = 0; i < z.length; i++) {
          if (z[i]) {
            a[i] = 0f;
          }
        }
      }
    });
  }

  public double learningRate(int step) {
    if (step < options.warmupSteps()) {
      return options.learningRate() * (step + 1) / options.warmupSteps();
    }
    double t = (double) (step - options.warmupSteps()) / Math.max(1, options.steps() - options.warmupSteps());
    double f = options.finalLrFraction();
    return options.learningRate() * (f + (1 - f) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, t))));
  }

  /**
   * Trains {@code graph}, its inputs bound to {@code inputShapes} (the training batch), every float
   * weight that {@code trainable} accepts updated.
   */
  public Outcome train(Graph graph, Map<String, long[]> inputShapes, Predicate<String> trainable,
      LossGraph.Builder lossBuilder, Batches batches) {
    long t0 = System.nanoTime();
    List<StepLog> log = new ArrayList<>();
    try (Lowered model = Lowered.lower(graph, inputShapes, trainable, fakeQuant)) {
      LossGraph loss = lossBuilder.build(model);
      var gate = model.fakeQuantGate();
      List<Parameter> params = model.parameters();
      Output<?>[] xs = params.stream().map(p -> p.placeholder().asOutput()).toArray(Output<?>[]::new);
      Output<?>[] grads = model.tfGraph().addGradients(loss.loss().asOutput(), xs);
      Map<String, float[]> values = model.initialValues();
      Map<String, boolean[]> masks = zeroMasks(values, fixedZeros);
      Adam adam = new Adam();
      List<String> metricNames = new ArrayList<>(loss.metrics().keySet());
      java.util.concurrent.ExecutorService prefetch = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "hwc-batches");
        t.setDaemon(true);
        return t;
      });
      try (Session session = new Session(model.tfGraph(), config(options.threads()))) {
        java.util.concurrent.Future<Batch> next = prefetch.submit(() -> batches.get(0));
        for (int step = 0; step < options.steps(); step++) {
          Batch batch = await(next);
          if (step + 1 < options.steps()) {
            int following = step + 1;
            next = prefetch.submit(() -> batches.get(following));
          }
          List<org.tensorflow.Tensor> owned = new ArrayList<>();
          try {
            Session.Runner run = session.runner();
            batch.inputs().forEach((k, v) -> run.feed(model.input(k), own(owned, TfTensors.of(v))));
            batch.targets().forEach((k, v) -> {
              var ph = loss.targets().get(k);
              if (ph == null) {
                throw new IllegalArgumentException("the loss has no target '" + k + "'; it takes " + loss.targets().keySet());
              }
              run.feed(ph, own(owned, TfTensors.of(v.toFloats(), ph.shape().asArray())));
            });
            for (Parameter p : params) {
              run.feed(p.placeholder(), own(owned, TfTensors.of(values.get(p.name()), p.tfShape())));
            }
            if (gate != null) {
              run.feed(gate, own(owned, org.tensorflow.types.TFloat32.scalarOf(step >= fakeQuantFrom ? 1f : 0f)));
            }
            run.fetch(loss.loss());
            for (String m : metricNames) {
              run.fetch(loss.metrics().get(m));
            }
            for (Output<?> g : grads) {
              run.fetch(g);
            }
            Map<String, float[]> g = new LinkedHashMap<>();
            double lossValue;
            Map<String, Double> metrics = new LinkedHashMap<>();
            try (Result r = run.run()) {
              lossValue = TfTensors.floats(r.get(0))[0];
              for (int i = 0; i < metricNames.size(); i++) {
                metrics.put(metricNames.get(i), (double) TfTensors.floats(r.get(1 + i))[0]);
              }
              for (int i = 0; i < params.size(); i++) {
                g.put(params.get(i).name(), TfTensors.floats(r.get(1 + metricNames.size() + i)));
              }
            }
            if (!Double.isFinite(lossValue)) {
              throw new IllegalStateException("loss is " + lossValue + " at step " + step);
            }
            applyMasks(g, masks);
            double norm = clip(g, options.clipNorm());
            double lr = learningRate(step);
            adam.step(values, g, lr);
            applyMasks(values, masks);
            StepLog sl = new StepLog(step, lr, lossValue, metrics, norm);
            log.add(sl);
            onStep.accept(sl);
            if (out != null && options.logEvery() > 0 && (step % options.logEvery() == 0 || step == options.steps() - 1)) {
              StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT,
                  "step %5d  lr %.2e  loss %.4f", step, lr, lossValue));
              metrics.forEach((k, v) -> sb.append(String.format(java.util.Locale.ROOT, "  %s %.4f", k, v)));
              sb.append(String.format(java.util.Locale.ROOT, "  |g| %.3f  %.0fs", norm, (System.nanoTime() - t0) / 1e9));
              out.println(sb);
              out.flush();
            }
          } finally {
            owned.forEach(org.tensorflow.Tensor::close);
          }
          if (secondsBudget > 0 && (System.nanoTime() - t0) / 1e9 >= secondsBudget) {
            break;
          }
        }
      } finally {
        prefetch.shutdownNow();
      }
      return new Outcome(model.withWeights(graph, values), log, (System.nanoTime() - t0) / 1e9);
    }
  }

  private static Batch await(java.util.concurrent.Future<Batch> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a batch", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    }
  }

  /** Runs the lowered graph forward for given inputs and returns the named IR values (IR layout). */
  public static Map<String, Tensor> infer(Graph graph, Map<String, Tensor> inputs, List<String> fetch, int threads) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    inputs.forEach((k, v) -> shapes.put(k, v.shape()));
    try (Lowered model = Lowered.lower(graph, shapes, name -> true);
        Session session = new Session(model.tfGraph(), config(threads))) {
      List<org.tensorflow.Tensor> owned = new ArrayList<>();
      try {
        Session.Runner run = session.runner();
        inputs.forEach((k, v) -> run.feed(model.input(k), own(owned, TfTensors.of(v))));
        Map<String, float[]> w = model.initialValues();
        for (Parameter p : model.parameters()) {
          run.feed(p.placeholder(), own(owned, TfTensors.of(w.get(p.name()), p.tfShape())));
        }
        for (String f : fetch) {
          run.fetch(model.value(f, Layout.IR));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (Result r = run.run()) {
          for (int i = 0; i < fetch.size(); i++) {
            out.put(fetch.get(i), TfTensors.toIr(r.get(i)));
          }
        }
        return out;
      } finally {
        owned.forEach(org.tensorflow.Tensor::close);
      }
    }
  }

  private static <T extends org.tensorflow.Tensor> T own(List<org.tensorflow.Tensor> owned, T t) {
    owned.add(t);
    return t;
  }

  /** Scales all gradients so their global L2 norm is at most max (0: no clipping); returns the norm before. */
  static double clip(Map<String, float[]> grads, double max) {
    double sq = 0;
    for (float[] g : grads.values()) {
      for (float v : g) {
        sq += (double) v * v;
      }
    }
    double norm = Math.sqrt(sq);
    if (max > 0 && norm > max) {
      float f = (float) (max / norm);
      for (float[] g : grads.values()) {
        for (int i = 0; i < g.length; i++) {
          g[i] *= f;
        }
      }
    }
    return norm;
  }

  static ConfigProto config(int threads) {
    return ConfigProto.newBuilder().setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(1).build();
  }
}

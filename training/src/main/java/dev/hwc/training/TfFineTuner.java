package dev.hwc.training;

import dev.hwc.build.BuildListener;
import dev.hwc.build.Compression;
import dev.hwc.build.FineTuner;
import dev.hwc.common.BadInputException;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.prune.PrunableWeights;
import dev.hwc.compiler.zoo.WellLogNet;
import dev.hwc.hwtests.welllog.WellLogGenerator;
import dev.hwc.hwtests.welllog.WellLogSets;
import dev.hwc.training.welllog.WellLogBatches;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SortedSet;
import org.tensorflow.Session;

/**
 * hwc's {@link FineTuner}: trains a pruned graph with TensorFlow Java ({@link Trainer}, Adam, warm-up
 * then cosine learning rate, gradients clipped to norm 5), every pruned zero of a prunable weight
 * held at exactly zero (gradient masked, mask re-applied after each step).
 *
 * <p>Distillation: the float model (teacher) is run once on every training input; the student
 * learns to match its outputs ({@link DistillationLoss}: KL for softmax masks, each class weighted
 * by the inverse square root of its share of the teacher's pixels, so the rare masks, which fail
 * the gate first, count more; MSE over the teacher's variance for other outputs). Batches are drawn
 * from the inputs in an order shuffled per epoch from the seed. With {@code iou=W}, a soft-IoU term per
 * mask class is added, its weight W split over the classes in proportion to how far below 1 the
 * pruned model's own IoU of each class is before training (measured against the teacher on the
 * training inputs): the weakest mask weighs most.
 *
 * <p>Quantization-aware: with {@code qat=M} and a target that quantizes ({@link FineTuner.Int8}), the
 * last M steps run with that target's int8 rounding simulated ({@link FakeQuant}), so the weights
 * handed to the quantizer are ones trained to survive its rounding.
 *
 * <p>Supervised: for the bundled well-log example only (the model that comes with a loss and a
 * labelled data generator): its {@link SegmentationLoss} on freshly generated training strips.
 */
public final class TfFineTuner implements FineTuner {
  /** Steps averaged for the before/after loss (at most a quarter of the steps taken). */
  static final int WINDOW = 10;

  @Override
  public void requireTrainable(Graph g) {
    SortedSet<String> missing = LoweringTable.unsupported(g);
    if (!missing.isEmpty()) {
      throw new BadInputException("--fine-tune: the training backend (TensorFlow Java) cannot lower "
          + missing.size() + " op type" + (missing.size() == 1 ? "" : "s") + " of this model: " + String.join(", ", missing));
    }
  }

  @Override
  public Result fineTune(Request r) {
    requireTrainable(r.student());
    Compression.FineTune spec = r.spec();
    Graph student = r.student();
    int threads = Math.max(1, Math.min(4, java.lang.Runtime.getRuntime().availableProcessors()));
    List<String> held = new ArrayList<>();
    for (PrunableWeights.Weight w : PrunableWeights.of(student)) {
      held.add(w.name());
    }
    long zerosBefore = zeros(student, held);

    LossGraph.Builder loss;
    Trainer.Batches batches;
    Map<String, long[]> shapes = new LinkedHashMap<>();
    int batch;
    String what;
    String teacherNote = "";
    if (spec.distill()) {
      if (r.inputs().size() == 0) {
        throw new BadInputException("--fine-tune --distill: no inputs to train on");
      }
      batch = Math.min(spec.batch(), r.inputs().size());
      batch = batchThatLowers(student, batch);
      Teacher t = teach(r.teacher(), r.inputs(), threads, spec.rare(), spec.iou() > 0 ? student : null, spec.iou());
      loss = t.loss();
      teacherNote = t.note();
      batches = shuffled(r.inputs(), t.targets(), batch, spec.seed());
      for (Value in : student.inputs()) {
        long[] s = r.inputs().get(0).get(in.name()).shape().clone();
        s[0] = batch;
        shapes.put(in.name(), s);
      }
      what = "distillation from the float model on " + r.inputs().size() + " inputs";
    } else {
      if (!isWellLog(student)) {
        throw new BadInputException("--fine-tune without --distill needs a model that comes with a loss and labelled "
            + "data, and hwc knows that only for the bundled well-log example; add --distill to learn from the float "
            + "model on unlabelled inputs");
      }
      long[] in = student.inputs().get(0).shape().sizes();
      batch = spec.batch();
      WellLogGenerator gen = new WellLogGenerator((int) in[3], (int) in[2]);
      loss = new SegmentationLoss(WellLogNet.OUTPUT, new float[] {1, 3, 4}, new int[] {1, 2}, 0.6, 0.4, 1.0);
      batches = new WellLogBatches(gen, batch, WellLogSets.TRAIN_BASE + (spec.seed() + 1) * WellLogSets.TRAIN_SPAN);
      shapes.put(WellLogNet.INPUT, new long[] {batch, 1, in[2], in[3]});
      what = "the well-log example's segmentation loss on generated labelled strips";
    }

    Trainer.Options opts = new Trainer.Options(spec.steps(), spec.learningRate(), Math.max(1, spec.steps() / 20), 0.05,
        5.0, threads, 0);
    BuildListener listener = r.listener() == null ? BuildListener.NONE : r.listener();
    long t0 = System.nanoTime();
    Trainer trainer = new Trainer(opts, null);
    int qat = r.int8() == null ? 0 : spec.qat();
    if (qat > 0) {
      trainer.fakeQuant(new FakeQuant(r.int8()), spec.steps() - qat);
    }
    Trainer.Outcome o = trainer.fixZeros(held).timeBudget(spec.seconds()).onStep(s -> {
      double secs = (System.nanoTime() - t0) / 1e9;
      int done = s.step() + 1;
      double eta = secs / done * (spec.steps() - done);
      if (spec.seconds() > 0) {
        eta = Math.max(0, Math.min(eta, spec.seconds() - secs));
      }
      listener.fineTuneStep(new BuildListener.FineTuneStep(done, spec.steps(), s.loss(), secs, eta));
    }).train(student, shapes, name -> true, loss, batches);

    long zerosAfter = zeros(o.graph(), held);
    if (zerosAfter != zerosBefore) { // the masks are the point: never hand back a graph that lost them
      throw new IllegalStateException("fine-tuning changed the pruned zeros: " + zerosBefore + " -> " + zerosAfter);
    }
    List<Trainer.StepLog> log = o.log();
    int window = Math.max(1, Math.min(WINDOW, log.size() / 4)); // first and last windows never overlap
    double before = mean(log.subList(0, Math.min(window, log.size())));
    double after = mean(log.subList(Math.max(0, log.size() - window), log.size()));
    String summary = String.format(Locale.ROOT, "fine-tuned by %s: %d step%s of batch %d in %.0f s%s, loss %.4f -> %.4f "
        + "(mean of the first and last %d steps); %d pruned weights held at zero", what, log.size(),
        log.size() == 1 ? "" : "s", batch, o.seconds(),
        log.size() < spec.steps() ? " (time budget of " + spec.seconds() + " s reached)" : "", before, after, window,
        zerosAfter);
    if (qat > 0) {
      int ran = Math.max(0, log.size() - (spec.steps() - qat));
      summary += String.format(Locale.ROOT, "; the last %d steps with the target's int8 rounding simulated (fake "
          + "quantization of weights and of the inputs of its integer ops, straight-through gradients)", ran);
    }
    if (spec.distill() && spec.iou() > 0) {
      summary += "; " + teacherNote;
    }
    return new Result(o.graph(), log.size(), o.seconds(), before, after, summary);
  }

  private static boolean isWellLog(Graph g) {
    String masks = g.metadata().get(WellLogNet.MASKS_KEY);
    return masks != null && masks.equals(WellLogNet.OUTPUT + ":background,curve1,curve2") && g.inputs().size() == 1
        && g.inputs().get(0).name().equals(WellLogNet.INPUT) && g.inputs().get(0).shape().isStatic();
  }

  private static double mean(List<Trainer.StepLog> l) {
    return l.stream().mapToDouble(Trainer.StepLog::loss).average().orElse(Double.NaN);
  }

  private static long zeros(Graph g, List<String> names) {
    long z = 0;
    for (String n : names) {
      for (float v : g.initializer(n).toFloats()) {
        if (v == 0f) {
          z++;
        }
      }
    }
    return z;
  }

  /** {@code batch} when the graph's shape constants allow it, else 1 (a graph exported with its batch folded in). */
  static int batchThatLowers(Graph g, int batch) {
    if (batch == 1) {
      return 1;
    }
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Value in : g.inputs()) {
      if (!in.shape().isStatic()) {
        return batch;
      }
      long[] s = in.shape().sizes().clone();
      s[0] = batch;
      shapes.put(in.name(), s);
    }
    try (Lowered l = Lowered.lower(g, shapes, n -> false)) {
      return batch;
    } catch (RuntimeException e) {
      return 1;
    }
  }

  /** The teacher's outputs per sample (in the loss's target layout), the loss that matches them, a note on its weights. */
  record Teacher(DistillationLoss loss, List<Map<String, float[]>> targets, String note) {}

  static Teacher teach(Graph teacher, SampleSet inputs, int threads, double rare) {
    return teach(teacher, inputs, threads, rare, null, 0);
  }

  /** Training samples on which the pruned model's IoU per mask is measured for the soft-IoU weights. */
  static final int IOU_SAMPLES = 32;

  /**
   * @param student the pruned model, whose IoU per mask class against the teacher sets the soft-IoU
   *     term's class weights; null for no soft-IoU term
   * @param iou the soft-IoU term's total weight
   */
  static Teacher teach(Graph teacher, SampleSet inputs, int threads, double rare, Graph student, double iou) {
    List<String> outs = teacher.outputs().stream().map(Value::name).toList();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    inputs.get(0).forEach((k, v) -> shapes.put(k, v.shape()));
    List<Map<String, float[]>> targets = new ArrayList<>();
    Map<String, DistillationLoss.Kind> kinds = new LinkedHashMap<>();
    for (String out : outs) {
      kinds.put(out, DistillationLoss.Kind.MSE);
    }
    Map<String, long[]> outShapes = new LinkedHashMap<>();
    try (Lowered model = Lowered.lower(teacher, shapes, name -> false);
        Session session = new Session(model.tfGraph(), Trainer.config(threads))) {
      for (String out : outs) {
        kinds.put(out, DistillationLoss.kindOf(model.graph(), out));
        outShapes.put(out, model.graph().type(out).shape().sizes());
      }
      for (int i = 0; i < inputs.size(); i++) {
        Map<String, Tensor> sample = inputs.get(i);
        List<org.tensorflow.Tensor> owned = new ArrayList<>();
        try {
          Session.Runner run = session.runner();
          for (Value in : teacher.inputs()) {
            Tensor t = sample.get(in.name());
            if (t == null) {
              throw new BadInputException("--fine-tune: sample " + inputs.label(i) + " has no input '" + in.name() + "'");
            }
            org.tensorflow.Tensor tt = TfTensors.of(t);
            owned.add(tt);
            run.feed(model.input(in.name()), tt);
          }
          for (String out : outs) {
            run.fetch(model.value(out, Layout.IR));
          }
          Map<String, float[]> y = new LinkedHashMap<>();
          try (org.tensorflow.Result res = run.run()) {
            for (int k = 0; k < outs.size(); k++) {
              float[] v = TfTensors.floats(res.get(k));
              String out = outs.get(k);
              y.put(out, kinds.get(out) == DistillationLoss.Kind.SOFTMAX_CHANNELS ? nchwToNhwc(v, outShapes.get(out)) : v);
            }
          }
          targets.add(y);
        } finally {
          owned.forEach(org.tensorflow.Tensor::close);
        }
      }
    }
    List<DistillationLoss.Term> terms = new ArrayList<>();
    String note = "";
    for (String out : outs) {
      DistillationLoss.Kind kind = kinds.get(out);
      if (kind == DistillationLoss.Kind.SOFTMAX_CHANNELS) {
        int c = (int) outShapes.get(out)[1];
        float[] iouWeights = null;
        if (student != null) {
          double[] measured = studentIoU(student, inputs, targets, out, c, threads);
          iouWeights = iouWeights(measured, iou);
          StringBuilder sb = new StringBuilder("soft-IoU term on " + out + ", class weights");
          for (int k = 0; k < c; k++) {
            sb.append(String.format(Locale.ROOT, " %.3f", iouWeights[k]));
          }
          sb.append(" from the pruned model's IoU");
          for (int k = 0; k < c; k++) {
            sb.append(String.format(Locale.ROOT, " %.4f", measured[k]));
          }
          note = sb.append(" on ").append(Math.min(IOU_SAMPLES, inputs.size())).append(" training inputs").toString();
        }
        terms.add(new DistillationLoss.Term(out, kind, classWeights(targets, out, c, rare), 1, 1, iouWeights));
      } else if (kind == DistillationLoss.Kind.SIGMOID) {
        terms.add(new DistillationLoss.Term(out, kind, null, 1, 1));
      } else {
        terms.add(new DistillationLoss.Term(out, kind, null, variance(targets, out), 1));
      }
    }
    return new Teacher(new DistillationLoss(terms), targets, note);
  }

  /**
   * The student's IoU per class against the teacher's argmax, over the first {@link #IOU_SAMPLES}
   * inputs (both argmaxed per pixel; a class neither has counts as 1).
   */
  static double[] studentIoU(Graph student, SampleSet inputs, List<Map<String, float[]>> targets, String out, int c,
      int threads) {
    long[] inter = new long[c];
    long[] union = new long[c];
    for (int i = 0; i < Math.min(IOU_SAMPLES, inputs.size()); i++) {
      Tensor y = Trainer.infer(student, inputs.get(i), List.of(out), threads).get(out);
      float[] q = nchwToNhwc(y.toFloats(), y.shape());
      float[] p = targets.get(i).get(out);
      for (int j = 0; j + c <= p.length; j += c) {
        int a = argmax(p, j, c);
        int b = argmax(q, j, c);
        for (int k = 0; k < c; k++) {
          boolean x = a == k;
          boolean z = b == k;
          inter[k] += x && z ? 1 : 0;
          union[k] += x || z ? 1 : 0;
        }
      }
    }
    double[] iou = new double[c];
    for (int k = 0; k < c; k++) {
      iou[k] = union[k] == 0 ? 1 : (double) inter[k] / union[k];
    }
    return iou;
  }

  private static int argmax(float[] v, int at, int c) {
    int best = 0;
    for (int k = 1; k < c; k++) {
      if (v[at + k] > v[at + best]) {
        best = k;
      }
    }
    return best;
  }

  /**
   * {@code total} split over the classes in proportion to 1 - IoU (the weakest class weighs most; all
   * alike when every IoU is 1).
   */
  static float[] iouWeights(double[] measured, double total) {
    int c = measured.length;
    double sum = 0;
    for (double m : measured) {
      sum += Math.max(0, 1 - m);
    }
    float[] w = new float[c];
    for (int k = 0; k < c; k++) {
      w[k] = (float) (total * (sum > 0 ? Math.max(0, 1 - measured[k]) / sum : 1.0 / c));
    }
    return w;
  }

  /**
   * Per class, its share of the teacher's argmax pixels to the power {@code -rare} (0.5 by default:
   * the inverse square root; at most 10x the commonest's), scaled so that the average pixel weighs 1.
   */
  static float[] classWeights(List<Map<String, float[]>> targets, String out, int c, double rare) {
    double[] count = new double[c];
    double total = 0;
    for (Map<String, float[]> t : targets) {
      float[] p = t.get(out);
      for (int i = 0; i + c <= p.length; i += c) {
        int best = 0;
        for (int k = 1; k < c; k++) {
          if (p[i + k] > p[i + best]) {
            best = k;
          }
        }
        count[best]++;
        total++;
      }
    }
    double[] w = new double[c];
    double minW = Double.MAX_VALUE;
    for (int k = 0; k < c; k++) {
      w[k] = Math.pow(Math.max(count[k], 1) / total, -rare);
      minW = Math.min(minW, w[k]);
    }
    double norm = 0;
    for (int k = 0; k < c; k++) {
      w[k] = Math.min(w[k], 10 * minW);
      norm += w[k] * count[k] / total;
    }
    float[] out2 = new float[c];
    for (int k = 0; k < c; k++) {
      out2[k] = (float) (w[k] / norm);
    }
    return out2;
  }

  private static double variance(List<Map<String, float[]>> targets, String out) {
    double s = 0;
    double s2 = 0;
    long n = 0;
    for (Map<String, float[]> t : targets) {
      for (float v : t.get(out)) {
        s += v;
        s2 += (double) v * v;
        n++;
      }
    }
    double m = s / n;
    return Math.max(s2 / n - m * m, 1e-8);
  }

  static float[] nchwToNhwc(float[] v, long[] s) {
    int n = (int) s[0];
    int c = (int) s[1];
    int hw = (int) (s[2] * s[3]);
    float[] out = new float[v.length];
    for (int b = 0; b < n; b++) {
      for (int k = 0; k < c; k++) {
        for (int i = 0; i < hw; i++) {
          out[(b * hw + i) * c + k] = v[(b * c + k) * hw + i];
        }
      }
    }
    return out;
  }

  /** Batches of {@code batch} samples, in an order shuffled per epoch from the seed, with the teacher's targets. */
  static Trainer.Batches shuffled(SampleSet inputs, List<Map<String, float[]>> targets, int batch, long seed) {
    int n = inputs.size();
    Map<Integer, int[]> orders = new java.util.concurrent.ConcurrentHashMap<>();
    return step -> {
      Map<String, List<float[]>> xs = new LinkedHashMap<>();
      Map<String, long[]> xShapes = new LinkedHashMap<>();
      Map<String, List<float[]>> ys = new LinkedHashMap<>();
      for (int j = 0; j < batch; j++) {
        long pos = (long) step * batch + j;
        int epoch = (int) (pos / n);
        int[] order = orders.computeIfAbsent(epoch, e -> permutation(n, seed * 1_000_003L + e));
        int idx = order[(int) (pos % n)];
        inputs.get(idx).forEach((k, v) -> {
          xs.computeIfAbsent(k, kk -> new ArrayList<>()).add(v.toFloats());
          xShapes.putIfAbsent(k, v.shape());
        });
        targets.get(idx).forEach((k, v) -> ys.computeIfAbsent(k, kk -> new ArrayList<>()).add(v));
      }
      Map<String, Tensor> in = new LinkedHashMap<>();
      xs.forEach((k, l) -> {
        long[] s = xShapes.get(k).clone();
        s[0] = (long) s[0] * batch;
        in.put(k, Tensor.ofFloats(s, concat(l)));
      });
      Map<String, Tensor> tg = new LinkedHashMap<>();
      ys.forEach((k, l) -> {
        float[] f = concat(l);
        tg.put(k, Tensor.ofFloats(new long[] {f.length}, f));
      });
      return new Trainer.Batch(in, tg);
    };
  }

  private static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    Random r = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private static float[] concat(List<float[]> parts) {
    int len = 0;
    for (float[] p : parts) {
      len += p.length;
    }
    float[] out = new float[len];
    int o = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }
}

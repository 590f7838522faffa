package dev.hwc.build;

import dev.hwc.backends.calib.Calibrator;
import dev.hwc.backends.calib.ChannelAbsMax;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.quant.DynamicQuantizer;
import dev.hwc.compiler.quant.QuantScheme;
import dev.hwc.compiler.quant.SmoothActivations;
import dev.hwc.compiler.quant.StaticQuantizer;
import dev.hwc.compiler.quant.WeightOnlyQuantizer;
import dev.hwc.compiler.quant.calib.Calibration;
import dev.hwc.compiler.quant.calib.TensorRange;
import dev.hwc.hwtests.Evaluation;
import dev.hwc.hwtests.OutputFidelity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds an int8 plan that passes the gate on the weakest output: static QDQ (calibrated) and, for
 * MatMul-heavy models on ONNX Runtime, dynamic quantization. A plan that fails the gate falls back
 * layer by layer: layers are ranked by how much quantizing each one alone hurts the weakest output,
 * and the most sensitive are kept in float, doubling their number until the plan passes, then
 * bisecting back to the fewest that pass.
 *
 * <p>Each plan is written by an {@link ArtifactWriter} into a working folder the caller owns and
 * judged by an {@link Evaluation} (the input model against the artifact on a real runtime).
 */
public final class Int8Search {
  /**
   * Smoothing strength for dynamic int8. Measured on all-MiniLM-L6-v2 over the 100 eval sentences
   * (pooled-embedding cosine, worst sentence), every MatMul input smoothed: alpha 0.5 0.959, 0.7
   * 0.9928, 0.8 0.9941, 0.9 0.9929, 1.0 0.9931, none 0.9861 (bench/RESULTS.md, 2026-11-23).
   */
  static final double SMOOTHING_ALPHA = 0.8;

  /**
   * One plan, emitted and judged.
   *
   * @param scheme what the plan is
   * @param graph the plan's graph (QDQ, dynamic, or float)
   * @param written the artifact written for it, with the TFLite lowering's facts
   * @param fidelity per-output figures against the input model
   * @param passed whether it passed the gate
   * @param keptFloat node names kept in float
   * @param quantizedLayers layers in int8
   */
  public record Candidate(PlanKind scheme, Graph graph, ArtifactWriter.Written written, List<OutputFidelity> fidelity,
      boolean passed, List<String> keptFloat, int quantizedLayers) {
    /** The plan's artifact file. */
    public Path artifact() {
      return written.file();
    }

    /** The public view of this candidate, judged by {@code gate}. */
    public Plan plan(Gate gate) {
      return new Plan(scheme, passed, gate.verdict(fidelity), fidelity, keptFloat, quantizedLayers, written.bytes());
    }
  }

  private final QuantScheme scheme;
  private final Gate gate;
  private final Evaluation eval;
  private final SampleSet calib;
  private final Calibration calibration;
  private final Path workDir;
  private final BuildListener listener;
  private final ArtifactWriter writer;
  private final List<Candidate> log = new ArrayList<>();
  /** Why the static search kept nodes in float, by node name (for the report). */
  private final Map<String, String> floatReasons = new LinkedHashMap<>();
  /** The last static search's graph and calibration, reused by {@link #staticVariant}. */
  private Graph staticGraph;
  private StaticQuantizer.Plan staticFull;
  private Set<String> staticKeep;
  /** Whether static calibration also measures the dynamic plans' smoothing statistics, and what it measured. */
  private boolean tapSmoothing;
  private Map<String, float[]> tappedAbsMax;
  private Map<String, double[]> staticRanges;
  private Map<String, float[]> staticMeans;
  /** Whether the dynamic plans turn attention with its projections into QAttention ({@link #fusingQAttention}). */
  private boolean qAttention;
  /** Whether the dynamic plans run the fused GELU as its tanh approximation ({@link #fastGelu}). */
  private boolean fastGelu;
  /** Wall time of calibration, emitting and judging plans, for the report. */
  final PhaseTimer timer = new PhaseTimer();
  private int emitted;

  /**
   * @param scheme the target's int8 scheme (which ops, symmetric or not, whether float may remain)
   * @param gate the accuracy gate each plan must pass
   * @param eval the input model's outputs on the eval samples, and the runtime that runs each plan
   * @param calib calibration samples; null for a build without them (dynamic plans only, unsmoothed)
   * @param calibration the range calibration method
   * @param workDir where plans are written (the caller owns and deletes it)
   * @param listener told of calibration, every plan judged and every fallback step
   * @param writer writes each plan as the target's artifact (QDQ ONNX, or TFLite)
   */
  public Int8Search(QuantScheme scheme, Gate gate, Evaluation eval, SampleSet calib, Calibration calibration,
      Path workDir, BuildListener listener, ArtifactWriter writer) {
    this.writer = writer;
    this.scheme = scheme;
    this.gate = gate;
    this.eval = eval;
    this.calib = calib;
    this.calibration = calibration;
    this.workDir = workDir;
    this.listener = listener;
  }

  /** Static QDQ: calibrate once, then fall back layer by layer until the gate passes. */
  public Candidate staticPlan(Graph input, Set<String> keepFloat) throws Exception {
    return staticPlan(input, keepFloat, true);
  }

  /**
   * As {@link #staticPlan(Graph, Set)}; without {@code fallback} a plan that fails the gate is
   * returned as it is (the build's auto scheme, once a dynamic plan passed: the layer-by-layer search
   * judges one plan per layer and several more, for a plan that keeps layers in float).
   */
  public Candidate staticPlan(Graph input, Set<String> keepFloat, boolean fallback) throws Exception {
    // a squeeze-excite gate HardSigmoid(Conv) becomes one integer conv (Clip(0, 1) is the Q's clamp)
    Graph g = !scheme.fullInteger() && scheme.quantizedOps().contains("HardSigmoid")
        ? new dev.hwc.compiler.passes.FoldHardSigmoidIntoConv().run(input, dev.hwc.compiler.passes.PassContext.defaults())
        : input;
    keepFloat.forEach(n -> floatReasons.putIfAbsent(n, "--keep-float"));
    StaticQuantizer.Plan full = StaticQuantizer.plan(g, scheme, Set.of());
    // every planned activation, shared and fixed ones too: a fallback that keeps a layer in float can
    // leave a data-movement output without the input it shared params with, or a Softmax output
    // without the op that fixed its params
    // and the inputs of absorbed Relus: a plan that keeps their producer float quantizes them alone
    List<String> observe = new ArrayList<>(full.activations());
    full.absorbed().values().forEach(act -> {
      if (!observe.contains(act.input(0))) {
        observe.add(act.input(0));
      }
    });
    listener.calibrationStarted(observe.size(), calib.size(), calibration);
    // per-channel means of the weighted layers' inputs, for bias correction
    Map<String, Integer> meanAxes = StaticQuantizer.meanAxes(g, full, observe);
    // the same runs also measure what dynamic smoothing needs (per-channel magnitudes of the MatMul
    // inputs), when the dynamic plans will be tried: one pass over the calibration samples, not two
    List<String> smoothActs = tapSmoothing ? SmoothActivations.candidates(g) : List.of();
    ChannelAbsMax.Accumulator absMax = new ChannelAbsMax.Accumulator(smoothActs);
    Map<String, TensorRange> ranges = timer.time("calibrate", () -> Calibrator.calibrate(g, observe, calib, calibration,
        Calibrator.Options.DEFAULT.withProgress((done, total) -> listener.progress("calibrate", done, total))
            .withChannelMeans(meanAxes).withTap(smoothActs, absMax)));
    if (!smoothActs.isEmpty()) {
      tappedAbsMax = absMax.result();
    }
    Map<String, double[]> lohi = new LinkedHashMap<>();
    Map<String, float[]> means = new LinkedHashMap<>();
    ranges.forEach((k, r) -> {
      lohi.put(k, new double[] {r.lo(), r.hi()});
      if (r.channelMean() != null) {
        means.put(k, r.channelMean());
      }
    });
    staticGraph = g;
    staticRanges = lohi;
    staticMeans = means;
    Set<String> wide = StaticQuantizer.outOfRange(lohi);
    if (!wide.isEmpty()) {
      String first = wide.iterator().next();
      String what = wide.size() + " activation(s) calibrate to ranges int8 cannot hold (e.g. '" + first + "' in ["
          + Format.num(lohi.get(first)[0]) + ", " + Format.num(lohi.get(first)[1]) + "]: a mask sentinel?)";
      if (!scheme.floatAllowed()) {
        throw new dev.hwc.common.BadInputException(what + "; this target is integer-only, so the model cannot be built for it");
      }
      Set<String> kept = StaticQuantizer.nodesTouching(g, full, wide);
      kept.forEach(n -> floatReasons.putIfAbsent(n, "writes or reads an activation whose calibrated range int8 cannot hold"));
      listener.info(what + ": keeping the " + kept.size() + " layer(s) that write or read them in float");
      keepFloat = new LinkedHashSet<>(keepFloat);
      keepFloat.addAll(kept);
    }
    Candidate c = judge(PlanKind.STATIC, StaticQuantizer.apply(g, StaticQuantizer.plan(g, scheme, keepFloat), lohi, means, scheme),
        List.copyOf(keepFloat), full.nodes().size() - keepFloat.size());
    if (c.passed() || full.nodes().isEmpty()) {
      return c;
    }
    if (!scheme.floatAllowed()) {
      listener.info("static plan fails the gate and this target is integer-only: no layer can be kept in float");
      return c;
    }
    staticFull = full;
    staticKeep = keepFloat;
    if (!fallback) {
      return c;
    }
    return staticFallback(c);
  }

  /**
   * The layer-by-layer fallback of the failing plan {@code c} of the last {@link #staticPlan} (its
   * calibration reused): the fewest most sensitive layers in float that pass.
   */
  public Candidate staticFallback(Candidate c) throws Exception {
    Graph g = staticGraph;
    StaticQuantizer.Plan full = staticFull;
    Map<String, double[]> lohi = staticRanges;
    Map<String, float[]> means = staticMeans;
    Set<String> keepFloat = staticKeep;
    if (c.passed() || full == null) {
      return c;
    }
    Set<String> forced = keepFloat;
    List<String> layers = full.nodes().stream().filter(n -> !forced.contains(n)).toList();
    return fallback(c, layers, keepFloat,
        kept -> StaticQuantizer.apply(g, StaticQuantizer.plan(g, scheme, kept), lohi, means, scheme),
        only -> StaticQuantizer.apply(g, StaticQuantizer.plan(g, scheme, complement(full.nodes(), only)), lohi, means,
            scheme));
  }

  /**
   * Dynamic int8 MatMuls (and int8 embedding tables), as two plans judged by the gate: "dynamic" as it is, and "dynamic-smoothed" with the activations whose outlier channels
   * stretch the int8 range smoothed into the weights first (alpha {@value #SMOOTHING_ALPHA}, only
   * where the largest channel's range exceeds {@value SmoothActivations#OUTLIER_RATIO}x the median
   * channel's: each smoothing costs a Mul per run). Returns the plan that passes (the more faithful when
   * both do: they run the same integer kernels, the smoothed one a Mul per smoothed activation more), or,
   * when none does, the layer-by-layer fallback of the better one; empty when the model has no MatMul
   * with constant weights.
   */
  public List<Candidate> dynamicPlans(Graph float32, Set<String> keepFloat) throws Exception {
    if (writer.format().equals("tflite")) {
      return weightOnlyPlans(float32, keepFloat);
    }
    DynamicQuantizer.Result plainQ = quantizeDynamic(float32, keepFloat);
    if (plainQ.matMuls().isEmpty()) {
      return List.of();
    }
    Candidate plain = judge(PlanKind.DYNAMIC, plainQ.graph(), List.copyOf(keepFloat), plainQ.matMuls().size());
    List<String> acts = SmoothActivations.candidates(float32);
    Map<String, float[]> absMax;
    if (calib == null) { // no calibration data: nothing to smooth by
      absMax = new LinkedHashMap<>();
    } else if (tappedAbsMax != null && tappedAbsMax.keySet().containsAll(acts)) {
      absMax = new LinkedHashMap<>();
      acts.forEach(a -> absMax.put(a, tappedAbsMax.get(a)));
      listener.info("smoothing statistics of " + acts.size() + " MatMul inputs: measured during static calibration");
    } else {
      listener.info("measuring " + acts.size() + " MatMul inputs per channel on " + calib.size() + " samples for smoothing");
      absMax = timer.time("smooth-measure", () -> ChannelAbsMax.measure(float32, acts, calib,
          (done, total) -> listener.progress("smooth", done, total)));
    }
    absMax.keySet().removeIf(a -> SmoothActivations.outlierRatio(absMax.get(a)) <= SmoothActivations.OUTLIER_RATIO);
    List<Candidate> passing = new ArrayList<>();
    if (plain.passed()) {
      passing.add(plain);
    }
    Candidate smoothed = null;
    Graph g = float32;
    if (!absMax.isEmpty()) {
      listener.info(String.format(java.util.Locale.ROOT, "smoothing %d of %d MatMul inputs (outlier channels over %.0fx the median)",
          absMax.size(), acts.size(), SmoothActivations.OUTLIER_RATIO));
      g = SmoothActivations.apply(float32, absMax, SMOOTHING_ALPHA, keepFloat);
      DynamicQuantizer.Result r = quantizeDynamic(g, keepFloat);
      smoothed = judge(PlanKind.DYNAMIC_SMOOTHED, r.graph(), List.copyOf(keepFloat), r.matMuls().size());
      if (smoothed.passed()) {
        passing.add(smoothed);
      }
    }
    if (passing.size() == 2) {
      // the same integer kernels; the smoothed plan adds one per-channel Mul per smoothed activation, a
      // difference below the speed check's resolution: the more faithful one goes on, untimed against the other
      Candidate keep = Gate.damage(smoothed.fidelity()) < Gate.damage(plain.fidelity()) ? smoothed : plain;
      listener.info(String.format(java.util.Locale.ROOT, "dynamic and dynamic-smoothed both pass and run the same"
          + " integer kernels (the smoothed plan adds %d per-channel Muls): keeping the more faithful, %s",
          absMax.size(), keep.scheme().id()));
      return List.of(keep);
    }
    if (!passing.isEmpty()) {
      return passing;
    }
    Candidate worse = smoothed != null && Gate.damage(smoothed.fidelity()) < Gate.damage(plain.fidelity()) ? smoothed : plain;
    Graph base = worse == plain ? float32 : g;
    List<String> layers = new ArrayList<>(quantizeDynamic(base, Set.of()).matMuls());
    return List.of(fallback(worse, layers, keepFloat,
        kept -> quantizeDynamic(base, kept).graph(),
        only -> quantizeDynamic(base, complement(layers, only)).graph()));
  }

  /**
   * TFLite's dynamic range: int8 weights in FULLY_CONNECTED, activations float (the hybrid kernel
   * quantizes each input per run); the fallback keeps the most sensitive layers' weights float.
   */
  private List<Candidate> weightOnlyPlans(Graph float32, Set<String> keepFloat) throws Exception {
    Graph g = dev.hwc.compiler.passes.UpgradeOpset.to(float32, dev.hwc.compiler.passes.UpgradeOpset.QDQ_PER_AXIS_OPSET);
    WeightOnlyQuantizer.Result r = WeightOnlyQuantizer.apply(g, keepFloat);
    if (r.layers().isEmpty()) {
      return List.of();
    }
    Candidate c = judge(PlanKind.DYNAMIC, r.graph(), List.copyOf(keepFloat), r.layers().size());
    if (c.passed()) {
      return List.of(c);
    }
    List<String> layers = WeightOnlyQuantizer.apply(g, Set.of()).layers();
    return List.of(fallback(c, layers, keepFloat, kept -> WeightOnlyQuantizer.apply(g, kept).graph(),
        only -> WeightOnlyQuantizer.apply(g, complement(layers, only)).graph()));
  }

  /** A plan for a set of layer names: kept in float, or the only ones quantized. */
  interface Planner {
    Graph plan(Set<String> nodes) throws Exception;
  }

  /**
   * Ranks layers by the error each adds alone (on a few eval samples), then keeps the worst in
   * float, doubling their number until the gate passes (or every layer is float), and bisects back
   * to the fewest that pass.
   */
  private Candidate fallback(Candidate first, List<String> layers, Set<String> keepFloat, Planner keeping,
      Planner onlyQuantizing) throws Exception {
    listener.fallbackStarted(first.plan(gate), layers.size());
    Map<String, Double> damage = new LinkedHashMap<>();
    int probe = Math.min(eval.size(), 8);
    int i = 0;
    long t0 = System.nanoTime();
    for (String layer : layers) {
      damage.put(layer, Gate.damage(probe(onlyQuantizing.plan(Set.of(layer)), probe)));
      listener.progress("sensitivity", ++i, layers.size());
    }
    timer.add("fallback-sensitivity", System.nanoTime() - t0);
    List<String> ranked = new ArrayList<>(layers);
    ranked.sort(Comparator.comparingDouble((String l) -> damage.get(l)).reversed());
    // double the float layers until the gate passes, then bisect between the last failing count and
    // the passing one: the fewest of the ranked layers in float that pass
    int failing = 0;
    Candidate passing = null;
    int passingK = 0;
    for (int k = 1; ; k = Math.min(layers.size(), k * 2)) {
      Candidate c = keepingMostSensitive(first, ranked, keepFloat, keeping, k, layers.size());
      if (c.passed()) {
        passing = c;
        passingK = k;
        break;
      }
      failing = k;
      if (k == layers.size()) {
        return c;
      }
    }
    for (String l : ranked.subList(0, passingK)) {
      floatReasons.putIfAbsent(l, "gate fallback: among the layers whose int8 error hurts the weakest output most");
    }
    while (!closeEnough(failing, passingK)) {
      int mid = (failing + passingK) / 2;
      Candidate c = keepingMostSensitive(first, ranked, keepFloat, keeping, mid, layers.size());
      if (c.passed()) {
        passing = c;
        passingK = mid;
      } else {
        failing = mid;
      }
    }
    return passing;
  }

  /**
   * A plan's figures on the first {@code limit} eval samples, judged in memory when the runtime
   * takes ONNX bytes (no file written and read back: the sensitivity ranking judges one plan per
   * layer), else through a written artifact.
   */
  private List<OutputFidelity> probe(Graph plan, int limit) throws Exception {
    byte[] bytes = writer.onnxBytes(plan);
    List<OutputFidelity> f = bytes == null ? null : eval.compareOnnxBytes(bytes, limit);
    return f != null ? f : eval.compare(emit(plan).file(), limit);
  }

  /**
   * Whether the bisection between the last failing and the first passing count of float layers may
   * stop: once they are within an eighth of the passing count apart (at most a few layers more in
   * float than the fewest that pass; each step is a full judge on the eval set).
   */
  static boolean closeEnough(int failing, int passing) {
    return passing - failing <= Math.max(1, passing / 8);
  }

  private Candidate keepingMostSensitive(Candidate first, List<String> ranked, Set<String> keepFloat, Planner keeping,
      int k, int layers) throws Exception {
    Set<String> kept = new LinkedHashSet<>(keepFloat);
    kept.addAll(ranked.subList(0, k));
    Candidate c = judge(first.scheme(), keeping.plan(kept), List.copyOf(kept), layers - k);
    listener.fallbackStep(k, c.plan(gate));
    return c;
  }

  private Candidate judge(PlanKind kind, Graph g, List<String> kept, int quantized) throws Exception {
    ArtifactWriter.Written a = timer.time("emit", () -> emit(g));
    List<OutputFidelity> f = timer.time("judge", () -> eval.compare(a.file()));
    Candidate c = new Candidate(kind, g, a, f, gate.passes(f), kept, quantized);
    log.add(c);
    listener.planJudged(c.plan(gate));
    return c;
  }

  /**
   * The passing static plan {@code base} with {@code extraFloat} also kept float, judged as
   * {@code kind}: the calibration of the last {@link #staticPlan} is reused (no new calibration
   * run). {@code why} is recorded for those nodes.
   */
  public Candidate staticVariant(Candidate base, Set<String> extraFloat, PlanKind kind, String why) throws Exception {
    if (staticGraph == null) {
      throw new IllegalStateException("no static plan searched yet");
    }
    Set<String> kept = new LinkedHashSet<>(base.keptFloat());
    kept.addAll(extraFloat);
    extraFloat.forEach(n -> floatReasons.putIfAbsent(n, why));
    Graph q = StaticQuantizer.apply(staticGraph, StaticQuantizer.plan(staticGraph, scheme, kept), staticRanges, staticMeans,
        scheme);
    return judge(kind, q, List.copyOf(kept), base.quantizedLayers() - extraFloat.size());
  }

  /** The graph the last static search quantized (after its QDQ-only rewrites), or null. */
  public Graph staticGraph() {
    return staticGraph;
  }

  /**
   * Makes the next {@link #staticPlan}'s calibration also measure the per-channel magnitudes that
   * {@link #dynamicPlans} smooths with, so the dynamic plans need no second pass over the samples.
   */
  public Int8Search sharingSmoothingStatistics() {
    tapSmoothing = true;
    return this;
  }

  /**
   * Makes the dynamic plans emit ONNX Runtime's QAttention for attention whose Q/K/V projections are
   * MatMuls of one activation (the target offers {@code com.microsoft:QAttention}).
   */
  public Int8Search fusingQAttention() {
    qAttention = true;
    return this;
  }

  /**
   * The dynamic plans run ONNX Runtime's fused exact GELU ({@code BiasGelu}, {@code Gelu}) as its tanh
   * approximation {@code FastGelu} ({@link dev.hwc.compiler.passes.FuseGelu#tanhContrib()}): a faster kernel
   * whose error is below int8's own; the gate judges the plan as a whole.
   */
  public Int8Search fastGelu() {
    fastGelu = true;
    return this;
  }

  /** {@link DynamicQuantizer#apply(Graph, Set, boolean)}, with this search's QAttention and GELU forms. */
  private DynamicQuantizer.Result quantizeDynamic(Graph g, Set<String> keepFloat) {
    DynamicQuantizer.Result r = DynamicQuantizer.apply(g, keepFloat, qAttention);
    if (!fastGelu) {
      return r;
    }
    Graph fast = dev.hwc.compiler.passes.PassContext.defaults().run(dev.hwc.compiler.passes.FuseGelu.tanhContrib(), r.graph());
    return new DynamicQuantizer.Result(fast, r.matMuls(), r.tables());
  }

  /** Why nodes were kept in float by the static search (user, calibration range, speed, gate fallback). */
  public Map<String, String> floatReasons() {
    return java.util.Collections.unmodifiableMap(floatReasons);
  }

  /** Every plan judged, fallback steps included, in order. */
  public List<Candidate> log() {
    return List.copyOf(log);
  }

  private ArtifactWriter.Written emit(Graph g) throws Exception {
    return writer.write(g, workDir.resolve("candidate-" + emitted++ + "." + writer.extension()));
  }

  private static Set<String> complement(List<String> all, Set<String> except) {
    Set<String> s = new LinkedHashSet<>(all);
    s.removeAll(except);
    return s;
  }

}

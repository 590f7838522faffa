package dev.hwc.cli;

import dev.hwc.backends.Emitter;
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
import dev.hwc.hwtests.Fidelity;
import dev.hwc.hwtests.OutputFidelity;
import java.io.PrintWriter;
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
 * and the most sensitive are kept in float until the plan passes.
 */
final class Int8Search {
  /**
   * Smoothing strength for dynamic int8. Measured on all-MiniLM-L6-v2 over the 100 eval sentences
   * (pooled-embedding cosine, worst sentence), every MatMul input smoothed: alpha 0.5 0.959, 0.7
   * 0.9928, 0.8 0.9941, 0.9 0.9929, 1.0 0.9931, none 0.9861 (bench/RESULTS.md, 2026-11-23).
   */
  static final double SMOOTHING_ALPHA = 0.8;

  /** One plan, emitted and judged. */
  record Candidate(String scheme, Graph graph, Path artifact, List<OutputFidelity> fidelity, boolean passed,
      List<String> keptFloat, int quantizedLayers) {}

  private final QuantScheme scheme;
  private final Gate gate;
  private final Evaluation eval;
  private final SampleSet calib;
  private final Calibration calibration;
  private final Path workDir;
  private final PrintWriter out;
  private final Emitter emitter;
  private final List<Candidate> log = new ArrayList<>();
  private int emitted;

  /** The accuracy gate, on the weakest output and the weakest mask channel. */
  record Gate(double minCosine, double maxRelativeL2, double minIoU) {
    boolean passes(List<OutputFidelity> f) {
      return f.stream().allMatch(o -> o.cosine() >= minCosine && o.relativeL2() <= maxRelativeL2 && o.minIoU() >= minIoU);
    }

    /** How far a plan is from the reference: the worst of 1 - cosine and 1 - IoU over outputs and channels. */
    static double damage(List<OutputFidelity> f) {
      return f.stream().mapToDouble(o -> Math.max(1 - o.cosine(), 1 - o.minIoU())).max().orElse(0);
    }
  }

  /** @param emitter writes each plan as the target's artifact (QDQ ONNX, or full-integer TFLite) */
  Int8Search(QuantScheme scheme, Gate gate, Evaluation eval, SampleSet calib, Calibration calibration, Path workDir,
      PrintWriter out, Emitter emitter) {
    this.emitter = emitter;
    this.scheme = scheme;
    this.gate = gate;
    this.eval = eval;
    this.calib = calib;
    this.calibration = calibration;
    this.workDir = workDir;
    this.out = out;
  }

  /** Static QDQ: calibrate once, then fall back layer by layer until the gate passes. */
  Candidate staticPlan(Graph g, Set<String> keepFloat) throws Exception {
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
    out.printf("calibrating %d activations on %d samples (%s)%n", observe.size(), calib.size(), calibration);
    // per-channel means of the weighted layers' inputs, for bias correction
    Map<String, Integer> meanAxes = StaticQuantizer.meanAxes(g, full, observe);
    Progress bar = new Progress(out, "calibrate");
    Map<String, TensorRange> ranges = Calibrator.calibrate(g, observe, calib, calibration,
        Calibrator.Options.DEFAULT.withProgress(bar::accept).withChannelMeans(meanAxes));
    Map<String, double[]> lohi = new LinkedHashMap<>();
    Map<String, float[]> means = new LinkedHashMap<>();
    ranges.forEach((k, r) -> {
      lohi.put(k, new double[] {r.lo(), r.hi()});
      if (r.channelMean() != null) {
        means.put(k, r.channelMean());
      }
    });
    Set<String> wide = StaticQuantizer.outOfRange(lohi);
    if (!wide.isEmpty()) {
      String first = wide.iterator().next();
      String what = wide.size() + " activation(s) calibrate to ranges int8 cannot hold (e.g. '" + first + "' in ["
          + Format.num(lohi.get(first)[0]) + ", " + Format.num(lohi.get(first)[1]) + "]: a mask sentinel?)";
      if (!scheme.floatAllowed()) {
        throw new dev.hwc.common.BadInputException(what + "; this target is integer-only, so the model cannot be built for it");
      }
      Set<String> kept = StaticQuantizer.nodesTouching(g, full, wide);
      out.printf("%s: keeping the %d layer(s) that write or read them in float%n", what, kept.size());
      keepFloat = new LinkedHashSet<>(keepFloat);
      keepFloat.addAll(kept);
    }
    Candidate c = judge("static", StaticQuantizer.apply(g, StaticQuantizer.plan(g, scheme, keepFloat), lohi, means, scheme),
        List.copyOf(keepFloat), full.nodes().size() - keepFloat.size());
    if (c.passed() || full.nodes().isEmpty()) {
      return c;
    }
    if (!scheme.floatAllowed()) {
      out.printf("static plan fails the gate and this target is integer-only: no layer can be kept in float%n");
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
   * Dynamic int8 MatMuls (and int8 embedding tables), as two plans that the speed check decides
   * between: "dynamic" as it is, and "dynamic-smoothed" with the activations whose outlier channels
   * stretch the int8 range smoothed into the weights first (alpha {@value #SMOOTHING_ALPHA}, only
   * where the largest channel's range exceeds {@value SmoothActivations#OUTLIER_RATIO}x the median
   * channel's: each smoothing costs a Mul per run). Returns the plans that pass, or, when none does,
   * the layer-by-layer fallback of the better one; empty when the model has no MatMul with constant
   * weights.
   */
  List<Candidate> dynamicPlans(Graph float32, Set<String> keepFloat) throws Exception {
    if (emitter.format().equals("tflite")) {
      return weightOnlyPlans(float32, keepFloat);
    }
    DynamicQuantizer.Result plainQ = DynamicQuantizer.apply(float32, keepFloat);
    if (plainQ.matMuls().isEmpty()) {
      return List.of();
    }
    Candidate plain = judge("dynamic", plainQ.graph(), List.copyOf(keepFloat), plainQ.matMuls().size());
    List<String> acts = SmoothActivations.candidates(float32);
    out.printf("measuring %d MatMul inputs per channel on %d samples for smoothing%n", acts.size(), calib.size());
    Progress bar = new Progress(out, "smooth");
    Map<String, float[]> absMax = ChannelAbsMax.measure(float32, acts, calib, bar::accept);
    absMax.keySet().removeIf(a -> SmoothActivations.outlierRatio(absMax.get(a)) <= SmoothActivations.OUTLIER_RATIO);
    List<Candidate> passing = new ArrayList<>();
    if (plain.passed()) {
      passing.add(plain);
    }
    Candidate smoothed = null;
    Graph g = float32;
    if (!absMax.isEmpty()) {
      out.printf("smoothing %d of %d MatMul inputs (outlier channels over %.0fx the median)%n", absMax.size(), acts.size(),
          SmoothActivations.OUTLIER_RATIO);
      g = SmoothActivations.apply(float32, absMax, SMOOTHING_ALPHA, keepFloat);
      DynamicQuantizer.Result r = DynamicQuantizer.apply(g, keepFloat);
      smoothed = judge("dynamic-smoothed", r.graph(), List.copyOf(keepFloat), r.matMuls().size());
      if (smoothed.passed()) {
        passing.add(smoothed);
      }
    }
    if (!passing.isEmpty()) {
      return passing;
    }
    Candidate worse = smoothed != null && Gate.damage(smoothed.fidelity()) < Gate.damage(plain.fidelity()) ? smoothed : plain;
    Graph base = worse == plain ? float32 : g;
    List<String> layers = new ArrayList<>(DynamicQuantizer.apply(base, Set.of()).matMuls());
    return List.of(fallback(worse, layers, keepFloat,
        kept -> DynamicQuantizer.apply(base, kept).graph(),
        only -> DynamicQuantizer.apply(base, complement(layers, only)).graph()));
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
    Candidate c = judge("dynamic", r.graph(), List.copyOf(keepFloat), r.layers().size());
    if (c.passed()) {
      return List.of(c);
    }
    List<String> layers = WeightOnlyQuantizer.apply(g, Set.of()).layers();
    return List.of(fallback(c, layers, keepFloat, kept -> WeightOnlyQuantizer.apply(g, kept).graph(),
        only -> WeightOnlyQuantizer.apply(g, complement(layers, only)).graph()));
  }

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
    out.printf("%s plan fails the gate (weakest output '%s', cosine %s): ranking %d layers by sensitivity%n",
        first.scheme(), Fidelity.weakest(first.fidelity()).output(), Format.num(Fidelity.weakest(first.fidelity()).cosine()),
        layers.size());
    Map<String, Double> damage = new LinkedHashMap<>();
    int probe = Math.min(eval.size(), 8);
    Progress p = new Progress(out, "sensitivity");
    int i = 0;
    for (String layer : layers) {
      Path a = emit(onlyQuantizing.plan(Set.of(layer)));
      damage.put(layer, Gate.damage(eval.compare(a, probe)));
      p.accept(++i, layers.size());
    }
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
    while (passingK - failing > 1) {
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

  private Candidate keepingMostSensitive(Candidate first, List<String> ranked, Set<String> keepFloat, Planner keeping,
      int k, int layers) throws Exception {
    Set<String> kept = new LinkedHashSet<>(keepFloat);
    kept.addAll(ranked.subList(0, k));
    Candidate c = judge(first.scheme(), keeping.plan(kept), List.copyOf(kept), layers - k);
    out.printf("  keeping %d most sensitive layer(s) in float: weakest cosine %s, weakest IoU %s%s%n", k,
        Format.num(Fidelity.weakest(c.fidelity()).cosine()),
        Format.num(c.fidelity().stream().mapToDouble(OutputFidelity::minIoU).min().orElse(1)),
        c.passed() ? " (passes)" : "");
    return c;
  }

  private Candidate judge(String name, Graph g, List<String> kept, int quantized) throws Exception {
    Path a = emit(g);
    List<OutputFidelity> f = eval.compare(a);
    Candidate c = new Candidate(name, g, a, f, gate.passes(f), kept, quantized);
    log.add(c);
    return c;
  }

  /** Every plan judged, fallback steps included, in order. */
  List<Candidate> log() {
    return List.copyOf(log);
  }

  private Path emit(Graph g) throws Exception {
    Path p = workDir.resolve("candidate-" + emitted++ + "." + emitter.extension());
    emitter.emit(g, p);
    return p;
  }

  private static Set<String> complement(List<String> all, Set<String> except) {
    Set<String> s = new LinkedHashSet<>(all);
    s.removeAll(except);
    return s;
  }

  static List<String> names(List<Node> nodes) {
    return nodes.stream().map(Node::name).toList();
  }
}

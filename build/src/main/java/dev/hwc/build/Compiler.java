package dev.hwc.build;

import dev.hwc.compiler.analysis.Legality;
import dev.hwc.compiler.analysis.ModelStats;
import dev.hwc.compiler.frontend.Frontends;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.profiles.Profile;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * hwc as a library: the two things the command line does with a model, as Java calls.
 *
 * <ul>
 *   <li>{@link #build}: read the model, run hwc's fp32 passes, compress it as the target allows
 *       (fp16, or an int8 plan search with its layer-by-layer fallback), emit the target's artifact,
 *       check every plan per output on a real runtime against the input model, time the passing
 *       plans against fp32, and report. With an output folder the artifact, report.json (and for
 *       the Edge TPU edgetpu-report.json) are written whole or not at all; without one nothing is
 *       written and the result holds the artifact's bytes.
 *   <li>{@link #inspect}: what a model is made of, and per target which of its ops are legal and why not.
 * </ul>
 *
 * <p>Bad input (a hostile or unreadable model, an op the target cannot run, a flag the target does
 * not take) throws {@link dev.hwc.common.BadInputException} with one line naming the problem; a
 * failed check throws {@link CheckFailedException} carrying the result.
 */
public final class Compiler {
  private Compiler() {}

  /** Builds without progress reports. */
  public static BuildResult build(BuildRequest request) throws Exception {
    return build(request, BuildListener.NONE);
  }

  /**
   * Builds the request's model for its target.
   *
   * @return the chosen plan (it passed the gate), every plan judged, the artifact, the report
   * @throws dev.hwc.common.BadInputException bad input; nothing was written
   * @throws CheckFailedException no plan passed the gate (or a required speed-up was missing);
   *     nothing was written, and {@link CheckFailedException#result()} holds what was found
   */
  public static BuildResult build(BuildRequest request, BuildListener listener) throws Exception {
    return new BuildJob(request, listener).run();
  }

  /** Sweeps without progress reports. */
  public static SweepResult sweep(SweepRequest request) throws Exception {
    return sweep(request, SweepListener.NONE);
  }

  /**
   * Builds every candidate of the request's grid (precision x compression) for its target, measures each
   * per output on the held-out samples, times it against the uncompressed baseline, prices it, and finds
   * along each series the knee, the wall where the weakest output breaks and the operating point just
   * before it. With an output folder writes sweep.json, sweep.csv, envelope.html/.svg(/.png) and keeps
   * a per-candidate cache there (a repeated or interrupted sweep reuses finished candidates).
   */
  public static SweepResult sweep(SweepRequest request, SweepListener listener) throws Exception {
    return new SweepJob(request, listener).run();
  }

  /** Reads a model and judges it for each target of the request. */
  public static InspectResult inspect(InspectRequest request) throws Exception {
    Graph g = GraphValidator.check(ShapeInference.run(Frontends.read(request.model())));
    if (!request.shapes().isEmpty()) {
      g = ShapeInference.bindInputs(g, request.shapes());
    }
    Graph optimized = Pipeline.standard().run(g);
    ModelStats stats = ModelStats.of(g);
    // MACs from the optimized graph: the passes keep every product but make shapes known (folded shape chains)
    long macs = ModelStats.of(optimized).macs();
    List<InspectResult.TargetLegality> legality = new ArrayList<>();
    for (Profile p : request.targets()) {
      // what the build enforces and reports: the backend's rewrites and lowering, then the profile
      legality.add(summarise(dev.hwc.backends.TargetLegality.check(optimized, p)));
    }
    return new InspectResult(request.model(), Files.size(request.model()), g.opset(), g.inputs(), g.outputs(), stats,
        macs, ModelStats.inputSymbols(g), optimized.nodes().size(), List.copyOf(legality));
  }

  private static InspectResult.TargetLegality summarise(dev.hwc.backends.TargetLegality.Result r) {
    // one line per op with its first reason; ops held back only by symbolic shapes share one line
    Map<String, String> why = new TreeMap<>();
    Map<String, Integer> count = new TreeMap<>();
    java.util.Set<String> shapeOnly = new TreeSet<>();
    for (dev.hwc.backends.TargetLegality.Verdict v : r.verdicts()) {
      if (v.status() == dev.hwc.backends.TargetLegality.Status.UNSUPPORTED) {
        String reason = v.reasons().get(0);
        if (reason.startsWith(Legality.STATIC_SHAPES)) {
          shapeOnly.add(v.op());
          continue;
        }
        count.merge(v.op(), 1, Integer::sum);
        why.putIfAbsent(v.op(), reason);
      }
    }
    Map<String, String> ops = new LinkedHashMap<>();
    why.forEach((op, reason) -> ops.put(op, "x" + count.get(op) + "  " + reason));
    if (!shapeOnly.isEmpty()) {
      ops.put("(symbolic shapes)", Legality.STATIC_SHAPES + " (fix them with --shape): " + String.join(", ", shapeOnly));
    }
    return new InspectResult.TargetLegality(r.target(), r.unit().toString(),
        r.count(dev.hwc.backends.TargetLegality.Status.SUPPORTED),
        r.count(dev.hwc.backends.TargetLegality.Status.UNSUPPORTED),
        r.count(dev.hwc.backends.TargetLegality.Status.CPU_AFTER_PARTITION),
        r.firstUnsupportedDescribed().orElse(null), ops);
  }
}

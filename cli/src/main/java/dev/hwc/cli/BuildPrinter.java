package dev.hwc.cli;

import dev.hwc.build.BuildListener;
import dev.hwc.build.BuildReport;
import dev.hwc.build.BuildResult;
import dev.hwc.build.Format;
import dev.hwc.build.Plan;
import dev.hwc.build.PlanKind;
import dev.hwc.compiler.quant.calib.Calibration;
import dev.hwc.hwtests.OutputFidelity;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How {@code hwc build} talks: the build's progress as lines and bars while it runs (a {@link
 * BuildListener}), then the result as tables.
 */
final class BuildPrinter implements BuildListener {
  private final PrintWriter out;
  private final Map<String, Progress> bars = new HashMap<>();

  BuildPrinter(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void started(Started s) {
    out.printf("hwc build: %s -> %s (%s %s, checked on %s)%n", s.model(), s.target(), s.precision().id(), s.format(),
        s.checkedOn());
  }

  @Override
  public void info(String message) {
    out.println(message);
  }

  @Override
  public void calibrationStarted(int activations, int samples, Calibration method) {
    out.printf("calibrating %d activations on %d samples (%s)%n", activations, samples, method);
  }

  @Override
  public void progress(String stage, int done, int total) {
    bars.computeIfAbsent(stage, l -> new Progress(out, l)).accept(done, total);
    if (done == total) {
      bars.remove(stage); // the next run of this stage draws a fresh bar
    }
  }

  @Override
  public void fineTuneStep(FineTuneStep s) {
    int every = Math.max(1, s.steps() / 10);
    if (s.step() == 1 || s.step() % every == 0 || s.step() == s.steps()) {
      out.printf(Locale.ROOT, "  fine-tune step %d/%d  loss %.4f  %.0f s, ETA %.0f s%n", s.step(), s.steps(), s.loss(),
          s.seconds(), s.etaSeconds());
      out.flush();
    }
  }

  @Override
  public void fallbackStarted(Plan failed, int layers) {
    // the gate's own reason: the weakest mask's IoU when that is what failed, else cosine and relative L2
    out.printf("%s plan fails the gate (%s): ranking %d layers by sensitivity%n", failed.kind().id(), failed.verdict(),
        layers);
  }

  @Override
  public void fallbackStep(int keptFloat, Plan plan) {
    out.printf("  keeping %d most sensitive layer(s) in float: weakest cosine %s, weakest IoU %s%s%n", keptFloat,
        Format.num(plan.weakest().cosine()), Format.num(plan.weakestIoU()), plan.passed() ? " (passes)" : "");
  }

  @Override
  public void timingStarted(List<PlanKind> plans, double secondsEach) {
    out.printf("timing fp32 against %s, interleaved (%s s each)...%n",
        String.join(", ", plans.stream().map(PlanKind::id).toList()), secondsEach);
  }

  /** The result: passes, plans, per-output fidelity, masks, speed, notes, the Edge TPU summary. */
  static void print(PrintWriter out, BuildResult result) {
    BuildReport r = result.report();
    Table passes = new Table("pass", "nodes before", "nodes after", "ms");
    r.passes().forEach(p -> passes.row(p.name(), p.nodesBefore(), p.nodesAfter(),
        String.format(Locale.ROOT, "%.1f", p.millis())));
    passes.print(out);
    out.printf("%nnodes %d -> %d%s, artifact %s (%s, %.0f%% of fp32; input %s)%n", r.input().nodes(), r.artifact().nodes(),
        r.artifact().format().equals("tflite") ? " TFLite ops" : "",
        Format.bytes(r.artifact().bytes()), r.artifact().scheme(), 100 * r.artifact().sizeRatioToFp32(),
        Format.bytes(r.input().bytes()));
    if (r.candidates().size() > 1 || r.precision().equals("int8")) {
      Table c = new Table("plan", "passed", "weakest output", "cosine", "weakest IoU", "int8 layers", "kept float", "bytes");
      r.candidates().forEach(x -> c.row(x.scheme(), x.passed() ? "yes" : "no", x.weakestOutput(),
          Format.num(x.weakestCosine()), Format.num(x.weakestIoU()), x.quantizedLayers(), x.keptFloat().size(),
          Format.bytes(x.bytes())));
      out.println();
      c.print(out);
    }
    out.printf("%nfidelity on %s %s vs the input model, %d samples (%s); gate: cosine >= %s, rel L2 <= %s, IoU >= %s:%n",
        r.artifact().checkedOn(), r.artifact().runtimeVersion(), r.fidelity().samples(), r.fidelity().sampleSource(),
        r.fidelity().minCosine(), r.fidelity().maxRelativeL2(), r.fidelity().minIoU());
    Table t = new Table("output", "kind", "max abs", "mean abs", "rel L2", "cosine", "SNR dB", "IoU per channel", "note");
    for (OutputFidelity f : r.fidelity().outputs()) {
      StringBuilder iou = new StringBuilder();
      for (double v : f.iou()) {
        iou.append(iou.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.3f", v));
      }
      t.row(f.output(), f.kind().name().toLowerCase(Locale.ROOT), Format.num(f.maxAbs()), Format.num(f.meanAbs()),
          Format.num(f.relativeL2()), Format.num(f.cosine()), Format.num(f.snrDb()), iou.length() == 0 ? "-" : iou,
          f.output().equals(r.fidelity().weakestOutput()) ? "<- weakest" : "");
    }
    t.print(out);
    for (OutputFidelity f : r.fidelity().outputs()) {
      if (f.pooled() != null) {
        out.printf("%s pooled per sentence (%s): mean cosine %s, worst %s, over %d sentences%n", f.output(),
            f.pooled().weightedBy() == null ? "plain mean over tokens" : "mean over tokens where " + f.pooled().weightedBy() + " is set",
            Format.num(f.pooled().mean()), Format.num(f.pooled().worst()), f.pooled().rows());
      }
    }
    MaskTable.print(out, result.masks(), r.fidelity().outputs(), r.fidelity().curves());
    if (r.speed().measured()) {
      out.println("speed: " + r.speed().note());
    }
    r.notes().forEach(n -> out.println("note: " + n));
    result.edgeTpu().ifPresent(tpu -> {
      String summary = tpu.summary();
      out.println();
      out.print(summary.endsWith("\n") ? summary : summary + "\n");
    });
    result.segments().ifPresent(seg -> {
      out.println();
      out.println(seg.table());
      var s = r.segmented();
      if (s != null) {
        OutputFidelity w = dev.hwc.hwtests.Fidelity.weakest(s.outputs());
        out.printf(Locale.ROOT, "the chain vs the single file on %d eval samples: %s; vs the input model: weakest "
            + "output %s, cosine %.4f%n", s.samplesCompared(), s.identicalToSingleFile() ? "every output byte equal"
            : "OUTPUTS DIFFER", w.output(), w.cosine());
        s.edgetpuCompilerCommands().forEach(c -> out.println("compile a TPU segment: " + c));
      }
    });
    out.flush(); // print() does not flush: a failed gate exits right after this
  }
}

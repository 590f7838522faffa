package dev.hwc.build;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a sweep found, and what sweep.json holds (its Jackson serialization; the JSON Schema is
 * docs/sweep.schema.json). Figures that could not be measured are null, never NaN.
 *
 * @param schema the sweep.json format version
 * @param hwcVersion the hwc that swept
 * @param target the target's id
 * @param model how the model is named
 * @param modelSha256 SHA-256 of the model file (of its ONNX form for an in-memory graph)
 * @param evalSource where the held-out samples came from
 * @param gate the accuracy gate every candidate was judged by
 * @param rate requests per second the cost is priced at
 * @param currency the price sheet's currency
 * @param baselineBand the user's current monthly spend band [lo, hi], or null
 * @param kneeMethod how the knee is found, one line
 * @param candidates every grid entry in order along the compression axis (built or not)
 * @param series each series (precision and compression kind) with its own knee, wall and operating point
 * @param wall the wall of the headline series (null when nothing broke)
 * @param operatingPoint the shippable candidate (null when none passes before the wall)
 * @param paretoBySize built candidates no other beats on both the weakest output and the gzipped size, by size
 * @param paretoByCost the same against EUR/month (timed candidates only)
 * @param notes plain statements (baseline used, candidates not built, timing skipped)
 * @param folder where it was written (not in sweep.json)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SweepResult(int schema, String hwcVersion, String target, String model, String modelSha256,
    String evalSource, GateFigures gate, double rate, String currency, double[] baselineBand, String kneeMethod,
    List<Candidate> candidates, List<Series> series, Wall wall, OperatingPoint operatingPoint,
    List<String> paretoBySize, List<String> paretoByCost, List<String> notes, @JsonIgnore Path folder) {

  public static final int SCHEMA = 1;

  public record GateFigures(double minCosine, double maxRelativeL2, double minIoU) {}

  /**
   * One candidate.
   *
   * @param id precision/compression, e.g. {@code int8-static/unstructured-0.50}
   * @param series its series
   * @param precision fp32, fp16, int8, int8-static, int8-dynamic
   * @param compression the compression's id ("none", "unstructured-0.50") or its spec when unknown
   * @param level its place along the series (the pruned fraction)
   * @param built whether it was built
   * @param reason why not (illegal on the target, unknown compression), null when built
   * @param plan the plan the build chose (fp32, fp16, static, dynamic, ...)
   * @param passed whether it passed the gate on the held-out samples
   * @param verdict the gate's one line
   * @param tracks every output's accuracy: per mask channel its IoU, for other outputs the cosine
   * @param weakestTrack the lowest track
   * @param weakest its value
   * @param aggregate mean IoU over mask channels (mean cosine when there are no masks)
   * @param aggregateMetric "mean IoU" or "mean cosine"
   * @param outputs per-output figures
   * @param curves per thin-curve mask channel: R² and pieces against the input model's
   * @param fragmented whether any curve broke into more pieces (see {@link dev.hwc.hwtests.CurveResult})
   * @param bytes artifact size as stored
   * @param gzipBytes artifact size gzipped (where unstructured zeros show)
   * @param latency timing against the baseline (null when not timed)
   * @param cost the cheapest deployable line of the price sheet at the rate (null when not timed)
   * @param cacheKey the key its figures are cached under
   */
  public record Candidate(String id, String series, String precision, String compression, Double level, boolean built,
      String reason, String plan, Boolean passed, String verdict, List<Track> tracks, String weakestTrack,
      Double weakest, Double aggregate, String aggregateMetric, List<OutputFigures> outputs, List<CurveFigures> curves,
      Boolean fragmented, Long bytes, Long gzipBytes, Latency latency, CostLine cost, String cacheKey) {

    /** This measured candidate placed on a series (the grid decides where; a cache entry only holds figures). */
    Candidate onSeries(String s, Double l) {
      return new Candidate(id, s, precision, compression, l, built, reason, plan, passed, verdict, tracks,
          weakestTrack, weakest, aggregate, aggregateMetric, outputs, curves, fragmented, bytes, gzipBytes, latency, cost,
          cacheKey);
    }

    Candidate withLatency(Latency l) {
      return new Candidate(id, series, precision, compression, level, built, reason, plan, passed, verdict, tracks,
          weakestTrack, weakest, aggregate, aggregateMetric, outputs, curves, fragmented, bytes, gzipBytes, l, cost,
          cacheKey);
    }

    Candidate withCost(CostLine c) {
      return new Candidate(id, series, precision, compression, level, built, reason, plan, passed, verdict, tracks,
          weakestTrack, weakest, aggregate, aggregateMetric, outputs, curves, fragmented, bytes, gzipBytes, latency, c,
          cacheKey);
    }

    static Candidate notBuilt(SweepGrid.Entry e, String why) {
      return new Candidate(e.id(), e.series(), e.precisionId(), e.compression() != null ? e.compression().id() : e.spec(),
          Double.isNaN(e.level()) ? null : e.level(), false, why, null, null, null, List.of(), null, null, null, null,
          List.of(), List.of(), null, null, null, null, null, null);
    }
  }

  /** @param metric "iou" or "cosine" */
  public record Track(String name, String metric, double value) {}

  /** @param iou per channel (class) name, IoU against the input model's argmax; empty when not a mask */
  public record OutputFigures(String output, String kind, double cosine, double relativeL2, double maxAbs,
      Map<String, Double> iou) {}

  public record CurveFigures(String output, String channel, Double r2, String against, Double referenceR2,
      long referenceFragments, long fragments, boolean fragmented) {}

  /**
   * @param p50Ms median latency
   * @param p99Ms 99th percentile
   * @param meanMs mean (what a month's bill sums)
   * @param baseline the candidate it was timed against, interleaved
   * @param baselineP50Ms the baseline's median in the same run
   * @param speedup baseline / candidate, median over interleaved rounds
   * @param peakRssBytes the child process's peak resident memory (null when the harness had none)
   * @param busyMachine whether other processes loaded the machine while timing
   */
  public record Latency(double p50Ms, double p99Ms, double meanMs, String baseline, double baselineP50Ms,
      double speedup, Long peakRssBytes, boolean busyMachine) {}

  /** @param eurPerMonth in the sheet's currency */
  public record CostLine(String deployment, double eurPerMonth, String basis) {}

  /**
   * @param name precision and compression kind
   * @param candidates built candidate ids along it, in order
   * @param knee the Kneedle knee's candidate id (null when none)
   * @param wall the wall's candidate id (null when nothing broke)
   * @param operatingPoint the series' operating point's id (null when none)
   */
  public record Series(String name, List<String> candidates, String knee, String wall, String operatingPoint) {}

  /**
   * @param series the series
   * @param candidate the first candidate past the safe side
   * @param level its level
   * @param signals what marks it: "knee (Kneedle)", "gate fails: ...", "fragments appear: ..."
   * @param weakestTrack the weakest output at the wall
   * @param weakestAtWall its value there
   * @param weakestAtStart the weakest value at the series' start (uncompressed)
   * @param aggregateAtWall the aggregate there
   * @param aggregateAtStart the aggregate at the series' start
   */
  public record Wall(String series, String candidate, double level, List<String> signals, String weakestTrack,
      double weakestAtWall, double weakestAtStart, double aggregateAtWall, double aggregateAtStart) {}

  /**
   * @param candidate the operating point's id
   * @param level its level along its series
   * @param weakest its weakest output's value
   * @param aggregate its aggregate
   * @param eurPerMonth its cost (null when not timed)
   * @param baseline the baseline candidate (uncompressed, widest precision)
   * @param baselineEurPerMonth the baseline's cost
   * @param savingEurPerMonth baseline minus operating point
   * @param storedSavingPercent artifact size saved as stored, against the baseline
   * @param gzipSavingPercent artifact size saved gzipped
   * @param nextStep the candidate just past it (the wall), null at the end of the series
   * @param nextStepWeakestDrop how much the weakest output would lose there
   * @param nextStepAggregateDrop how much the aggregate would lose there
   * @param statement one sentence
   */
  public record OperatingPoint(String candidate, double level, double weakest, double aggregate, Double eurPerMonth,
      String baseline, Double baselineEurPerMonth, Double savingEurPerMonth, double storedSavingPercent,
      double gzipSavingPercent, String nextStep, Double nextStepWeakestDrop, Double nextStepAggregateDrop,
      String statement) {}

  /** The candidate with this id. */
  public java.util.Optional<Candidate> find(String id) {
    return candidates.stream().filter(c -> c.id().equals(id)).findFirst();
  }
}

package dev.hwc.build;

import dev.hwc.hwtests.OutputKind;
import dev.hwc.hwtests.cost.PriceSheet;
import dev.hwc.profiles.Profile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to sweep: a model on a target over a grid of (precision, compression) candidates.
 *
 * @param model the model (a file, a graph, or the bundled example with its own data)
 * @param profile the target
 * @param grid the candidates; null for the model's {@link SweepGrid#defaults(Profile, dev.hwc.compiler.ir.Graph)}
 * @param calibration calibration samples (as for a build; null: calib/ beside the model)
 * @param eval held-out eval samples (as for a build; null: the bundled example's eval strips, ...)
 * @param outputKinds what outputs are, where not inferred
 * @param minCosine the gate's lowest cosine; null for the profile's
 * @param minIoU the gate's lowest IoU; null for the profile's
 * @param shapes fixed input shapes
 * @param benchSeconds timed seconds per artifact when timing a candidate against the float baseline; 0 skips timing
 * @param rate requests per second the cost is priced at
 * @param prices the price sheet
 * @param baselineEur the user's current monthly spend band (lo, hi), or null
 * @param output the sweep's folder (null: nothing written, no cache)
 * @param replaceOutput replace the results of an earlier sweep in {@code output} (the cache is kept)
 * @param ship also build the operating point into {@code output}/ship as {@code hwc build} writes it
 * @param screenshot write envelope.png with headless Chromium when it is installed
 * @param jobs candidates built at once, each in its own child JVM (1: one after another in this
 *     process); timing runs one at a time either way, after the builds, so the measurements stay clean
 */
public record SweepRequest(ModelInput model, Profile profile, List<SweepGrid.Entry> grid, SampleSource calibration,
    SampleSource eval, Map<String, OutputKind> outputKinds, Double minCosine, Double minIoU, Map<String, long[]> shapes,
    double benchSeconds, double rate, PriceSheet prices, double[] baselineEur, Path output, boolean replaceOutput,
    boolean ship, boolean screenshot, int jobs) {

  public SweepRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(profile, "profile");
    grid = grid == null ? null : List.copyOf(grid);
    outputKinds = outputKinds == null ? Map.of() : Map.copyOf(outputKinds);
    shapes = shapes == null ? Map.of() : shapes;
    prices = prices == null ? PriceSheet.defaults() : prices;
    if (rate < 0) {
      throw new dev.hwc.common.BadInputException("--rate must be >= 0 requests per second, got " + rate);
    }
    if (jobs < 1) {
      throw new dev.hwc.common.BadInputException("--jobs must be at least 1, got " + jobs);
    }
  }

  /** A request with the defaults: default grid, 0.5 timed seconds, 10 requests/s, bundled prices, nothing written. */
  public static SweepRequest of(ModelInput model, Profile profile) {
    return new SweepRequest(model, profile, null, null, null, null, null, null, null, 0.5, 10, null, null, null, false,
        false, false, 1);
  }

  public SweepRequest withGrid(List<SweepGrid.Entry> g) {
    return new SweepRequest(model, profile, g, calibration, eval, outputKinds, minCosine, minIoU, shapes, benchSeconds,
        rate, prices, baselineEur, output, replaceOutput, ship, screenshot, jobs);
  }

  public SweepRequest withOutput(Path dir, boolean replace) {
    return new SweepRequest(model, profile, grid, calibration, eval, outputKinds, minCosine, minIoU, shapes,
        benchSeconds, rate, prices, baselineEur, dir, replace, ship, screenshot, jobs);
  }

  public SweepRequest withBenchSeconds(double s) {
    return new SweepRequest(model, profile, grid, calibration, eval, outputKinds, minCosine, minIoU, shapes, s, rate,
        prices, baselineEur, output, replaceOutput, ship, screenshot, jobs);
  }

  public SweepRequest withSamples(SampleSource calib, SampleSource ev) {
    return new SweepRequest(model, profile, grid, calib, ev, outputKinds, minCosine, minIoU, shapes, benchSeconds, rate,
        prices, baselineEur, output, replaceOutput, ship, screenshot, jobs);
  }

  public SweepRequest withCost(double r, PriceSheet sheet, double[] band) {
    return new SweepRequest(model, profile, grid, calibration, eval, outputKinds, minCosine, minIoU, shapes,
        benchSeconds, r, sheet, band, output, replaceOutput, ship, screenshot, jobs);
  }

  public SweepRequest withShip(boolean s, boolean png) {
    return new SweepRequest(model, profile, grid, calibration, eval, outputKinds, minCosine, minIoU, shapes,
        benchSeconds, rate, prices, baselineEur, output, replaceOutput, s, png, jobs);
  }

  public SweepRequest withGate(Double cos, Double iou) {
    return new SweepRequest(model, profile, grid, calibration, eval, outputKinds, cos, iou, shapes, benchSeconds, rate,
        prices, baselineEur, output, replaceOutput, ship, screenshot, jobs);
  }

  /** Candidates built at once in child JVMs (1: in this process). */
  public SweepRequest withJobs(int n) {
    return new SweepRequest(model, profile, grid, calibration, eval, outputKinds, minCosine, minIoU, shapes,
        benchSeconds, rate, prices, baselineEur, output, replaceOutput, ship, screenshot, n);
  }
}

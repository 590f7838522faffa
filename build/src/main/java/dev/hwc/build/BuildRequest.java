package dev.hwc.build;

import dev.hwc.backends.tflite.TfliteLowering;
import dev.hwc.compiler.quant.calib.Calibration;
import dev.hwc.hwtests.OutputKind;
import dev.hwc.profiles.Profile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to build: a model for a target, and how. Made with {@link #builder(ModelInput, Profile)};
 * everything but the model and the target has a default.
 *
 * @param model the model: a file, an in-memory graph, or the bundled example
 * @param profile the target's capability profile
 * @param precision the weights' precision; null for the target's first legal one
 * @param scheme which int8 plans to try (default {@link Scheme#AUTO})
 * @param calibration calibration samples; null for calib/ beside the model (int8 fails without any)
 * @param eval eval samples for the accuracy check; null for the bundled example's eval strips, a
 *     held-out fifth of the calibration set (int8), or {@code randomSamples} seeded random samples (float)
 * @param calibrationMethod how ranges are calibrated (default: percentile 99.99)
 * @param minCosine the gate's lowest cosine; null for the profile's
 * @param minIoU the gate's lowest IoU of mask channels; null for the profile's
 * @param outputKinds what outputs are (mask, labels, embedding, regression); the rest is inferred
 * @param keepFloat node names kept in float
 * @param shapes fixed input shapes (input name to dims)
 * @param randomSamples seeded random samples for the check of float builds without eval data (default 8)
 * @param benchSeconds timed seconds per artifact in the speed check of compressed builds; 0 skips it (default 3)
 * @param requireSpeedup fail (nothing written) when the artifact is not faster than fp32 here
 * @param nchwIo TFLite artifacts keep the source's NCHW graph IO (default NHWC)
 * @param ioType graph IO type of quantized TFLite artifacts; null for the profile's first
 * @param output the folder to write (artifact, report.json, edgetpu-report.json); null to write
 *     nothing and return the results in memory
 * @param replaceOutput replace {@code output} when it exists (else the build refuses it)
 * @param compression pruning applied before quantization (default {@link Compression#NONE}); the
 *     gate still compares against the uncompressed model, and the speed check times against its fp32
 * @param maxSegments for a target that partitions once (the Edge TPU): the most TPU segments of the
 *     segmented deployment written beside the single file (default 3)
 */
public record BuildRequest(ModelInput model, Profile profile, Precision precision, Scheme scheme,
    SampleSource calibration, SampleSource eval, Calibration calibrationMethod, Double minCosine, Double minIoU,
    Map<String, OutputKind> outputKinds, List<String> keepFloat, Map<String, long[]> shapes, int randomSamples,
    double benchSeconds, boolean requireSpeedup, boolean nchwIo, TfliteLowering.IoType ioType, Path output,
    boolean replaceOutput, Compression compression, int maxSegments) {

  public BuildRequest {
    compression = compression == null ? Compression.NONE : compression;
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(profile, "profile");
    scheme = scheme == null ? Scheme.AUTO : scheme;
    calibrationMethod = calibrationMethod == null ? Calibration.PERCENTILE : calibrationMethod;
    outputKinds = Map.copyOf(outputKinds == null ? Map.of() : outputKinds);
    keepFloat = List.copyOf(keepFloat == null ? List.of() : keepFloat);
    shapes = shapes == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
  }

  public static Builder builder(ModelInput model, Profile profile) {
    return new Builder(model, profile);
  }

  /** A request like this one, to be changed. */
  public Builder toBuilder() {
    Builder b = new Builder(model, profile);
    b.precision = precision;
    b.scheme = scheme;
    b.calibration = calibration;
    b.eval = eval;
    b.calibrationMethod = calibrationMethod;
    b.minCosine = minCosine;
    b.minIoU = minIoU;
    b.outputKinds = outputKinds;
    b.keepFloat = keepFloat;
    b.shapes = shapes;
    b.randomSamples = randomSamples;
    b.benchSeconds = benchSeconds;
    b.requireSpeedup = requireSpeedup;
    b.nchwIo = nchwIo;
    b.ioType = ioType;
    b.output = output;
    b.replaceOutput = replaceOutput;
    b.compression = compression;
    b.maxSegments = maxSegments;
    return b;
  }

  /** Builds a {@link BuildRequest}; each setter documents its component on {@link BuildRequest}. */
  public static final class Builder {
    private final ModelInput model;
    private final Profile profile;
    private Precision precision;
    private Scheme scheme = Scheme.AUTO;
    private SampleSource calibration;
    private SampleSource eval;
    private Calibration calibrationMethod = Calibration.PERCENTILE;
    private Double minCosine;
    private Double minIoU;
    private Map<String, OutputKind> outputKinds = Map.of();
    private List<String> keepFloat = List.of();
    private Map<String, long[]> shapes = Map.of();
    private int randomSamples = 8;
    private double benchSeconds = 3;
    private boolean requireSpeedup;
    private boolean nchwIo;
    private TfliteLowering.IoType ioType;
    private Path output;
    private boolean replaceOutput;
    private Compression compression = Compression.NONE;
    private int maxSegments = dev.hwc.backends.tflite.EdgeTpuSegments.DEFAULT_MAX_SEGMENTS;

    private Builder(ModelInput model, Profile profile) {
      this.model = model;
      this.profile = profile;
    }

    public Builder precision(Precision p) { precision = p; return this; }
    public Builder scheme(Scheme s) { scheme = s; return this; }
    public Builder calibration(SampleSource s) { calibration = s; return this; }
    public Builder eval(SampleSource s) { eval = s; return this; }
    public Builder calibrationMethod(Calibration c) { calibrationMethod = c; return this; }
    public Builder minCosine(Double c) { minCosine = c; return this; }
    public Builder minIoU(Double i) { minIoU = i; return this; }
    public Builder outputKinds(Map<String, OutputKind> k) { outputKinds = k; return this; }
    public Builder keepFloat(List<String> nodes) { keepFloat = nodes; return this; }
    public Builder shapes(Map<String, long[]> s) { shapes = s; return this; }
    public Builder randomSamples(int n) { randomSamples = n; return this; }
    public Builder benchSeconds(double s) { benchSeconds = s; return this; }
    public Builder requireSpeedup(boolean b) { requireSpeedup = b; return this; }
    public Builder nchwIo(boolean b) { nchwIo = b; return this; }
    public Builder ioType(TfliteLowering.IoType t) { ioType = t; return this; }
    public Builder output(Path folder) { output = folder; return this; }
    public Builder replaceOutput(boolean b) { replaceOutput = b; return this; }
    public Builder compression(Compression c) { compression = c; return this; }
    public Builder maxSegments(int n) { maxSegments = n; return this; }

    public BuildRequest build() {
      return new BuildRequest(model, profile, precision, scheme, calibration, eval, calibrationMethod, minCosine, minIoU,
          outputKinds, keepFloat, shapes, randomSamples, benchSeconds, requireSpeedup, nchwIo, ioType, output,
          replaceOutput, compression, maxSegments);
    }
  }
}

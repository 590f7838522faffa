package dev.hwc.build;

import dev.hwc.compiler.passes.PassRecord;
import dev.hwc.hwtests.OutputFidelity;
import java.util.List;
import java.util.Map;

/**
 * What a build reports, and what {@code hwc build} writes to report.json (its Jackson serialization): what went in, what the passes did, which
 * compression plans were tried and how each fared, what came out, how close the artifact's outputs
 * are to the input model's per output, and how fast it is against fp32 on this machine; for int8 QDQ
 * plans, which nodes stayed float and why; the wall seconds of each build phase.
 */
public record BuildReport(
    String hwcVersion,
    String target,
    String profileSource,
    String precision,
    List<String> notes,
    Input input,
    List<PassRecord> passes,
    Map<String, Integer> opsBefore,
    Map<String, Integer> opsAfter,
    List<Candidate> candidates,
    Artifact artifact,
    Fidelity fidelity,
    Speed speed,
    CompressionReport compression,
    Segmented segmented,
    List<FloatNode> stayedFloat,
    Map<String, Double> phaseSeconds) {

  /**
   * For a target that partitions once (the Edge TPU): the segmented deployment written beside the
   * single file, its TPU MAC share beside the single file's, and the Edge TPU compiler command for
   * each TPU segment. Null for other targets.
   *
   * @param manifest the deployment's manifest file (deploy.json)
   * @param boundaryBytes bytes the host moves between parts per inference
   * @param identicalToSingleFile whether the chain's outputs equal the single file's, byte for byte, on
   *     every eval sample (both on this machine's TFLite interpreter)
   * @param samplesCompared eval samples that comparison ran on
   * @param outputs the chain judged against the input model per output, as the artifact is
   */
  public record Segmented(String manifest, int maxSegments, int parts, int tpuSegments, double singleFileTpuMacShare,
      double segmentedTpuMacShare, long boundaryBytes, List<String> edgetpuCompilerCommands,
      boolean identicalToSingleFile, int samplesCompared, List<OutputFidelity> outputs) {}

  /**
   * A compute node of the chosen int8 plan that the runtime runs in float (not inside a fused
   * DQ -> op -> Q group), and why it stayed float. Empty for float builds and non-QDQ plans.
   */
  public record FloatNode(String node, String op, String reason) {}

  public record Input(String path, String sha256, long bytes, int opset, int nodes, long parameters, boolean bundledExample) {}

  public record Artifact(String file, String format, String scheme, String sha256, long bytes, double sizeRatioToFp32,
      int nodes, String checkedOn, String runtimeVersion) {}

  /** A compression plan tried: its scheme, whether it passed the gate, what it kept in float, its per-output figures. */
  public record Candidate(String scheme, boolean passed, String weakestOutput, double weakestCosine, double weakestIoU,
      int quantizedLayers, List<String> keptFloat, long bytes, List<OutputFidelity> outputs) {}

  /**
   * @param samples samples compared
   * @param sampleSource where they came from (a folder, the held-out part of the calibration set, seeded random)
   * @param outputs per-output figures
   * @param weakestOutput the output with the lowest cosine, which the gate judges
   * @param minCosine the gate's threshold on cosine
   * @param maxRelativeL2 the gate's threshold on relative L2
   * @param minIoU the gate's threshold on the weakest mask channel's IoU
   * @param passed whether every output (and every mask channel) met the gate
   * @param curves for segmenters that name thin-curve mask channels: each curve read from the artifact's
   *     mask (R², pieces), see {@link dev.hwc.hwtests.CurveResult}
   */
  public record Fidelity(int samples, String sampleSource, List<OutputFidelity> outputs, String weakestOutput,
      double minCosine, double maxRelativeL2, double minIoU, boolean passed, List<dev.hwc.hwtests.CurveResult> curves) {}

  /**
   * Latency against the fp32 build, measured by the harness with interleaved runs.
   *
   * @param measured false when skipped (then {@code note} says why)
   * @param fp32P50Millis median latency of the optimized fp32 artifact
   * @param p50Millis median latency of the artifact
   * @param speedup fp32 / artifact, median over interleaved rounds (> 1 is faster)
   * @param speedupMin smallest per-round ratio
   * @param speedupMax largest per-round ratio
   * @param note a plain statement of the result
   */
  public record Speed(boolean measured, double fp32P50Millis, double p50Millis, double speedup, double speedupMin,
      double speedupMax, String note) {}

  /**
   * What a compression (pruning before quantization) bought, measured on the artifacts: null in a
   * build without one. Sizes are of the chosen artifact and of the uncompressed model's fp32
   * artifact for the same target, as stored and after gzip (where unstructured zeros show).
   *
   * @param id the compression, e.g. {@code unstructured-0.80}
   * @param parameters float parameters of the compressed graph
   * @param nonZeros of those, the ones not zero
   * @param weightSparsity zeros among the prunable weights (Conv/Gemm/MatMul), 0..1
   * @param baselineBytes the uncompressed fp32 artifact, as stored
   * @param bytes the chosen artifact, as stored
   * @param baselineGzipBytes the uncompressed fp32 artifact, gzipped
   * @param gzipBytes the chosen artifact, gzipped
   * @param statement a plain sentence: what was saved as stored, compressed, and in time
   */
  public record CompressionReport(String id, long parameters, long nonZeros, double weightSparsity, long baselineBytes,
      long bytes, long baselineGzipBytes, long gzipBytes, String statement) {}
}

package dev.hwc.build;

import dev.hwc.backends.Lowered;
import dev.hwc.backends.TargetBackend;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.tflite.TfliteLowering;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.profiles.ArtifactFormat;
import dev.hwc.profiles.Profile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a graph as the target's artifact, once: ONNX (fp32, fp16, the QDQ and dynamic int8 plans),
 * or TFLite (fp32 or fp16 weights for a float graph, full-integer or dynamic range for a quantized
 * plan), whose lowering's facts (op count, TRANSPOSEs, notes, the Edge TPU mapping) come back with
 * the file. Every write is reported to the listener as one lowering.
 */
public final class ArtifactWriter {
  /** A written artifact, its size, and for TFLite what its lowering found (null for ONNX). */
  public record Written(Path file, long bytes, TfliteFacts tflite) {}

  private final Profile profile;
  private final boolean tflite;
  private final boolean nchwIo;
  private final TfliteLowering.IoType ioType;
  private final BuildListener listener;

  private ArtifactWriter(Profile profile, boolean tflite, boolean nchwIo, TfliteLowering.IoType ioType,
      BuildListener listener) {
    this.profile = profile;
    this.tflite = tflite;
    this.nchwIo = nchwIo;
    this.ioType = ioType;
    this.listener = listener;
  }

  /** ONNX artifacts, whatever the target. */
  public static ArtifactWriter onnx(BuildListener listener) {
    return new ArtifactWriter(null, false, false, null, listener);
  }

  /**
   * The target's own artifact format (its profile's {@code artifact}: TFLite, else ONNX).
   *
   * @param nchwIo TFLite: keep the source's NCHW rank-4 graph IO
   * @param ioType TFLite: graph IO of quantized models; null for the profile's first IO precision
   */
  public static ArtifactWriter forTarget(Profile profile, boolean nchwIo, TfliteLowering.IoType ioType,
      BuildListener listener) {
    return new ArtifactWriter(profile, profile.artifact() == ArtifactFormat.TFLITE, nchwIo, ioType, listener);
  }

  /** "tflite" or "onnx". */
  public String format() {
    return tflite ? "tflite" : "onnx";
  }

  /** The file extension, without dot. */
  public String extension() {
    return format();
  }

  /**
   * Writes a float or quantized graph; {@code fp16}: TFLite fp16 weights (ignored for ONNX). Bad
   * input when the TFLite backend cannot lower an op, or the IO type is not the target's.
   */
  public Written write(Graph g, Path file, boolean fp16) throws IOException {
    TfliteFacts facts = null;
    if (tflite) {
      Lowered lowered = TargetBackend.of(profile).emit(g, profile,
          new TargetBackend.Options(fp16, ioType == null ? null : ioName(ioType), nchwIo), file);
      facts = TfliteFacts.of(lowered);
    } else {
      new OnnxEmitter().emit(g, file);
    }
    Written w = new Written(file, Files.size(file), facts);
    listener.lowered(new BuildListener.Lowering(format(), file, w.bytes(), facts));
    return w;
  }

  /**
   * The ONNX serialization of a plan, for judging it in memory without a file; null for TFLite
   * artifacts and for graphs too large for one in-memory protobuf (those are written).
   */
  public byte[] onnxBytes(Graph g) {
    if (tflite || g.parameterBytes() > OnnxEmitter.SINGLE_FILE_LIMIT / 2) {
      return null;
    }
    return new OnnxEmitter().toBytes(g);
  }

  /** Writes a graph (float weights). */
  public Written write(Graph g, Path file) throws IOException {
    return write(g, file, false);
  }

  /**
   * For a target that partitions once: cuts the artifact's own lowering (the model its mapping report
   * judged, not lowered again) into TPU segments and CPU parts and writes each part beside it as
   * {@code STEM_partK.tflite}; returns the plan and the manifest (deploy.json's content).
   */
  public static Segments writeSegments(dev.hwc.backends.tflite.EdgeTpuReport.Report report, Path artifact, Path dir,
      String stem, int maxSegments) throws IOException {
    dev.hwc.backends.tflite.TflModel m = report.model();
    dev.hwc.backends.tflite.EdgeTpuSegments.Plan plan = dev.hwc.backends.tflite.EdgeTpuSegments.plan(m, report, maxSegments);
    return new Segments(plan, dev.hwc.backends.tflite.EdgeTpuSegments.write(m, plan, dir, stem,
        artifact.getFileName().toString()));
  }

  /** A segmented deployment as written. */
  public record Segments(dev.hwc.backends.tflite.EdgeTpuSegments.Plan plan,
      dev.hwc.backends.tflite.EdgeTpuSegments.Manifest manifest) {}

  static boolean partitionsOnce(Profile p) {
    return p != null && p.partitioning().isFirstUnsupportedToCpu();
  }

  private static String ioName(TfliteLowering.IoType t) {
    return switch (t) {
      case FLOAT -> "fp32";
      case INT8 -> "int8";
      case UINT8 -> "uint8";
    };
  }
}

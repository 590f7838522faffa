package dev.hwc.backends;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.quant.QuantScheme;
import dev.hwc.profiles.ArtifactFormat;
import dev.hwc.profiles.Profile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The backend of one artifact format (ONNX, TFLite; TensorRT engines are built from the ONNX file):
 * the rewrites it needs before quantization and lowering, what it cannot lower, and the lowering
 * itself, which returns the artifact together with its facts (ops written, their versions, ops the
 * lowering inserted, notes, and for a target that partitions once the mapping report) in one pass.
 * Backends are found with {@link ServiceLoader} ({@code META-INF/services/dev.hwc.backends.TargetBackend});
 * {@link #of(Profile)} picks the one for a profile's artifact format.
 *
 * <p>A backend holds facts of its format (TFLite's builtins, versions, fixed int8 params); what a
 * particular target accepts stays in its profile.
 */
public interface TargetBackend {
  /**
   * How to write the artifact; the defaults follow the profile.
   *
   * @param fp16 float weights stored as fp16 (TFLite: FLOAT16 behind DEQUANTIZE)
   * @param ioType graph IO type of a quantized artifact (fp32, int8, uint8), null for the profile's first
   * @param nchwIo keep rank-4 graph IO in the source's NCHW (TFLite is NHWC otherwise)
   */
  record Options(boolean fp16, String ioType, boolean nchwIo) {
    public static final Options DEFAULT = new Options(false, null, false);

    public Options withFp16(boolean f) {
      return new Options(f, ioType, nchwIo);
    }
  }

  /**
   * One node the backend cannot lower.
   *
   * @param node the node's name
   * @param op its op
   * @param reason why, in one phrase
   */
  record Unsupported(String node, String op, String reason) {}

  /** The artifact formats this backend writes. */
  Set<ArtifactFormat> formats();

  /** File extension of its artifacts, without the dot. */
  String extension();

  /**
   * The backend's own rewrites, run after the standard fp32 passes and before quantization, so
   * that the plan, legality and the lowering see the same ops (TFLite: the exporters' erf GELU
   * fused into one Gelu). Returns g itself when nothing changes.
   */
  Graph prepare(Graph g, Profile p);

  /** The nodes of a prepared graph this backend cannot lower, with reasons; empty when it lowers them all. */
  List<Unsupported> unsupported(Graph g, Profile p);

  /**
   * Lowers a prepared graph (float, or a quantized plan) into the artifact, in memory, with its
   * facts. Throws {@link BadInputException} naming the node when it cannot.
   */
  Lowered lower(Graph g, Profile p, Options o);

  /** Writes the artifact to {@code file} and returns its facts (bytes kept only when the format fits in memory). */
  default Lowered emit(Graph g, Profile p, Options o, Path file) throws IOException {
    Lowered l = lower(g, p, o);
    Files.write(file, l.bytes());
    return l;
  }

  /**
   * Where a profile of this backend's format and the backend disagree: an op the profile lists
   * that the backend cannot lower, a {@code lowersTo} the backend's rule for the op does not emit, an
   * {@code opVersion} below the version the backend writes, or (for a target that runs whatever
   * the backend writes) an op the backend lowers that the profile's legality does not list. Empty
   * when they agree; every built-in profile must.
   */
  List<String> profileProblems(Profile p);

  /** The integer scheme for a profile: the profile's rules, plus what this format's int8 kernels fix. */
  default QuantScheme quantScheme(Profile p) {
    return QuantScheme.of(p);
  }

  /**
   * An {@link Emitter} writing this backend's artifacts for a profile, which keeps the facts of
   * every artifact it wrote (without their bytes), so a build lowers each graph once.
   */
  default LoweringEmitter emitter(Profile p, Options o) {
    return new LoweringEmitter(this, p, o);
  }

  /**
   * Ops the target lacks but can compute from ops it has (HardSwish and HardSigmoid spelled out for a
   * profile without them, as on the Edge TPU), shapes inferred again; part of every backend's prepare,
   * so inspect and build judge the same graph.
   */
  static Graph lowerWhatTheTargetLacks(Graph g, Profile p) {
    Graph lowered = dev.hwc.compiler.passes.PassContext.defaults()
        .run(dev.hwc.compiler.passes.LowerHardActivations.forTarget(p::supports), g);
    return lowered == g ? g : dev.hwc.compiler.ops.ShapeInference.run(lowered);
  }

  /** The backend for a profile's artifact format. */
  static TargetBackend of(Profile p) {
    return forFormat(p.artifact());
  }

  /** The registered backend that writes {@code format}; a BadInputException when none does. */
  static TargetBackend forFormat(ArtifactFormat format) {
    for (TargetBackend b : ServiceLoader.load(TargetBackend.class, TargetBackend.class.getClassLoader())) {
      if (b.formats().contains(format)) {
        return b;
      }
    }
    throw new BadInputException("no backend writes " + format + " artifacts");
  }
}

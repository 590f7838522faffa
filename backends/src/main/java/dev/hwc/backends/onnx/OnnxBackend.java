package dev.hwc.backends.onnx;

import dev.hwc.backends.Lowered;
import dev.hwc.backends.TargetBackend;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.profiles.ArtifactFormat;
import dev.hwc.profiles.Profile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The ONNX backend, also for TensorRT targets (the engine is built from the ONNX file hwc writes):
 * no rewrites of its own, every IR op is an ONNX op, and {@link OnnxEmitter} writes the graph as it
 * is (float, fp16, or the QDQ and dynamic int8 plans).
 */
public final class OnnxBackend implements TargetBackend {
  @Override
  public Set<ArtifactFormat> formats() {
    return Set.of(ArtifactFormat.ONNX, ArtifactFormat.TENSORRT);
  }

  @Override
  public String extension() {
    return "onnx";
  }

  @Override
  public Graph prepare(Graph g, Profile p) {
    return fuseTransformers(TargetBackend.lowerWhatTheTargetLacks(g, p), p);
  }

  /**
   * ONNX Runtime's fused transformer kernels, where the profile offers them ({@link Profile#offersContrib}):
   * attention ({@code Attention} with packed QKV weights when offered, else {@code MultiHeadAttention} between
   * the projections), residual Add + LayerNormalization ({@code SkipLayerNormalization}) and the erf GELU with
   * its bias ({@code BiasGelu}, {@code Gelu}). ONNX Runtime's own Java session optimizer does not form them for
   * exported BERT-style graphs. Returns g itself when nothing is fused.
   */
  static Graph fuseTransformers(Graph g, Profile p) {
    String ms = dev.hwc.compiler.ops.ContribOps.DOMAIN + ":";
    List<dev.hwc.compiler.passes.Pass> passes = new java.util.ArrayList<>();
    if (p.offersContrib(ms + "Attention") || p.offersContrib(ms + "MultiHeadAttention")) {
      passes.add(new dev.hwc.compiler.passes.FuseAttention(p.offersContrib(ms + "Attention")));
    }
    if (p.offersContrib(ms + "SkipLayerNormalization")) {
      passes.add(new dev.hwc.compiler.passes.FuseSkipLayerNorm());
    }
    if (p.offersContrib(ms + "BiasGelu") && p.offersContrib(ms + "Gelu")) {
      passes.add(dev.hwc.compiler.passes.FuseGelu.contrib());
    }
    if (passes.isEmpty()) {
      return g;
    }
    dev.hwc.compiler.passes.PassContext ctx = dev.hwc.compiler.passes.PassContext.defaults();
    Graph cur = g;
    for (dev.hwc.compiler.passes.Pass pass : passes) {
      cur = ctx.run(pass, cur);
    }
    if (cur == g) {
      return g;
    }
    cur = ctx.run(new dev.hwc.compiler.passes.EliminateDeadNodes(), cur);
    return dev.hwc.compiler.ops.ShapeInference.run(cur);
  }

  @Override
  public List<Unsupported> unsupported(Graph g, Profile p) {
    return List.of();
  }

  /** Every op the profile lists must be an op hwc knows (its registry): the ONNX emitter writes IR ops as they are. */
  @Override
  public List<String> profileProblems(Profile p) {
    List<String> out = new java.util.ArrayList<>();
    for (var e : p.ops().entrySet()) {
      if (dev.hwc.compiler.ops.OpRegistry.lookup(e.getKey()).isEmpty()) {
        out.add(p.id() + " lists " + e.getKey() + ", an op hwc's registry does not know (so no model reaching the "
            + "ONNX backend can contain it)");
      }
    }
    return out;
  }

  @Override
  public Lowered lower(Graph g, Profile p, Options o) {
    try {
      Path tmp = Files.createTempFile("hwc-lower", ".onnx");
      try {
        Lowered l = emit(g, p, o, tmp);
        if (Files.exists(tmp.resolveSibling(tmp.getFileName() + ".data"))) {
          throw new dev.hwc.common.BadInputException("the ONNX model is too large for one file (over 2 GiB); write it to a "
              + "file so its weights go to a data file beside it");
        }
        return new Lowered(l.format(), l.extension(), Files.readAllBytes(tmp), l.ops(), l.notes(), l.partition());
      } finally {
        Files.deleteIfExists(tmp.resolveSibling(tmp.getFileName() + ".data"));
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Writes the model (weights beside it in FILE.data past protobuf's 2 GiB); the facts carry no bytes. */
  @Override
  public Lowered emit(Graph g, Profile p, Options o, Path file) throws IOException {
    new OnnxEmitter().emit(g, file);
    List<Lowered.Op> ops = g.nodes().stream().map(n -> new Lowered.Op(n.op(), g.opset(), n.name(), "")).toList();
    return new Lowered(p.artifact() == ArtifactFormat.TENSORRT ? ArtifactFormat.ONNX : p.artifact(), extension(), null, ops,
        List.of(), Optional.empty());
  }
}

package dev.hwc.backends.tflite;

import dev.hwc.backends.Lowered;
import dev.hwc.backends.LoweringException;
import dev.hwc.backends.PartitionReport;
import dev.hwc.backends.TargetBackend;
import dev.hwc.common.BadInputException;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.quant.QuantScheme;
import dev.hwc.profiles.ArtifactFormat;
import dev.hwc.profiles.FixedRange;
import dev.hwc.profiles.Profile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.lite.schema.BuiltinOperator;

/**
 * The TFLite backend: {@link TfliteLowering} (NHWC, op by op, with the rules of {@link TfliteOps}) and
 * {@link TflWriter}; for a target that partitions once (the Edge TPU) each lowering also gives the
 * {@link EdgeTpuReport} of the ops it wrote.
 */
public final class TfliteBackend implements TargetBackend {
  @Override
  public Set<ArtifactFormat> formats() {
    return Set.of(ArtifactFormat.TFLITE);
  }

  @Override
  public String extension() {
    return "tflite";
  }

  @Override
  public Graph prepare(Graph g, Profile p) {
    return TfliteLowering.prepare(TargetBackend.lowerWhatTheTargetLacks(g, p));
  }

  /**
   * Nodes whose op has no rule in {@link TfliteOps}, an Erf left outside a GELU, and (when every op
   * has a rule) the first node whose rule refuses it as it is (a grouped convolution, a Clip with
   * other bounds...), found by lowering the float graph.
   */
  @Override
  public List<Unsupported> unsupported(Graph g, Profile p) {
    List<Unsupported> out = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (!Lowerer.isQdq(n) && !TfliteOps.RULES.containsKey(n.op())) {
        out.add(new Unsupported(n.name(), n.op(), TfliteLowering.whyNot(n.op())));
      } else if (n.op().equals("Erf")) {
        out.add(new Unsupported(n.name(), n.op(), "Erf outside a GELU (TFLite has no ERF builtin)"));
      }
    }
    if (out.isEmpty()) {
      try {
        TfliteLowering.lower(g, TfliteLowering.Options.FLOAT);
      } catch (LoweringException e) {
        out.add(new Unsupported(e.node(), e.op(), e.reason()));
      } catch (BadInputException e) {
        // not a node's lowering (symbolic shapes...): the profile's own limits say so
      }
    }
    return out;
  }

  @Override
  public List<String> profileProblems(Profile p) {
    List<String> out = new ArrayList<>();
    p.ops().forEach((op, rule) -> {
      TfliteOps.Rule r = TfliteOps.RULES.get(op);
      if (r == null) {
        out.add(p.id() + " lists " + op + ", which the TFLite backend cannot lower");
        return;
      }
      if (rule.lowersTo() == null) {
        return;
      }
      Optional<TfliteBuiltin> b = r.emits().stream().filter(e -> e.name().equals(rule.lowersTo())).findFirst();
      if (b.isEmpty()) {
        out.add(p.id() + ": " + op + " lowersTo " + rule.lowersTo() + ", but the TFLite rule for " + op + " emits "
            + r.emits().stream().map(TfliteBuiltin::name).toList());
        return;
      }
      boolean int8 = p.isQuantized() && !p.keepsHigherPrecision(op);
      int written = b.get().version(int8);
      if (rule.opVersion() != null && rule.opVersion() < written) {
        out.add(p.id() + ": " + op + " allows " + rule.lowersTo() + " v" + rule.opVersion() + ", but the backend writes v"
            + written + (int8 ? " for int8" : ""));
      }
    });
    // a target that runs every builtin the backend writes (the TFLite interpreter on a CPU) must list
    // every op the backend lowers, or inspect would call unsupported what the build builds; a target
    // whose compiler partitions once lists only what it maps
    if (!p.partitioning().isFirstUnsupportedToCpu()) {
      for (String op : TfliteOps.RULES.keySet()) {
        if (!p.supports(op)) {
          out.add(p.id() + " does not list " + op + ", which the TFLite backend lowers and its runtime runs");
        }
      }
    }
    return out;
  }

  @Override
  public Lowered lower(Graph g, Profile p, Options o) {
    TfliteLowering.Result r = TfliteLowering.lower(g, options(p, o));
    TflModel m = r.model();
    List<String> notes = new ArrayList<>(r.notes());
    if (r.internalTransposes() > 0) {
      notes.add(r.internalTransposes() + " TRANSPOSE op(s) kept inside the graph (reshapes whose element order "
          + "differs between NCHW and NHWC)");
    }
    Optional<PartitionReport> partition = Optional.empty();
    if (p.partitioning().isFirstUnsupportedToCpu()) {
      boolean ioTranspose = m.ops.stream().anyMatch(op -> op.builtin() == BuiltinOperator.TRANSPOSE && op.role().equals("io"));
      if (ioTranspose) {
        notes.add("--io-layout nchw put a TRANSPOSE at the graph's edge, which the Edge TPU cannot run; feed NHWC to keep "
            + "the model on the TPU");
      }
      partition = Optional.of(EdgeTpuReport.analyze(m, g, p));
    }
    List<Lowered.Op> ops = m.ops.stream().map(op -> new Lowered.Op(op.name(), op.version(), op.origin(), op.role())).toList();
    return new Lowered(ArtifactFormat.TFLITE, extension(), TflWriter.write(m), ops, notes, partition);
  }

  /** The TFLite int8 kernels' fixed output params (LOGISTIC, SOFTMAX, TANH) join the profile's scheme. */
  @Override
  public QuantScheme quantScheme(Profile p) {
    return QuantScheme.of(p).withFixedRanges(fixedOutputRanges());
  }

  /** IR op to the int8 output params TFLite's kernel for it fixes, from the lowering rules. */
  public static Map<String, FixedRange> fixedOutputRanges() {
    Map<String, FixedRange> out = new LinkedHashMap<>();
    TfliteOps.RULES.forEach((op, rule) -> {
      if (rule.fixedOutput() != null) {
        out.put(op, new FixedRange(rule.fixedOutput().scale()[0], (int) rule.fixedOutput().zeroPoint()[0]));
      }
    });
    return out;
  }

  /** The IR ops this backend lowers, in name order. */
  public static Set<String> loweredOps() {
    return TfliteOps.RULES.keySet();
  }

  /** The builtins the rule for an IR op may emit (empty when the op has no rule). */
  public static List<TfliteBuiltin> emits(String irOp) {
    TfliteOps.Rule r = TfliteOps.RULES.get(irOp);
    return r == null ? List.of() : r.emits();
  }

  /**
   * The lowering options for a profile: graph IO from {@code o.ioType()} or the profile's first IO
   * precision (checked against the profile's list), and TRANSPOSE_CONV's bias as an input (v3) unless
   * the profile allows only v2 for ConvTranspose (then an ADD after it).
   */
  public static TfliteLowering.Options options(Profile p, Options o) {
    List<String> legal = p.precisions().io();
    String io = o.ioType() != null ? o.ioType() : legal.isEmpty() ? "fp32" : legal.get(0);
    if (!legal.isEmpty() && !legal.contains(io)) {
      throw new BadInputException("target '" + p.id() + "' takes " + String.join("/", legal) + " graph IO, not " + io);
    }
    boolean biasInput = p.op("ConvTranspose").map(r -> r.opVersion() == null || r.opVersion() >= 3).orElse(true);
    return new TfliteLowering.Options(o.fp16(), o.fp16() ? TfliteLowering.IoType.FLOAT : TfliteLowering.IoType.of(io),
        o.nchwIo(), biasInput);
  }
}

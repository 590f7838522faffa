package dev.hwc.backends;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.analysis.Legality;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.passes.UpgradeOpset;
import dev.hwc.compiler.quant.QuantScheme;
import dev.hwc.compiler.quant.StaticQuantizer;
import dev.hwc.profiles.Profile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which ops of a model a target runs, and why not: the one judgement {@code hwc inspect} prints and
 * {@code hwc build} enforces and reports.
 *
 * <p>{@link #check(Graph, Profile)} asks the target's {@link TargetBackend} first: its rewrites
 * ({@link TargetBackend#prepare}), then what it cannot lower; then the profile's op list and limits
 * ({@link Legality}). On a target that partitions once after lowering (the Edge TPU: its compiler
 * reads the TFLite file), the judgement is made on the lowered ops themselves, the same op list the
 * build's mapping report judges ({@link #of(Lowered)}): a float graph is lowered as a representative
 * int8 plan for that ({@link #representativeInt8Plan}), so op counts, the split point and reasons
 * agree with the build's. Only the number of requantizing QUANTIZE ops can differ, and only where
 * calibration happens to give two tensors bit-identical int8 params.
 */
public final class TargetLegality {
  private TargetLegality() {}

  public enum Status {
    SUPPORTED,
    UNSUPPORTED,
    /** Supported itself, but on the CPU because an earlier op was not (the target partitions once). */
    CPU_AFTER_PARTITION
  }

  /**
   * The verdict on one judged op.
   *
   * @param index position in execution order
   * @param op the op judged: the IR op, or the artifact's op (TFLite builtin) for lowered judgements
   * @param node the IR node (the one the artifact's op came from)
   * @param role why the lowering inserted the op ("layout", "requantize"...), "" for the node itself
   * @param status the verdict
   * @param reasons why not (the partition's reason for ops after the split without reasons of their own)
   */
  public record Verdict(int index, String op, String node, String role, Status status, List<String> reasons) {
    /** E.g. {@code Transpose 'transpose_50'}, or {@code op #17 TRANSPOSE ('reshape_49', layout)} for a lowered op. */
    public String describe(Unit unit) {
      if (unit == Unit.NODES) {
        return op + " '" + node + "'";
      }
      return "op #" + index + " " + op + " ('" + node + "'" + (role.isEmpty() ? "" : ", " + role) + ")";
    }
  }

  /** What the verdicts count. */
  public enum Unit {
    /** The IR graph's nodes, after the backend's rewrites. */
    NODES("nodes"),
    /** The ops of the lowered TFLite artifact (inserted QUANTIZE, PAD, TRANSPOSE... included). */
    TFLITE_OPS("TFLite ops");

    private final String text;

    Unit(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /**
   * The verdicts in execution order.
   *
   * @param target the profile's id
   * @param unit what was judged
   * @param verdicts one per node or lowered op
   */
  public record Result(String target, Unit unit, List<Verdict> verdicts) {
    public long count(Status s) {
      return verdicts.stream().filter(v -> v.status() == s).count();
    }

    public boolean allSupported() {
      return count(Status.SUPPORTED) == verdicts.size();
    }

    /** The first op that is not supported (the split point on a target that partitions once). */
    public Optional<Verdict> firstUnsupported() {
      return verdicts.stream().filter(v -> v.status() == Status.UNSUPPORTED).findFirst();
    }

    /** {@link #firstUnsupported()} described, e.g. {@code Transpose 'transpose_50'}. */
    public Optional<String> firstUnsupportedDescribed() {
      return firstUnsupported().map(v -> v.describe(unit));
    }
  }

  /**
   * Judges a graph after the standard fp32 passes (float, or a quantized plan) on a target: the
   * backend's rewrites, what it cannot lower, the profile's op list and limits, and on a target
   * that partitions once the lowered ops. The function {@code inspect} shows and the build enforces.
   */
  public static Result check(Graph g, Profile p) {
    TargetBackend backend = TargetBackend.of(p);
    Graph prepared = backend.prepare(g, p);
    List<TargetBackend.Unsupported> missing = backend.unsupported(prepared, p);
    if (missing.isEmpty() && p.partitioning().isFirstUnsupportedToCpu() && backend.formats().contains(
        dev.hwc.profiles.ArtifactFormat.TFLITE)) {
      try {
        Graph plan = p.isQuantized() && !isQuantized(prepared)
            ? representativeInt8Plan(prepared, backend.quantScheme(p)) : prepared;
        return of(backend.lower(plan, p, TargetBackend.Options.DEFAULT));
      } catch (LoweringException e) {
        missing = List.of(new TargetBackend.Unsupported(e.node(), e.op(), e.reason()));
      } catch (BadInputException e) {
        // not lowerable as a whole (symbolic shapes...): judged on the graph below, the profile says why
      }
    }
    Map<String, List<String>> backendReasons = new LinkedHashMap<>();
    missing.forEach(u -> backendReasons.computeIfAbsent(u.node(), k -> new ArrayList<>()).add(u.reason()));
    List<Verdict> out = new ArrayList<>();
    String partitionedAt = null;
    boolean once = p.partitioning().isFirstUnsupportedToCpu();
    int i = 0;
    for (Node n : prepared.nodes()) {
      List<String> reasons = new ArrayList<>(backendReasons.getOrDefault(n.name(), List.of()));
      reasons.addAll(Legality.reasons(prepared, n, p));
      Verdict v;
      if (!reasons.isEmpty()) {
        v = new Verdict(i, n.op(), n.name(), "", Status.UNSUPPORTED, List.copyOf(reasons));
        if (once && partitionedAt == null) {
          partitionedAt = n.describe();
        }
      } else if (partitionedAt != null) {
        v = new Verdict(i, n.op(), n.name(), "", Status.CPU_AFTER_PARTITION, List.of("runs on CPU: after " + partitionedAt));
      } else {
        v = new Verdict(i, n.op(), n.name(), "", Status.SUPPORTED, List.of());
      }
      out.add(v);
      i++;
    }
    return new Result(p.id(), Unit.NODES, List.copyOf(out));
  }

  /**
   * The judgement of an artifact already lowered for a target that partitions once: its mapping
   * report as verdicts (what the build reports for its chosen plan, and what {@link #check} gives
   * for the same graph).
   *
   * @throws IllegalArgumentException when the lowering has no partition report (the profile does not partition once)
   */
  public static Result of(Lowered lowered) {
    PartitionReport r = lowered.partition()
        .orElseThrow(() -> new IllegalArgumentException("the lowering has no partition report"));
    List<Verdict> out = new ArrayList<>();
    String splitAt = null;
    for (PartitionReport.PartitionedOp op : r.ops()) {
      Verdict v;
      if (splitAt == null && op.onTarget()) {
        v = new Verdict(op.index(), op.op(), op.origin(), op.role(), Status.SUPPORTED, List.of());
      } else if (splitAt == null || !op.reasons().isEmpty()) {
        v = new Verdict(op.index(), op.op(), op.origin(), op.role(), Status.UNSUPPORTED, List.copyOf(op.reasons()));
      } else {
        v = new Verdict(op.index(), op.op(), op.origin(), op.role(), Status.CPU_AFTER_PARTITION,
            List.of("runs on CPU: after " + splitAt));
      }
      if (splitAt == null && !op.onTarget()) {
        splitAt = v.describe(Unit.TFLITE_OPS);
      }
      out.add(v);
    }
    return new Result(r.target(), Unit.TFLITE_OPS, List.copyOf(out));
  }

  /**
   * A static int8 plan of g without calibration data, for judging what the lowering writes: every
   * op the build would quantize is quantized, with pairwise different stand-in ranges in place of
   * calibrated ones (the ops written depend on which params are equal, not on their values). Not
   * an artifact to run.
   */
  public static Graph representativeInt8Plan(Graph g, QuantScheme scheme) {
    Graph up = UpgradeOpset.to(g, UpgradeOpset.QDQ_PER_AXIS_OPSET);
    StaticQuantizer.Plan plan = StaticQuantizer.plan(up, scheme, Set.of());
    List<String> values = new ArrayList<>(plan.activations());
    plan.absorbed().values().forEach(act -> {
      if (!values.contains(act.input(0))) {
        values.add(act.input(0));
      }
    });
    Map<String, double[]> ranges = new LinkedHashMap<>();
    for (int i = 0; i < values.size(); i++) {
      ranges.put(values.get(i), new double[] {-1 - 1e-3 * i, 1 + 2e-3 * i});
    }
    return StaticQuantizer.apply(up, plan, ranges, scheme);
  }

  private static boolean isQuantized(Graph g) {
    return g.nodes().stream().anyMatch(n -> n.op().equals("QuantizeLinear") || n.op().equals("DynamicQuantizeLinear"));
  }
}

package dev.hwc.compiler.analysis;

import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Value;
import dev.hwc.profiles.Constraint;
import dev.hwc.profiles.ConstraintKind;
import dev.hwc.profiles.OpRule;
import dev.hwc.profiles.Profile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Judges every node of a graph against a target's profile: is the op on the target's list, does it
 * meet the op's limits and the target's shape limits. On a target that partitions once (Edge TPU)
 * the first unsupported op and everything after it run on the CPU. Precision is not judged here:
 * that is the quantization planner's job.
 */
public final class Legality {
  private Legality() {}

  /** The start of the reason given when a target needs static shapes and a value's shape is not. */
  public static final String STATIC_SHAPES = "needs static shapes";

  public enum Status {
    SUPPORTED,
    UNSUPPORTED,
    /** Supported itself, but placed on the CPU because an earlier op was not (partition once). */
    CPU_AFTER_PARTITION
  }

  /** The verdict on one node, with every reason it is not supported. */
  public record Verdict(Node node, Status status, List<String> reasons) {}

  /** The verdicts in execution order. */
  public record Report(String target, List<Verdict> verdicts) {
    public long count(Status s) {
      return verdicts.stream().filter(v -> v.status() == s).count();
    }

    public boolean allSupported() {
      return count(Status.SUPPORTED) == verdicts.size();
    }

    /** The first node that is not supported, if any. */
    public Optional<Verdict> firstUnsupported() {
      return verdicts.stream().filter(v -> v.status() == Status.UNSUPPORTED).findFirst();
    }
  }

  public static Report check(Graph g, Profile p) {
    List<Verdict> out = new ArrayList<>();
    String partitionedAt = null;
    boolean once = p.partitioning().isFirstUnsupportedToCpu();
    for (Node n : g.nodes()) {
      List<String> reasons = reasons(g, n, p);
      if (!reasons.isEmpty()) {
        out.add(new Verdict(n, Status.UNSUPPORTED, reasons));
        if (once && partitionedAt == null) {
          partitionedAt = n.describe();
        }
      } else if (partitionedAt != null) {
        out.add(new Verdict(n, Status.CPU_AFTER_PARTITION, List.of("runs on CPU: after " + partitionedAt)));
      } else {
        out.add(new Verdict(n, Status.SUPPORTED, List.of()));
      }
    }
    return new Report(p.id(), out);
  }

  /** Why a node is not supported by the profile; empty when it is. */
  public static List<String> reasons(Graph g, Node n, Profile p) {
    List<String> reasons = new ArrayList<>();
    String op = dev.hwc.compiler.ops.OpRegistry.key(n);
    Optional<OpRule> rule = p.op(op);
    if (rule.isEmpty()) {
      reasons.add(op + " is not supported by " + p.id());
      return reasons;
    }
    for (Constraint c : rule.get().limits()) {
      violation(g, n, c).ifPresent(reasons::add);
    }
    shapeLimits(g, n, p, reasons);
    return reasons;
  }

  private static void shapeLimits(Graph g, Node n, Profile p, List<String> reasons) {
    List<String> values = new ArrayList<>();
    n.inputs().stream().filter(v -> !v.isEmpty() && !g.isInitializer(v)).forEach(values::add);
    values.addAll(n.outputs().stream().filter(v -> !v.isEmpty()).toList());
    for (String v : values) {
      Shape s = shape(g, v);
      if (p.shapes().staticShapes() && (s == null || !s.isStatic())) {
        reasons.add(STATIC_SHAPES + ": '" + v + "' is " + (s == null ? "?" : s));
        return;
      }
      if (s == null || !s.hasRank()) {
        continue;
      }
      if (p.shapes().maxRank() != null && s.rank() > p.shapes().maxRank()) {
        reasons.add("'" + v + "' has rank " + s.rank() + " > " + p.shapes().maxRank());
      }
      if (p.shapes().maxBatch() != null && s.rank() > 1 && s.dim(0).isStatic() && s.dim(0).size() > p.shapes().maxBatch()) {
        reasons.add("'" + v + "' has batch " + s.dim(0) + " > " + p.shapes().maxBatch());
      }
      if (p.shapes().maxNonUnitDims() != null && nonUnit(s) > p.shapes().maxNonUnitDims()) {
        reasons.add("'" + v + "' " + s + " has " + nonUnit(s) + " dims > 1, at most " + p.shapes().maxNonUnitDims() + " allowed");
      }
    }
  }

  private static Optional<String> violation(Graph g, Node n, Constraint c) {
    ConstraintKind kind = ConstraintKind.byName(c.kind()).orElseThrow();
    long limit = c.value() == null ? 0 : c.value();
    Shape in = shape(g, n.input(0));
    switch (kind) {
      case SAME_DILATION: {
        long[] d = n.attrs().getInts("dilations", null);
        return d != null && Arrays.stream(d).distinct().count() > 1
            ? Optional.of("dilations " + Arrays.toString(d) + " differ between axes") : Optional.empty();
      }
      case NO_FUSED_ACTIVATION:
        return Optional.empty(); // a lowering rule: the backend keeps the activation as its own op
      case NO_BATCH_AXIS:
        return actsOnBatch(g, n) ? Optional.of("acts over the batch axis") : Optional.empty();
      case MAX_ELEMENTS:
        if (in == null || !in.isStatic()) {
          return Optional.of("input shape unknown, cannot check at most " + limit + " elements");
        }
        return in.numElements() > limit
            ? Optional.of("input has " + in.numElements() + " elements > " + limit) : Optional.empty();
      case INPUT_RANK:
        return in != null && in.hasRank() && in.rank() != limit
            ? Optional.of("input rank " + in.rank() + ", needs " + limit) : Optional.empty();
      case MAX_INPUT_RANK:
        return in != null && in.hasRank() && in.rank() > limit
            ? Optional.of("input rank " + in.rank() + " > " + limit) : Optional.empty();
      case MAX_NON_UNIT_DIMS:
        return in != null && in.hasRank() && nonUnit(in) > limit
            ? Optional.of("input " + in + " has " + nonUnit(in) + " dims > 1, at most " + limit) : Optional.empty();
      case REDUCE_AXIS_MULTIPLE_OF: {
        long[] axes = axes(g, n);
        boolean overChannels = axes != null && in != null && in.hasRank()
            && Arrays.stream(axes).anyMatch(a -> (a < 0 ? a + in.rank() : a) == 1);
        Dim ch = overChannels ? in.dim(1) : null;
        return ch != null && ch.isStatic() && ch.size() % limit != 0
            ? Optional.of("reduces over " + ch + " channels, not a multiple of " + limit) : Optional.empty();
      }
      case CONSTANT_WEIGHTS:
        for (int i = 1; i < n.inputs().size(); i++) {
          if (n.hasInput(i) && !g.isInitializer(n.input(i))) {
            return Optional.of("input " + i + " ('" + n.input(i) + "') is not a constant");
          }
        }
        return Optional.empty();
      case ONE_DIM_OUTPUT: {
        Shape out = shape(g, n.output(0));
        return out != null && out.hasRank() && nonUnit(out) > 1
            ? Optional.of("output " + out + " is not 1-D") : Optional.empty();
      }
      case ALPHA_ONE_DIM: {
        Shape slope = shape(g, n.input(1));
        return slope != null && slope.hasRank() && nonUnit(slope) > 1
            ? Optional.of("slope " + slope + " is not 1-D") : Optional.empty();
      }
      case MAX_INPUTS: {
        long count = n.inputs().stream().filter(s -> !s.isEmpty()).count();
        return count > limit ? Optional.of(count + " inputs > " + limit) : Optional.empty();
      }
      case SYMMETRIC_PADS: {
        long[] pads = n.attrs().getInts("pads", null);
        if (pads != null) {
          int k = pads.length / 2;
          for (int i = 0; i < k; i++) {
            if (pads[i] != pads[i + k]) {
              return Optional.of("pads " + Arrays.toString(pads) + " are not symmetric");
            }
          }
        }
        return Optional.empty();
      }
      case MAX_KERNEL: {
        long[] k = n.attrs().getInts("kernel_shape", null);
        return k != null && Arrays.stream(k).anyMatch(v -> v > limit)
            ? Optional.of("kernel " + Arrays.toString(k) + " exceeds " + limit) : Optional.empty();
      }
      case MAX_STRIDE: {
        long[] s = n.op().equals("Slice") && n.hasInput(4) && g.isInitializer(n.input(4))
            ? g.initializer(n.input(4)).toLongs() : n.attrs().getInts("strides", null);
        return s != null && Arrays.stream(s).anyMatch(v -> Math.abs(v) > limit)
            ? Optional.of("stride " + Arrays.toString(s) + " exceeds " + limit) : Optional.empty();
      }
      case INTEGER_SCALE_FACTORS: {
        Shape out = shape(g, n.output(0));
        if (in == null || out == null || !in.isStatic() || !out.isStatic()) {
          return Optional.of("resize shapes unknown, cannot check integer scale factors");
        }
        for (int i = 0; i < in.rank(); i++) {
          long a = in.dim(i).size();
          long b = out.dim(i).size();
          if (a == 0 || (b % a != 0 && a % b != 0)) {
            return Optional.of("resize " + in + " -> " + out + " is not by integer factors");
          }
        }
        return Optional.empty();
      }
      case STATIC_SHAPE: {
        for (String v : n.inputs()) {
          Shape s = v.isEmpty() ? Shape.SCALAR : shape(g, v);
          if (s == null || !s.isStatic()) {
            return Optional.of("'" + v + "' shape is not static");
          }
        }
        return Optional.empty();
      }
      default:
        throw new IllegalStateException("constraint " + kind + " has no check");
    }
  }

  private static boolean actsOnBatch(Graph g, Node n) {
    Shape in = shape(g, n.input(0));
    int rank = in != null && in.hasRank() ? in.rank() : -1;
    if (n.op().equals("Pad")) {
      long[] pads = n.hasInput(1) && g.isInitializer(n.input(1)) ? g.initializer(n.input(1)).toLongs() : null;
      return pads != null && pads.length >= 2 && (pads[0] != 0 || pads[pads.length / 2] != 0);
    }
    long[] axes = axes(g, n);
    if (axes == null) {
      return false;
    }
    for (long a : axes) {
      if (a == 0 || (rank > 0 && a + rank == 0)) {
        return true;
      }
    }
    return false;
  }

  /** The axes an op acts on, from its axis/axes attribute or constant axes input; null if none known. */
  private static long[] axes(Graph g, Node n) {
    if (n.attrs().has("axis")) {
      return new long[] {n.attrs().getInt("axis", 0)};
    }
    long[] a = n.attrs().getInts("axes", null);
    if (a == null && n.op().startsWith("Reduce") && n.hasInput(1) && g.isInitializer(n.input(1))) {
      a = g.initializer(n.input(1)).toLongs();
    }
    return a;
  }

  private static Shape shape(Graph g, String value) {
    Value v = value.isEmpty() ? null : g.type(value);
    return v == null ? null : v.shape();
  }

  private static long nonUnit(Shape s) {
    return s.dims().stream().filter(d -> !d.isStatic() || d.size() > 1).count();
  }
}

package dev.hwc.backends.tflite;

import dev.hwc.compiler.analysis.Legality;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.profiles.ConstraintKind;
import dev.hwc.profiles.OpRule;
import dev.hwc.profiles.Profile;
import dev.hwc.profiles.ShapeLimits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.TensorType;

/**
 * hwc's own reading of whether the Edge TPU compiler ({@code edgetpu_compiler}) would map each op of
 * a full-integer TFLite model, from Coral's published rules as the target profile states them (the
 * real compiler is not available here). It walks the ops in execution order: an op maps when its
 * builtin is on the list, its version is no newer than the profile's, it works on int8 tensors only
 * and every activation tensor fits the shape limits; the compiler partitions once, so the first op
 * that does not map and every op after it run on the CPU. It also counts MACs (the TPU's share of
 * the work) and the parameter bytes the TPU part reads against the on-chip cache.
 */
public final class EdgeTpuReport {
  private EdgeTpuReport() {}

  /**
   * Builtins on Coral's supported list that a profile reaches only through another IR op's lowering
   * (which IR op emits which builtin is that op's rule in {@link TfliteOps}): a fact of the Edge TPU,
   * not of TFLite.
   */
  static final Set<String> ALSO_MAPPED = Set.of("DEPTHWISE_CONV_2D", "RELU", "RELU6", "RELU_N1_TO_1",
      "RESIZE_NEAREST_NEIGHBOR", "RESIZE_BILINEAR", "FULLY_CONNECTED");

  /** The lowest int8 version of every builtin the lowering emits, from its rules' declarations. */
  private static final Map<String, Integer> INT8_VERSIONS = TfliteOps.int8Versions();

  public static final String UNSUPPORTED_TYPE = "Operation is working on an unsupported data type";

  /**
   * One TFLite op.
   *
   * @param index position in execution order
   * @param origin the IR node it came from
   * @param irOp that node's op ("" when the source has no such node)
   * @param role why the lowering inserted it, "" when it is the node itself
   * @param status "TPU", "CPU (unsupported: ...)" or "CPU (after the split at op #k ...)"
   * @param reasons why it does not map (empty when it does); ops after the split keep their own reasons
   * @param macs multiply-accumulates from its TFLite tensors
   * @param paramBytes bytes of the constant tensors it reads (weights, biases, shape operands)
   */
  public record OpReport(int index, String builtin, int version, String origin, String irOp, String role,
      String status, boolean onTpu, List<String> reasons, long macs, long paramBytes)
      implements dev.hwc.backends.PartitionReport.PartitionedOp {
    @Override
    public String op() {
      return builtin;
    }

    @Override
    public boolean onTarget() {
      return onTpu;
    }
  }

  /**
   * @param splitIndex the first op that does not map (the compiler's split point), -1 when all map
   * @param tpuMacShare macsOnTpu / macsTotal (1 when the model has no MACs and every op maps)
   * @param paramBytesOnTpu constant bytes the TPU ops read, each tensor once
   * @param onChipBytes the target's on-chip parameter memory, -1 when unknown
   * @param cached whether paramBytesOnTpu fits on chip
   * @param model the lowered model the report judged (not serialized), which {@link EdgeTpuSegments} cuts
   *     without lowering again
   */
  public record Report(String target, List<OpReport> ops, int splitIndex, int opsOnTpu, int opsTotal, long macsOnTpu,
      long macsTotal, double tpuMacShare, long paramBytesOnTpu, long onChipBytes, boolean cached,
      @com.fasterxml.jackson.annotation.JsonIgnore TflModel model)
      implements dev.hwc.backends.PartitionReport {

    /** Reports are equal by their facts; the model they judged is not part of them (nor of their JSON). */
    @Override
    public boolean equals(Object o) {
      return o instanceof Report r && target.equals(r.target) && ops.equals(r.ops) && splitIndex == r.splitIndex
          && opsOnTpu == r.opsOnTpu && opsTotal == r.opsTotal && macsOnTpu == r.macsOnTpu && macsTotal == r.macsTotal
          && Double.compare(tpuMacShare, r.tpuMacShare) == 0 && paramBytesOnTpu == r.paramBytesOnTpu
          && onChipBytes == r.onChipBytes && cached == r.cached;
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(target, ops, splitIndex, opsOnTpu, opsTotal, macsOnTpu, macsTotal, tpuMacShare,
          paramBytesOnTpu, onChipBytes, cached);
    }

    @Override
    public String toString() {
      return "Report[target=" + target + ", ops=" + ops.size() + ", splitIndex=" + splitIndex + ", opsOnTpu=" + opsOnTpu
          + ", tpuMacShare=" + tpuMacShare + "]";
    }

    /** A readable multi-line summary. */
    @Override
    public String summary() {
      StringBuilder s = new StringBuilder();
      s.append(String.format(Locale.ROOT, "Edge TPU (%s): %d of %d ops map to the TPU, %d run on the CPU%n", target,
          opsOnTpu, opsTotal, opsTotal - opsOnTpu));
      s.append(String.format(Locale.ROOT, "MACs on the TPU: %,d of %,d (%.1f%%)%n", macsOnTpu, macsTotal,
          100 * tpuMacShare));
      if (splitIndex < 0) {
        s.append("no split: the whole model compiles into one Edge TPU op\n");
      } else {
        OpReport o = ops.get(splitIndex);
        s.append(String.format(Locale.ROOT, "split at op #%d %s ('%s'%s): %s; it and the %d ops after it run on the CPU%n",
            o.index(), o.builtin(), o.origin(), o.role().isEmpty() ? "" : ", " + o.role(), String.join("; ", o.reasons()),
            opsTotal - splitIndex - 1));
      }
      if (onChipBytes < 0) {
        s.append(String.format(Locale.ROOT, "parameters on the TPU: %,d bytes (on-chip memory unknown)%n", paramBytesOnTpu));
      } else if (cached) {
        s.append(String.format(Locale.ROOT, "parameters on the TPU: %,d bytes, cached on chip (%,d bytes)%n",
            paramBytesOnTpu, onChipBytes));
      } else {
        s.append(String.format(Locale.ROOT, "parameters on the TPU: %,d bytes > %,d on chip: %,d bytes stream from "
            + "off-chip memory%n", paramBytesOnTpu, onChipBytes, paramBytesOnTpu - onChipBytes));
      }
      s.append("edgetpu_compiler turns MODEL_int8.tflite into MODEL_int8_edgetpu.tflite; this report is hwc's own "
          + "reading of Coral's published rules, not the compiler's log");
      return s.toString();
    }
  }

  public static Report analyze(TflModel model, Graph source, Profile profile) {
    Map<String, Node> nodes = new HashMap<>();
    for (Node n : source.nodes()) {
      nodes.put(n.name(), n);
    }
    List<OpReport> out = new ArrayList<>();
    int split = -1;
    String splitAt = null;
    long macsTotal = 0;
    long macsOnTpu = 0;
    int onTpu = 0;
    Set<Integer> tpuParams = new LinkedHashSet<>();
    for (int i = 0; i < model.ops.size(); i++) {
      TflModel.Op op = model.ops.get(i);
      Node node = nodes.get(op.origin());
      List<String> reasons = reasons(model, op, node, source, profile);
      long macs = macs(model, op);
      long params = 0;
      for (int t : constants(model, op)) {
        params += model.tensor(t).data.length;
      }
      macsTotal += macs;
      String status;
      boolean tpu = false;
      if (split < 0 && reasons.isEmpty()) {
        status = "TPU";
        tpu = true;
        onTpu++;
        macsOnTpu += macs;
        tpuParams.addAll(constants(model, op));
      } else if (split < 0) {
        split = i;
        splitAt = "op #" + i + " " + op.name() + " '" + op.origin() + "'";
        status = "CPU (unsupported: " + String.join("; ", reasons) + ")";
      } else {
        status = "CPU (after the split at " + splitAt + ")"; // its own reasons, if any, stay in reasons
      }
      out.add(new OpReport(i, op.name(), op.version(), op.origin(), node == null ? "" : node.op(), op.role(), status,
          tpu, List.copyOf(reasons), macs, params));
    }
    long paramBytes = tpuParams.stream().mapToLong(t -> model.tensor(t).data.length).sum();
    Long chip = profile.memory().onChipParamBytes();
    long onChip = chip == null ? -1 : chip;
    double share = macsTotal == 0 ? (split < 0 ? 1 : 0) : (double) macsOnTpu / macsTotal;
    return new Report(profile.id(), List.copyOf(out), split, onTpu, out.size(), macsOnTpu, macsTotal, share, paramBytes,
        onChip, onChip >= 0 && paramBytes <= onChip, model);
  }

  /** Why the op would not map; empty when it would. */
  static List<String> reasons(TflModel model, TflModel.Op op, Node node, Graph source, Profile profile) {
    List<String> reasons = new ArrayList<>();
    String builtin = op.name();
    String irOp = node == null ? null : node.op();
    Optional<OpRule> originRule = irOp == null ? Optional.empty() : profile.op(irOp);

    // on the list?
    if (op.builtin() == BuiltinOperator.TRANSPOSE) {
      reasons.add("TRANSPOSE is not supported by the Edge TPU (hwc emits NHWC natively; this one was inserted for "
          + op.origin() + ")");
    } else if (op.builtin() == BuiltinOperator.DEQUANTIZE) {
      reasons.add(UNSUPPORTED_TYPE + ": DEQUANTIZE produces float32");
    } else if (!mappable(builtin, irOp, profile)) {
      reasons.add(builtin + " is not on the Edge TPU's supported list" + (irOp == null ? "" : " (from " + irOp + " '"
          + op.origin() + "')"));
    } else {
      Integer max = maxVersion(builtin, originRule, profile);
      if (max != null && op.version() > max) {
        reasons.add("Operation version not supported (v" + op.version() + " > v" + max + ")");
      }
    }

    // data types
    Set<String> badTypes = new LinkedHashSet<>();
    for (int t : tensors(op)) {
      TflModel.Tensor x = model.tensor(t);
      boolean ok = x.type == TensorType.INT8
          || (x.isConstant() && x.type == TensorType.INT32)
          || (op.builtin() == BuiltinOperator.QUANTIZE && x.type == TensorType.UINT8 && contains(op.inputs(), t));
      if (!ok) {
        badTypes.add("'" + x.name + "' is " + TflModel.typeName(x.type));
      }
    }
    if (!badTypes.isEmpty() && op.builtin() != BuiltinOperator.DEQUANTIZE) {
      reasons.add(UNSUPPORTED_TYPE + " (" + String.join(", ", badTypes) + ")");
    }

    // shape limits, on activation tensors (weights are laid out for the kernels, not activations)
    ShapeLimits s = profile.shapes();
    for (int t : tensors(op)) {
      TflModel.Tensor x = model.tensor(t);
      if (x.isConstant()) {
        continue;
      }
      String shape = "'" + x.name + "' " + Arrays.toString(x.shape);
      int rank = x.shape.length;
      if (s.maxRank() != null && rank > s.maxRank()) {
        reasons.add(shape + " has rank " + rank + " > " + s.maxRank());
      }
      if (s.maxBatch() != null && rank > 1 && x.shape[0] > s.maxBatch()) {
        reasons.add(shape + " has batch " + x.shape[0] + " > " + s.maxBatch());
      }
      if (s.maxNonUnitDims() != null) {
        int nonUnit = 0;
        boolean outer = false;
        for (int d = 0; d < rank; d++) {
          if (x.shape[d] > 1) {
            nonUnit++;
            outer |= d < rank - s.maxNonUnitDims();
          }
        }
        if (nonUnit > s.maxNonUnitDims()) {
          reasons.add(shape + " has " + nonUnit + " dims > 1, at most " + s.maxNonUnitDims() + " allowed");
        } else if (outer) {
          reasons.add(shape + ": dims > 1 must be the innermost " + s.maxNonUnitDims());
        }
      }
    }

    // the IR node's own limits
    if (op.role().isEmpty() && node != null && originRule.isPresent()) {
      for (String r : Legality.reasons(source, node, profile)) {
        if (!duplicatesOwnCheck(r, source, node)) {
          reasons.add(irOp + " '" + node.name() + "': " + r);
        }
      }
      if (originRule.get().has(ConstraintKind.NO_FUSED_ACTIVATION) && op.fusedActivation() != 0) {
        reasons.add(builtin + " with a fused activation");
      }
    }
    return reasons;
  }

  /**
   * Legality's generic and shape reasons, which this report states on the TFLite tensors, and its
   * constantWeights reason for a weight the QDQ graph stores behind a DequantizeLinear of an
   * initializer (a constant all the same: TFLite gets the int8 initializer).
   */
  private static boolean duplicatesOwnCheck(String reason, Graph g, Node n) {
    if (reason.startsWith("'") || reason.startsWith(Legality.STATIC_SHAPES) || reason.contains(" is not supported by ")) {
      return true;
    }
    for (int i = 1; i < n.inputs().size(); i++) {
      String v = n.input(i);
      if (reason.equals("input " + i + " ('" + v + "') is not a constant")) {
        Node p = g.producer(v);
        return p != null && p.op().equals("DequantizeLinear") && g.isInitializer(p.input(0));
      }
    }
    return false;
  }

  static boolean mappable(String builtin, String irOp, Profile profile) {
    if (builtin.equals("QUANTIZE")) {
      return true;
    }
    for (OpRule r : profile.ops().values()) {
      if (builtin.equals(r.lowersTo())) {
        return true;
      }
    }
    // a builtin on Coral's list that the IR op's own lowering rule emits besides its profile rule's
    // lowersTo (DEPTHWISE_CONV_2D under Conv, RELU_N1_TO_1 under Clip...); BATCH_MATMUL under MatMul is not on the list
    TfliteOps.Rule rule = irOp == null ? null : TfliteOps.RULES.get(irOp);
    return rule != null && profile.supports(irOp) && ALSO_MAPPED.contains(builtin)
        && rule.emits().stream().anyMatch(e -> e.name().equals(builtin));
  }

  /**
   * The newest version the profile allows: the origin op's rule, any rule lowering to it, else the
   * lowest int8 version the backend's rules declare for the builtin (what the compiler takes for int8).
   */
  static Integer maxVersion(String builtin, Optional<OpRule> originRule, Profile profile) {
    if (originRule.isPresent() && builtin.equals(originRule.get().lowersTo()) && originRule.get().opVersion() != null) {
      return originRule.get().opVersion();
    }
    Integer best = null;
    for (OpRule r : profile.ops().values()) {
      if (builtin.equals(r.lowersTo()) && r.opVersion() != null) {
        best = best == null ? r.opVersion() : Math.max(best, r.opVersion());
      }
    }
    if (best != null) {
      return best;
    }
    Integer int8 = INT8_VERSIONS.get(builtin);
    if (int8 != null) {
      return int8;
    }
    return originRule.map(OpRule::opVersion).orElse(null);
  }

  /** MACs of one op from its TFLite tensors; 0 for ops without a weighted product. */
  static long macs(TflModel m, TflModel.Op op) {
    switch (op.builtin()) {
      case BuiltinOperator.CONV_2D: { // filter OHWI
        int[] w = m.tensor(op.inputs()[1]).shape;
        return m.tensor(op.outputs()[0]).elements() * w[1] * w[2] * w[3];
      }
      case BuiltinOperator.DEPTHWISE_CONV_2D: { // filter 1HWO
        int[] w = m.tensor(op.inputs()[1]).shape;
        return m.tensor(op.outputs()[0]).elements() * w[1] * w[2];
      }
      case BuiltinOperator.FULLY_CONNECTED: { // weights [out, in]
        int[] w = m.tensor(op.inputs()[1]).shape;
        return m.tensor(op.outputs()[0]).elements() * w[1];
      }
      case BuiltinOperator.TRANSPOSE_CONV: { // inputs: output shape, filter OHWI, input
        int[] w = m.tensor(op.inputs()[1]).shape;
        return m.tensor(op.inputs()[2]).elements() * w[0] * w[1] * w[2];
      }
      default:
        return 0;
    }
  }

  private static List<Integer> tensors(TflModel.Op op) {
    List<Integer> all = new ArrayList<>();
    for (int t : op.inputs()) {
      if (t >= 0) {
        all.add(t);
      }
    }
    for (int t : op.outputs()) {
      all.add(t);
    }
    return all;
  }

  private static List<Integer> constants(TflModel m, TflModel.Op op) {
    List<Integer> c = new ArrayList<>();
    for (int t : op.inputs()) {
      if (t >= 0 && m.tensor(t).isConstant()) {
        c.add(t);
      }
    }
    return c;
  }

  private static boolean contains(int[] a, int v) {
    return Arrays.stream(a).anyMatch(x -> x == v);
  }
}

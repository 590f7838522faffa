package dev.hwc.profiles;

import dev.hwc.common.BadInputException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks Jackson cannot make: required fields, names from fixed vocabularies (artifact, runtime,
 * precisions, constraint kinds, partitioning modes), numeric ranges and consistency between sections. The
 * first problem found is thrown as a one-line {@link BadInputException} naming {@code file:line}.
 */
final class ProfileValidator {
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]*");
  /** An ONNX op type, or a runtime's own op as domain:OP (com.microsoft:Attention). */
  private static final Pattern OP_NAME = Pattern.compile("([a-z][a-z0-9]*(\\.[a-z][a-z0-9]*)*:)?[A-Z][A-Za-z0-9]*");
  /** Which runtimes can check which artifact: ONNX Runtime or TensorRT's ONNX parser for onnx. */
  private static final Map<ArtifactFormat, List<String>> RUNTIMES_FOR_ARTIFACT = Map.of(
      ArtifactFormat.ONNX, List.of("onnxruntime", "tensorrt"), ArtifactFormat.TFLITE, List.of("tflite"),
      ArtifactFormat.TENSORRT, List.of("tensorrt"));

  private final YamlSourceMap src;
  private final ProfileError error;
  private final Set<String> knownOps;
  private final Set<String> reservedIds;

  ProfileValidator(YamlSourceMap src, ProfileError error) {
    this(src, error, null, Set.of());
  }

  /**
   * @param knownOps the op names hwc's op registry knows (null: only the spelling is checked)
   * @param reservedIds ids the profile may not take (the built-ins, unless it means to override them)
   */
  ProfileValidator(YamlSourceMap src, ProfileError error, Set<String> knownOps, Set<String> reservedIds) {
    this.src = src;
    this.error = error;
    this.knownOps = knownOps;
    this.reservedIds = reservedIds;
  }

  void validate(Profile p) {
    required(p.id(), "", "id", "a short name such as edgetpu");
    if (!ID.matcher(p.id()).matches()) {
      throw fail("/id", "id must be lower-case letters, digits, '.', '_' or '-', got '" + p.id() + "'");
    }
    if (reservedIds.contains(p.id())) {
      throw fail("/id", "id '" + p.id() + "' is a built-in target; give your profile its own id, or pass"
          + " --override-builtin to replace the built-in '" + p.id() + "' with it");
    }
    required(p.artifact(), "", "artifact", "one of " + String.join(", ", Profile.ARTIFACTS));
    required(p.runtime(), "", "runtime", "one of " + String.join(", ", Profile.RUNTIMES));
    oneOf(p.runtime(), Profile.RUNTIMES, "/runtime");
    List<String> runtimes = RUNTIMES_FOR_ARTIFACT.get(p.artifact());
    if (!runtimes.contains(p.runtime())) {
      throw fail("/runtime", "runtime '" + p.runtime() + "' cannot run a " + p.artifact() + " artifact (use "
          + String.join(" or ", runtimes) + ")");
    }
    required(p.precisions(), "", "precisions", "weights, activations and io lists");
    precisions(p.precisions());
    if (!src.has("/ops")) {
      throw fail("", "missing required field 'ops' (the IR ops this target supports)");
    }
    ops(p.ops());
    quantization(p);
    shapes(p.shapes());
    memory(p.memory());
    keepHigherPrecision(p);
    if (src.has("/partitioning")) {
      required(p.partitioning().mode(), "/partitioning", "mode", "one of " + String.join(", ", Partitioning.MODES));
    }
    gate(p.gate());
  }

  // ---- sections

  private void precisions(Precisions p) {
    dtypeList(p.weights(), "/precisions", "weights");
    dtypeList(p.activations(), "/precisions", "activations");
    dtypeList(p.io(), "/precisions", "io");
  }

  private void dtypeList(List<String> list, String parent, String field) {
    String pointer = parent + "/" + field;
    if (!src.has(pointer)) {
      throw fail(parent, "missing required field '" + field + "' (a list of " + String.join(", ", Precisions.DTYPES) + ")");
    }
    if (list.isEmpty()) {
      throw fail(pointer, dotted(pointer) + " must list at least one precision");
    }
    noDuplicates(list, pointer);
    for (int i = 0; i < list.size(); i++) {
      if (!Precisions.DTYPES.contains(list.get(i))) {
        throw fail(pointer + "/" + i, "unknown precision '" + list.get(i) + "'" + hint(list.get(i), Precisions.DTYPES)
            + " (known: " + String.join(", ", Precisions.DTYPES) + ")", true);
      }
    }
  }

  private void ops(Map<String, OpRule> ops) {
    if (ops.isEmpty()) {
      throw fail("/ops", "ops must list at least one op");
    }
    for (Map.Entry<String, OpRule> entry : ops.entrySet()) {
      String pointer = "/ops/" + YamlSourceMap.escape(entry.getKey());
      opName(entry.getKey(), pointer);
      OpRule rule = entry.getValue();
      if (rule.lowersTo() != null && rule.lowersTo().isBlank()) {
        throw fail(pointer + "/lowersTo", "lowersTo must not be blank");
      }
      if (rule.opVersion() != null && rule.opVersion() < 1) {
        throw fail(pointer + "/opVersion", "opVersion must be at least 1, got " + rule.opVersion(), true);
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < rule.limits().size(); i++) {
        limit(rule.limits().get(i), pointer + "/limits/" + i, seen);
      }
    }
  }

  private void limit(Constraint c, String pointer, Set<String> seen) {
    Optional<ConstraintKind> kind = ConstraintKind.byName(c.kind());
    if (kind.isEmpty()) {
      throw fail(pointer, "unknown constraint '" + c.kind() + "'" + hint(c.kind(), ConstraintKind.names())
          + " (known: " + String.join(", ", ConstraintKind.names()) + ")", true);
    }
    if (!seen.add(c.kind())) {
      throw fail(pointer, "constraint '" + c.kind() + "' is given twice", true);
    }
    ConstraintKind k = kind.get();
    if (k.takesValue() && c.value() == null) {
      throw fail(pointer, "constraint '" + c.kind() + "' needs a value: write {" + c.kind() + ": N}", true);
    }
    if (!k.takesValue() && c.value() != null) {
      throw fail(pointer, "constraint '" + c.kind() + "' takes no value: write it bare, as " + c.kind(), true);
    }
    if (k.takesValue() && c.value() < k.minValue()) {
      throw fail(pointer, "constraint '" + c.kind() + "' must be at least " + k.minValue() + ", got " + c.value(), true);
    }
  }

  private void quantization(Profile p) {
    Quantization q = p.quantization();
    Precisions precisions = p.precisions();
    if (!q.enabled()) {
      if (src.has("/quantization") && src.found("/quantization").equals("a mapping")) {
        required(q.weights(), "/quantization", "weights", "dtype, symmetric, perChannel, channelAxis, min, max");
        required(q.activations(), "/quantization", "activations", "dtype, symmetric, perTensor, min, max");
      }
      for (String role : List.of("weights", "activations")) {
        List<String> list = role.equals("weights") ? precisions.weights() : precisions.activations();
        for (String dtype : list) {
          if (Quantization.QUANT_DTYPES.contains(dtype)) {
            throw fail("/precisions/" + role, "precisions." + role + " allows " + dtype
                + " but the profile has no 'quantization' section to say how");
          }
        }
      }
      return;
    }
    String w = "/quantization/weights";
    WeightQuant wq = q.weights();
    quantDtype(wq.dtype(), w + "/dtype", precisions.weights(), "weights");
    intRange(wq.dtype(), wq.min(), wq.max(), w);
    if (wq.perChannel() && wq.channelAxis().isEmpty()) {
      throw fail(w, "perChannel is true but channelAxis names no op (e.g. channelAxis: {Conv: 0})", true);
    }
    if (!wq.perChannel() && !wq.channelAxis().isEmpty()) {
      throw fail(w + "/channelAxis", "channelAxis is given but perChannel is false", true);
    }
    for (Map.Entry<String, Integer> axis : wq.channelAxis().entrySet()) {
      String pointer = w + "/channelAxis/" + YamlSourceMap.escape(axis.getKey());
      opName(axis.getKey(), pointer);
      inOps(p, axis.getKey(), pointer, "channelAxis");
      if (axis.getValue() < 0 || axis.getValue() > 7) {
        throw fail(pointer, "channel axis must be between 0 and 7, got " + axis.getValue(), true);
      }
    }
    String a = "/quantization/activations";
    ActivationQuant aq = q.activations();
    quantDtype(aq.dtype(), a + "/dtype", precisions.activations(), "activations");
    intRange(aq.dtype(), aq.min(), aq.max(), a);
    oneOf(q.bias(), Quantization.BIAS_DTYPES, "/quantization/bias");
    oneOf(q.zeroPoint(), Quantization.ZERO_POINTS, "/quantization/zeroPoint");
    if (q.zeroPointMustBeZero() && !(wq.symmetric() && aq.symmetric())) {
      throw fail("/quantization/zeroPoint",
          "quantization.zeroPoint is 'zero' but " + (wq.symmetric() ? "activations" : "weights") + " are not symmetric");
    }
    for (Map.Entry<String, FixedRange> range : q.fixedOutputRanges().entrySet()) {
      String pointer = "/quantization/fixedOutputRanges/" + YamlSourceMap.escape(range.getKey());
      opName(range.getKey(), pointer);
      double scale = range.getValue().scale();
      if (!(scale > 0) || Double.isInfinite(scale)) {
        throw fail(pointer + "/scale", "scale must be a positive number, got " + scale, true);
      }
      int zp = range.getValue().zeroPoint();
      if (zp < aq.min() || zp > aq.max()) {
        throw fail(pointer + "/zeroPoint", "zeroPoint " + zp + " is outside the activation range "
            + aq.min() + ".." + aq.max(), true);
      }
    }
    opNameList(q.sharedScaleOps(), "/quantization/sharedScaleOps");
    opNameList(q.fusedQdqOps(), "/quantization/fusedQdqOps");
    if (q.depthwiseChannelAlignment() < 0 || q.depthwiseChannelAlignment() > 1024) {
      throw fail("/quantization/depthwiseChannelAlignment", "must be between 0 and 1024, got "
          + q.depthwiseChannelAlignment(), true);
    }
    for (int i = 0; i < q.fusedQdqOps().size(); i++) {
      inOps(p, q.fusedQdqOps().get(i), "/quantization/fusedQdqOps/" + i, "fusedQdqOps");
    }
  }

  private void quantDtype(String dtype, String pointer, List<String> allowed, String role) {
    String parent = pointer.substring(0, pointer.lastIndexOf('/'));
    required(dtype, parent, "dtype", "one of " + String.join(", ", Quantization.QUANT_DTYPES));
    oneOf(dtype, Quantization.QUANT_DTYPES, pointer);
    if (!allowed.contains(dtype)) {
      throw fail(pointer, dotted(pointer) + " '" + dtype + "' is not in precisions." + role + " " + allowed);
    }
  }

  private void intRange(String dtype, int min, int max, String pointer) {
    int[] range = Quantization.rangeOf(dtype);
    if (min < range[0] || min > range[1]) {
      throw fail(pointer + "/min", dotted(pointer) + ".min " + min + " is outside " + dtype + " ("
          + range[0] + ".." + range[1] + ")");
    }
    if (max < range[0] || max > range[1]) {
      throw fail(pointer + "/max", dotted(pointer) + ".max " + max + " is outside " + dtype + " ("
          + range[0] + ".." + range[1] + ")");
    }
    if (min >= max) {
      throw fail(pointer + "/min", dotted(pointer) + ".min " + min + " must be less than max " + max);
    }
  }

  private void shapes(ShapeLimits s) {
    atLeastOne(s.maxBatch(), "/shapes/maxBatch");
    atLeastOne(s.maxRank(), "/shapes/maxRank");
    atLeastOne(s.maxNonUnitDims(), "/shapes/maxNonUnitDims");
    if (s.maxRank() != null && s.maxNonUnitDims() != null && s.maxNonUnitDims() > s.maxRank()) {
      throw fail("/shapes/maxNonUnitDims", "shapes.maxNonUnitDims " + s.maxNonUnitDims()
          + " is larger than shapes.maxRank " + s.maxRank());
    }
  }

  private void memory(Memory m) {
    if (m.onChipParamBytes() != null && m.onChipParamBytes() <= 0) {
      throw fail("/memory/onChipParamBytes", "memory.onChipParamBytes must be positive, got " + m.onChipParamBytes());
    }
    if (m.deviceBytes() != null && m.deviceBytes() <= 0) {
      throw fail("/memory/deviceBytes", "memory.deviceBytes must be positive, got " + m.deviceBytes());
    }
  }

  private void keepHigherPrecision(Profile p) {
    List<String> keep = p.keepHigherPrecision();
    opNameList(keep, "/keepHigherPrecision");
    for (int i = 0; i < keep.size(); i++) {
      inOps(p, keep.get(i), "/keepHigherPrecision/" + i, "keepHigherPrecision");
    }
    if (!keep.isEmpty() && !p.precisions().floatActivations()) {
      throw fail("/keepHigherPrecision", "keepHigherPrecision lists ops but precisions.activations has no float type "
          + "to keep them in");
    }
  }

  private void gate(Gate g) {
    if (!(g.minCosine() >= -1 && g.minCosine() <= 1)) {
      throw fail("/gate/minCosine", "gate.minCosine must be between -1 and 1, got " + g.minCosine());
    }
    if (!(g.minIoU() >= 0 && g.minIoU() <= 1)) {
      throw fail("/gate/minIoU", "gate.minIoU must be between 0 and 1, got " + g.minIoU());
    }
    if (!(g.maxRelativeL2() >= 0) || Double.isInfinite(g.maxRelativeL2())) {
      throw fail("/gate/maxRelativeL2", "gate.maxRelativeL2 must be a non-negative number, got " + g.maxRelativeL2());
    }
  }

  // ---- helpers

  private void required(Object value, String parent, String field, String what) {
    boolean blank = value instanceof String s && s.isBlank();
    if (value == null || blank) {
      String pointer = parent + "/" + field;
      String name = parent.isEmpty() ? "" : dotted(parent) + ": ";
      throw src.has(pointer)
          ? fail(pointer, name + "'" + field + "' is empty (expected " + what + ")")
          : fail(parent, name + "missing required field '" + field + "' (" + what + ")");
    }
  }

  private void oneOf(String value, List<String> allowed, String pointer) {
    if (!allowed.contains(value)) {
      throw fail(pointer, dotted(pointer) + " must be one of " + String.join(", ", allowed) + ", got '" + value + "'"
          + hint(value, allowed));
    }
  }

  private void opName(String op, String pointer) {
    if (!OP_NAME.matcher(op).matches()) {
      throw fail(pointer, "'" + op + "' is not an IR op name (an ONNX op type such as Conv or Softmax)", true);
    }
    if (knownOps != null && !knownOps.contains(op)) {
      throw fail(pointer, "'" + op + "' is not an op hwc knows" + hint(op, knownOps)
          + " (an op hwc cannot read would never be used)", true);
    }
  }

  private void opNameList(List<String> ops, String pointer) {
    noDuplicates(ops, pointer);
    for (int i = 0; i < ops.size(); i++) {
      opName(ops.get(i), pointer + "/" + i);
    }
  }

  private void inOps(Profile p, String op, String pointer, String field) {
    if (!p.supports(op)) {
      throw fail(pointer, field + " names '" + op + "', which is not in ops" + hint(op, p.ops().keySet()), true);
    }
  }

  private void noDuplicates(List<String> list, String pointer) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      if (!seen.add(list.get(i))) {
        throw fail(pointer + "/" + i, dotted(pointer) + " lists '" + list.get(i) + "' twice");
      }
    }
  }

  private void atLeastOne(Integer value, String pointer) {
    if (value != null && value < 1) {
      throw fail(pointer, dotted(pointer) + " must be at least 1, got " + value);
    }
  }

  private static String hint(String name, java.util.Collection<String> known) {
    return Names.closest(name, known).filter(n -> !n.equals(name)).map(n -> "; did you mean '" + n + "'?").orElse("");
  }

  private static String dotted(String pointer) {
    return YamlSourceMap.dotted(pointer);
  }

  /** A problem whose message names its field itself. */
  private BadInputException fail(String pointer, String problem) {
    return fail(pointer, problem, false);
  }

  /** A problem at {@code pointer}; with {@code withPath} the message is prefixed by the value's dotted path. */
  private BadInputException fail(String pointer, String problem, boolean withPath) {
    return error.at(src.line(pointer), withPath ? dotted(pointer) : "", problem);
  }
}

package dev.hwc.compiler.quant;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.OpDef;
import dev.hwc.compiler.ops.OpRegistry;
import dev.hwc.compiler.ops.QuantRule;
import dev.hwc.compiler.ops.OpTrait;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.common.BadInputException;
import dev.hwc.profiles.FixedRange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Static int8 quantization in ONNX's QDQ form, in two steps around calibration:
 *
 * <ol>
 *   <li>{@link #plan}: which nodes run as integer kernels (the scheme's ops, minus those kept in
 *       float), and so which activations need a calibrated range. A Relu or Clip(0, c) that is the
 *       only reader of a quantized node's output is absorbed into that output's quantization (the
 *       Q clamps at the zero point) when activations are asymmetric. Data-movement ops between
 *       quantized tensors share their input's params, so the runtime can drop their Q/DQ pairs.
 *   <li>{@link #apply}: given the ranges, writes Q -> DQ on every planned activation (one DQ per
 *       reader, explicit zero points), int8 per-channel weights and int32 biases behind DQ nodes.
 * </ol>
 */
public final class StaticQuantizer {
  private StaticQuantizer() {}

  /**
   * What the quantizer will do.
   *
   * @param nodes quantized node names, in graph order
   * @param activations values that get Q -> DQ, in graph order
   * @param sharedWith value -> the value whose params it reuses (data-movement ops)
   * @param absorbed activation nodes (Relu/Clip) folded into the Q of their input
   * @param fixed value -> the fixed params its producer's op requires
   */
  public record Plan(List<String> nodes, List<String> activations, Map<String, String> sharedWith,
      Map<String, Node> absorbed, Map<String, FixedRange> fixed) {
    /** Values whose range calibration must measure (everything not shared or fixed). */
    public List<String> toCalibrate() {
      return activations.stream().filter(v -> !sharedWith.containsKey(v) && !fixed.containsKey(v)).toList();
    }
  }

  /**
   * Calibrated ranges beyond this magnitude are not int8 material: they come from sentinels (an
   * attention mask of -3.4e38 or -1e9), and one int8 scale over them leaves nothing for the real
   * values (TFLite's int8 kernels even abort on the rescale multipliers they imply).
   */
  public static final double MAX_ACTIVATION_MAGNITUDE = 1e6;

  /** The values whose calibrated range is too wide for int8 ({@link #MAX_ACTIVATION_MAGNITUDE}). */
  public static Set<String> outOfRange(Map<String, double[]> ranges) {
    Set<String> out = new LinkedHashSet<>();
    ranges.forEach((v, r) -> {
      if (!(Math.max(Math.abs(r[0]), Math.abs(r[1])) <= MAX_ACTIVATION_MAGNITUDE)) {
        out.add(v);
      }
    });
    return out;
  }

  /**
   * The planned nodes that write or read any of {@code values} quantized (a node whose Relu was
   * absorbed writes the Relu's value): they must stay float.
   */
  public static Set<String> nodesTouching(Graph g, Plan plan, Set<String> values) {
    Set<String> out = new LinkedHashSet<>();
    for (Node n : g.nodes()) {
      if (!plan.nodes().contains(n.name())) {
        continue;
      }
      Set<String> io = new java.util.HashSet<>(n.inputs());
      io.addAll(n.outputs());
      for (String o : n.outputs()) {
        for (Node r : g.consumers(o)) {
          if (plan.absorbed().containsKey(r.output(0))) {
            io.add(r.output(0));
          }
        }
      }
      if (io.stream().anyMatch(values::contains)) {
        out.add(n.name());
      }
    }
    return out;
  }

  public static Plan plan(Graph g, QuantScheme s, Set<String> keepFloatNodes) {
    Set<String> nodes = new LinkedHashSet<>();
    Set<String> acts = new LinkedHashSet<>();
    Map<String, Node> absorbed = new LinkedHashMap<>();
    Map<String, FixedRange> fixed = new LinkedHashMap<>();
    Map<String, String> shared = new LinkedHashMap<>();
    for (Node n : g.nodes()) {
      if (!n.domain().isEmpty() || !s.quantizedOps().contains(n.op()) || keepFloatNodes.contains(n.name())
          || !isFloat(g, n.output(0)) || absorbed.containsValue(n)) {
        continue;
      }
      if (s.fullInteger() && s.floatAllowed() && n.op().equals("MatMul") && !g.isInitializer(n.input(1))) {
        // activation x activation (attention): TFLite's int8 BATCH_MATMUL disagreed with the QDQ
        // reference on all-MiniLM-L6-v2 (cosine 0.86 against ONNX Runtime's 0.9998): kept float
        // where the target runs float (an integer-only target gets it in int8, judged by the guard)
        continue;
      }
      List<String> inputs = activationInputs(g, n);
      if (inputs.isEmpty() || (!s.fullInteger() && isElementwise(n) && inputs.size() < n.inputs().size())) {
        continue; // Add/Mul with a constant operand (bias adds, LayerNorm epsilons) stay float on ONNX Runtime
      }
      nodes.add(n.name());
      acts.addAll(inputs);
      String out = n.output(0);
      Node act = absorbable(g, n, s);
      if (act != null) {
        absorbed.put(act.output(0), act);
        out = act.output(0);
      }
      if (!g.isGraphOutput(out) || s.fullInteger()) {
        acts.add(out);
      }
      s.fixedRanges().entrySet().stream().filter(e -> e.getKey().equals(n.op()))
          .forEach(e -> fixed.put(n.output(0), e.getValue()));
    }
    // data-movement ops between quantized tensors keep their input's params
    for (Node n : g.nodes()) {
      if (s.sharedScaleOps().contains(n.op()) && acts.contains(n.input(0)) && isFloat(g, n.output(0))
          && (!g.isGraphOutput(n.output(0)) || s.fullInteger()) && n.outputs().size() == 1
          && rule(n).kind() == QuantRule.Kind.SHARED) {
        acts.add(n.output(0));
        shared.put(n.output(0), shared.getOrDefault(n.input(0), n.input(0)));
      }
    }
    List<String> ordered = new ArrayList<>();
    g.inputs().forEach(v -> {
      if (acts.contains(v.name())) {
        ordered.add(v.name());
      }
    });
    g.nodes().forEach(n -> n.outputs().forEach(o -> {
      if (acts.contains(o)) {
        ordered.add(o);
      }
    }));
    return new Plan(List.copyOf(nodes), ordered, shared, absorbed, fixed);
  }

  /**
   * The inputs of the plan's quantized nodes whose per-channel means bias correction needs, with the
   * axis holding their channels (the op's {@link QuantRule#meanAxisOf}: Conv and Gemm 1, a MatMul with a
   * constant 2-D weight its last), among the values calibration observes.
   */
  public static Map<String, Integer> meanAxes(Graph g, Plan plan, java.util.Collection<String> observed) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Node n : g.nodes()) {
      if (!plan.nodes().contains(n.name()) || !observed.contains(n.input(0))) {
        continue;
      }
      int axis = rule(n).meanAxisOf(g, n);
      if (axis >= 0) {
        out.put(n.input(0), axis);
      }
    }
    return out;
  }

  /**
   * Writes the QDQ graph. {@code ranges} holds [lo, hi] for every value in {@link
   * Plan#toCalibrate()}. The graph's opset must be at least 13 (per-axis DequantizeLinear).
   */
  public static Graph apply(Graph g, Plan plan, Map<String, double[]> ranges, QuantScheme s) {
    return apply(g, plan, ranges, Map.of(), s);
  }

  /**
   * As {@link #apply(Graph, Plan, Map, QuantScheme)}, with bias correction: for each Conv and Gemm
   * whose input's per-channel mean is given, the bias absorbs the mean output shift the weight
   * rounding causes, (W - Ŵ) E[x] (a bias is added where the layer had none).
   */
  public static Graph apply(Graph g, Plan plan, Map<String, double[]> ranges, Map<String, float[]> inputMeans,
      QuantScheme s) {
    if (g.opset() < 13) {
      throw new IllegalArgumentException("QDQ needs opset >= 13, the graph has " + g.opset() + ": upgrade it first");
    }
    Map<String, QuantParams> params = new LinkedHashMap<>();
    for (String v : plan.activations()) {
      QuantParams p;
      if (plan.fixed().containsKey(v)) {
        FixedRange f = plan.fixed().get(v);
        p = QuantParams.perTensor(s.activations(), (float) f.scale(),
            s.activations() == DType.UINT8 ? Math.max(0, f.zeroPoint()) : f.zeroPoint());
      } else if (plan.sharedWith().containsKey(v)) {
        p = params.get(plan.sharedWith().get(v));
      } else {
        double[] r = ranges.get(v);
        if (r == null) {
          throw new IllegalArgumentException("no calibrated range for '" + v + "'");
        }
        p = s.activationParams(r[0], r[1]);
      }
      params.put(v, p);
    }
    Graph.Editor e = g.edit();
    Names names = new Names(g);
    // weights and biases first: they need the input activation's scale
    for (Node n : g.nodes()) {
      if (!plan.nodes().contains(n.name())) {
        continue;
      }
      if (isWeighted(n) && g.isInitializer(n.input(1))) {
        quantizeWeights(g, e, n, params.get(n.input(0)), inputMeans.get(n.input(0)), s, names);
      }
    }
    // absorbed activations: their reader-facing value is now produced by Q(input)
    for (Node act : plan.absorbed().values()) {
      e.removeNode(act);
    }
    for (String v : plan.activations()) {
      QuantParams p = params.get(v);
      Node absorbedAct = plan.absorbed().get(v);
      String source = absorbedAct == null ? v : absorbedAct.input(0);
      // full-integer: a graph output is quantized too; its producer writes a renamed float value and
      // the output keeps its name as the DequantizeLinear at the end
      boolean quantizedOutput = s.fullInteger() && g.isGraphOutput(v) && g.producer(v) != null;
      if (quantizedOutput) {
        String renamed = names.fresh(v + "_float");
        Node prod = current(e, g.producer(v));
        List<String> outs = new ArrayList<>(prod.outputs());
        outs.replaceAll(x -> x.equals(v) ? renamed : x);
        e.replaceNode(prod, List.of(prod.withOutputs(outs)));
        source = renamed;
      }
      String scale = names.fresh(v + "_scale");
      String zp = names.fresh(v + "_zero_point");
      e.putInitializer(scale, Tensor.ofFloats(new long[0], p.scale()[0]));
      e.putInitializer(zp, Tensor.fromDoubles(p.dtype(), new long[0], new double[] {p.zeroPoint()[0]}));
      // readers that take the quantized value: integer kernels, and data-movement ops passing it on;
      // float readers keep the float value (when the Relu feeding them was absorbed, every reader takes it)
      List<Node> readers = new ArrayList<>();
      for (Node r : e.nodes()) {
        if (r.inputs().contains(v) && (absorbedAct != null || plan.nodes().contains(r.name())
            || plan.activations().contains(r.output(0)) && plan.sharedWith().containsKey(r.output(0)))) {
          readers.add(r);
        }
      }
      if (readers.isEmpty() && !quantizedOutput) {
        e.initializers().remove(scale);
        e.initializers().remove(zp);
        continue;
      }
      String q = names.fresh(v + "_quantized");
      e.addNode(new Node(names.fresh(v + "_QuantizeLinear"), "QuantizeLinear", List.of(source, scale, zp),
          List.of(q), Attributes.EMPTY));
      int k = 0;
      for (Node r : readers) {
        String dq = names.fresh(v + "_dequantized" + (readers.size() > 1 ? "_" + k++ : ""));
        e.addNode(new Node(names.fresh(dq + "_DequantizeLinear"), "DequantizeLinear", List.of(q, scale, zp),
            List.of(dq), Attributes.EMPTY));
        Node cur = current(e, r);
        List<String> ins = new ArrayList<>(cur.inputs());
        ins.replaceAll(x -> x.equals(v) ? dq : x);
        e.replaceNode(cur, List.of(cur.withInputs(ins)));
      }
      if (quantizedOutput) {
        e.addNode(new Node(names.fresh(v + "_DequantizeLinear"), "DequantizeLinear", List.of(q, scale, zp),
            List.of(v), Attributes.EMPTY));
      }
      e.valueTypes().remove(v);
    }
    Graph out = ShapeInference.run(e.build());
    if (s.fullInteger()) {
      return out;
    }
    // ONNX Runtime has no integer HardSigmoid/HardSwish: their QDQ groups become QLinearAdd/QLinearMul
    Graph fused = QdqHardActivations.rewrite(out).graph();
    // ONNX Runtime x86 (uint8 activations): convs in the forms its fast int8 kernels take
    return s.activations() == DType.UINT8 ? QdqOrtConvForms.rewrite(fused, s.depthwiseChannelAlignment()) : fused;
  }

  private static void quantizeWeights(Graph g, Graph.Editor e, Node n, QuantParams input, float[] inputMean,
      QuantScheme s, Names names) {
    Tensor w = g.initializer(n.input(1));
    int axis = weightAxis(n, w, s);
    WeightQuantizer.Quantized wq = WeightQuantizer.perChannel(w, axis, s.weightMax());
    String wDq = dequantized(e, names, n.input(1), wq);
    List<String> ins = new ArrayList<>(n.inputs());
    ins.set(1, wDq);
    Tensor bias = n.hasInput(2) && g.isInitializer(n.input(2)) ? g.initializer(n.input(2)) : null;
    float[] delta = null;
    if (inputMean != null && n.op().equals("Conv")) {
      delta = BiasCorrection.conv(w, wq.dequantized(), inputMean, (int) n.attrs().getInt("group", 1));
    } else if (inputMean != null && n.op().equals("Gemm") && n.attrs().getInt("transA", 0) == 0) {
      delta = BiasCorrection.gemm(w, wq.dequantized(), inputMean, n.attrs().getInt("transB", 0) != 0);
    } else if (inputMean != null && n.op().equals("MatMul") && w.rank() == 2) {
      foldIntoBiasAdd(g, e, n, BiasCorrection.gemm(w, wq.dequantized(), inputMean, false));
    }
    if (delta != null && (bias != null || !n.hasInput(2))) {
      bias = BiasCorrection.correctedBias(bias, delta);
      while (ins.size() < 3) {
        ins.add("");
      }
    }
    if (bias != null && input != null && !n.op().equals("ConvTranspose")) {
      WeightQuantizer.Quantized bq = WeightQuantizer.bias(bias, input.scale()[0], wq.params());
      ins.set(2, dequantized(e, names, n.hasInput(2) ? n.input(2) : n.name() + "_bias", bq));
    }
    Node cur = current(e, n);
    e.replaceNode(cur, List.of(cur.withInputs(ins)));
    for (int i = 1; i < ins.size() && i < 3; i++) {
      String old = n.input(i);
      if (!ins.get(i).equals(old) && g.consumers(old).size() == 1 && !g.isGraphOutput(old)) {
        e.removeInitializer(old); // the float original is no longer read
      }
    }
  }

  /**
   * A MatMul has no bias input: its correction goes into the bias Add that alone reads its output
   * (a transformer's x·W + b), when there is one with a constant bias of one value per column.
   */
  private static void foldIntoBiasAdd(Graph g, Graph.Editor e, Node mm, float[] delta) {
    List<Node> readers = g.consumers(mm.output(0));
    if (readers.size() != 1 || !readers.get(0).op().equals("Add") || g.isGraphOutput(mm.output(0))) {
      return;
    }
    Node add = readers.get(0);
    String other = add.input(0).equals(mm.output(0)) ? add.input(1) : add.input(0);
    Tensor b = g.isInitializer(other) ? g.initializer(other) : null;
    if (b == null || b.numElements() != delta.length || g.consumers(other).size() != 1 || g.isGraphOutput(other)) {
      return;
    }
    Tensor corrected = BiasCorrection.correctedBias(b.reshape(new long[] {delta.length}), delta);
    e.putInitializer(other, corrected.reshape(b.shape()));
  }

  /**
   * Adds an integer initializer and its DequantizeLinear (per-axis when the params are); returns the
   * dequantized value's name.
   */
  static String dequantized(Graph.Editor e, Names names, String base, WeightQuantizer.Quantized q) {
    String values = names.fresh(base + "_quantized");
    String scale = names.fresh(base + "_scale");
    String zp = names.fresh(base + "_zero_point");
    QuantParams p = q.params();
    long[] shape = p.perChannel() ? new long[] {p.scale().length} : new long[0];
    e.putInitializer(values, q.values());
    e.putInitializer(scale, Tensor.ofFloats(shape, p.scale()));
    double[] zeros = new double[p.scale().length];
    e.putInitializer(zp, Tensor.fromDoubles(p.dtype(), shape, zeros));
    String out = names.fresh(base + "_dequantized");
    Attributes attrs = p.perChannel() ? Attributes.of("axis", (long) p.axis()) : Attributes.EMPTY;
    e.addNode(new Node(names.fresh(base + "_DequantizeLinear"), "DequantizeLinear", List.of(values, scale, zp),
        List.of(out), attrs));
    return out;
  }

  /**
   * The weight axis that holds output channels: the op's registry rule, or for full-integer schemes
   * the profile's (per-axis only where the format has it, else per-tensor).
   */
  static int weightAxis(Node n, Tensor w, QuantScheme s) {
    if (s.fullInteger()) {
      return s.channelAxis().getOrDefault(n.op(), -1);
    }
    QuantRule.WeightAxis axis = rule(n).weightAxis();
    return axis == null ? s.channelAxis().getOrDefault(n.op(), -1) : axis.of(n, w.shape());
  }

  private static QuantRule rule(Node n) {
    return OpRegistry.lookup(n.op()).map(OpDef::quant).orElse(QuantRule.FLOAT);
  }

  /** The float, non-constant inputs of a node that its integer kernel reads quantized. */
  private static List<String> activationInputs(Graph g, Node n) {
    List<String> out = new ArrayList<>();
    int count = isWeighted(n) ? 1 : n.inputs().size();
    if (n.op().equals("MatMul") && !g.isInitializer(n.input(1))) {
      count = 2; // activation x activation (attention)
    }
    for (int i = 0; i < count; i++) {
      String v = n.input(i);
      if (!v.isEmpty() && !g.isInitializer(v) && isFloat(g, v)) {
        out.add(v);
      }
    }
    return out;
  }

  private static boolean isWeighted(Node n) {
    return rule(n).weightAxis() != null;
  }

  private static boolean isElementwise(Node n) {
    return OpRegistry.lookup(n.op()).map(d -> d.has(OpTrait.BROADCAST)).orElse(false);
  }

  /** The Relu or Clip(0, c) that alone reads n's output, when asymmetric Q can stand in for it. */
  private static Node absorbable(Graph g, Node n, QuantScheme s) {
    if (s.symmetricActivations() || g.isGraphOutput(n.output(0)) || g.consumers(n.output(0)).size() != 1) {
      return null;
    }
    Node r = g.consumers(n.output(0)).get(0);
    if (g.isGraphOutput(r.output(0))) {
      return null;
    }
    if (rule(r).kind() != QuantRule.Kind.CLAMP) {
      return null;
    }
    // a clamp at zero from below: Relu, or Clip(0, c) with its lower bound as a constant input
    boolean atZero = r.op().equals("Relu") || r.hasInput(1) && g.isInitializer(r.input(1))
        && g.initializer(r.input(1)).getDouble(0) == 0;
    return atZero ? r : null;
  }

  private static boolean isFloat(Graph g, String value) {
    Value v = g.type(value);
    return v != null && v.dtype() == DType.FLOAT;
  }

  /** The editor's current version of a node (matched by name, since rewrites replace nodes). */
  private static Node current(Graph.Editor e, Node n) {
    for (Node m : e.nodes()) {
      if (m.name().equals(n.name())) {
        return m;
      }
    }
    throw new IllegalStateException("node " + n.describe() + " vanished");
  }

  /** Fresh value and node names that collide with nothing in the graph. */
  static final class Names {
    private final Set<String> used = new java.util.HashSet<>();

    Names(Graph g) {
      used.addAll(g.initializers().keySet());
      g.inputs().forEach(v -> used.add(v.name()));
      g.outputs().forEach(v -> used.add(v.name()));
      for (Node n : g.nodes()) {
        used.add(n.name());
        used.addAll(n.inputs());
        used.addAll(n.outputs());
      }
    }

    String fresh(String base) {
      String name = base;
      for (int i = 2; !used.add(name); i++) {
        name = base + "_" + i;
      }
      return name;
    }
  }

  static BadInputException unsupported(String why) {
    return new BadInputException(why);
  }
}

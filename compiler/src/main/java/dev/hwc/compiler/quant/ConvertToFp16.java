package dev.hwc.compiler.quant;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Half;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.OpContext;
import dev.hwc.compiler.ops.OpDef;
import dev.hwc.compiler.ops.OpRegistry;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.compiler.passes.Pass;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.PassInfo;
import dev.hwc.profiles.Profile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Converts a float32 graph to float16: float initializers become fp16 (clamped, see {@link
 * #toFp16}), activations are computed in fp16, and the ops named in {@code keepFp32} (a profile's
 * {@code keepHigherPrecision}: Softmax, ReduceMean, Pow, Sqrt, LayerNormalization, Resize...) run in
 * fp32 between Casts, as do the nodes producing the values named in {@code keepValues} (values whose
 * calibrated range does not fit fp16, see {@link Fp16Ranges}). Graph IO is fp32 when asked (Casts at
 * the edges, names unchanged), else fp16.
 *
 * <p>Rules, in the order they decide:
 *
 * <ul>
 *   <li>Only FLOAT values change; integer, bool and shape values are untouched.
 *   <li>A node runs in fp32 when its op is kept, when it produces a kept value, or when it is a cheap op (not Conv, ConvTranspose,
 *       Gemm or MatMul) sitting wholly between fp32 nodes and constants (every float input comes from
 *       an fp32 node, a Cast to float or a constant, every reader of its float outputs is an fp32
 *       node or an fp32 graph output). So {@code ReduceMean -> Add(eps) -> Sqrt} stays fp32 with no Cast pair
 *       around the Add, and consecutive kept ops never get Casts between them.
 *   <li>Some inputs keep their own type whatever the node's precision: Resize's roi and scales and
 *       Upsample's scales (ONNX wants them float32), Dropout's ratio, and the data input of Cast
 *       and Shape (any type will do).
 *   <li>A constant read only in fp32 stays fp32; one read in both precisions is stored twice.
 *   <li>A value needed in the other precision is Cast once, and every reader shares that Cast.
 *   <li>{@code Cast(to=FLOAT)} writes FLOAT16 instead unless all its readers are fp32; a
 *       ConstantOfShape with a float value fills with fp16 in an fp16 region.
 * </ul>
 *
 * The result is fully typed; a graph output keeps its name (its producer's value is renamed when a
 * Cast has to follow it). A graph with no float32 value is returned as it is.
 */
public final class ConvertToFp16 implements Pass {
  public static final String NAME = "convert-fp16";

  /**
   * Constants are clamped to ±1e4, as onnxconverter-common does: fp16 tops out at 65504, and the
   * margin keeps weights and mask fills (-1e9, -FLT_MAX) from overflowing the first op they meet.
   * Infinities clamp too; NaN stays NaN.
   */
  public static final float MAX_MAGNITUDE = 1e4f;

  /**
   * Constant values with magnitude below 1e-7 (under two steps of fp16's smallest subnormal,
   * 2^-24 = 5.96e-8) are flushed to 0: in fp16 they would only hold 0, 2^-24 or 2^-23, no usable
   * precision. One exception: a one-element constant (an epsilon such as LayerNorm's 1e-12) is
   * raised to ±1e-7 instead, as onnxconverter-common does for every value, because an epsilon of 0
   * changes what {@code x / sqrt(var + eps)} does on a constant row.
   */
  public static final float FLUSH_BELOW = 1e-7f;

  private static final PassInfo INFO = new PassInfo(NAME, 0);

  /** Weighted ops (the registry's WEIGHTED trait): costly, their inputs do arithmetic together; never pulled into fp32. */
  private static boolean heavy(String op) {
    return dev.hwc.compiler.ops.OpRegistry.lookup(op).map(d -> d.has(dev.hwc.compiler.ops.OpTrait.WEIGHTED)).orElse(false);
  }

  private final boolean fp32Io;
  private final Set<String> keepFp32;
  private final Set<String> keepValues;

  /**
   * @param fp32Io keep graph inputs and outputs float32 (Casts at the edges); else they become fp16
   * @param keepFp32 op names computed in fp32
   */
  public ConvertToFp16(boolean fp32Io, Collection<String> keepFp32) {
    this(fp32Io, keepFp32, Set.of());
  }

  /**
   * @param fp32Io keep graph inputs and outputs float32 (Casts at the edges); else they become fp16
   * @param keepFp32 op names computed in fp32
   * @param keepValues value names whose producing node is computed in fp32 (from {@link Fp16Ranges})
   */
  public ConvertToFp16(boolean fp32Io, Collection<String> keepFp32, Collection<String> keepValues) {
    this.fp32Io = fp32Io;
    this.keepFp32 = Collections.unmodifiableSet(new TreeSet<>(keepFp32));
    this.keepValues = Collections.unmodifiableSet(new TreeSet<>(keepValues));
  }

  /** The profile's {@code keepHigherPrecision} ops stay fp32. */
  public static ConvertToFp16 forProfile(Profile profile, boolean fp32Io) {
    return new ConvertToFp16(fp32Io, profile.keepHigherPrecision());
  }

  /** Convenience: {@code new ConvertToFp16(fp32Io, keepFp32).run(g, PassContext.defaults())}. */
  public static Graph convert(Graph g, boolean fp32Io, Collection<String> keepFp32) {
    return new ConvertToFp16(fp32Io, keepFp32).run(g, PassContext.defaults());
  }

  /** Convenience: {@code new ConvertToFp16(fp32Io, keepFp32, keepValues).run(g, PassContext.defaults())}. */
  public static Graph convert(Graph g, boolean fp32Io, Collection<String> keepFp32, Collection<String> keepValues) {
    return new ConvertToFp16(fp32Io, keepFp32, keepValues).run(g, PassContext.defaults());
  }

  public boolean fp32Io() {
    return fp32Io;
  }

  public Set<String> keepFp32() {
    return keepFp32;
  }

  public Set<String> keepValues() {
    return keepValues;
  }

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    Graph typed = ShapeInference.run(g);
    if (!hasFloat(typed)) {
      return g;
    }
    Conversion c = new Conversion(typed, fp32Io, keepFp32, keepValues);
    Graph out = c.build();
    ctx.note(NAME + ": " + c.fp32Nodes + " of " + typed.nodes().size() + " nodes kept in fp32, "
        + c.casts + " Casts added, parameters " + typed.parameterBytes() + " -> " + out.parameterBytes()
        + " bytes");
    return out;
  }

  private static boolean hasFloat(Graph g) {
    return g.inputs().stream().anyMatch(v -> v.dtype() == DType.FLOAT)
        || g.initializers().values().stream().anyMatch(t -> t.dtype() == DType.FLOAT)
        || g.valueTypes().values().stream().anyMatch(v -> v.dtype() == DType.FLOAT);
  }

  /** A float32 constant as float16, clamped to ±{@link #MAX_MAGNITUDE} and flushed below {@link #FLUSH_BELOW}. */
  public static Tensor toFp16(Tensor t) {
    if (t.dtype() != DType.FLOAT) {
      throw new IllegalArgumentException("toFp16 takes a float32 tensor, got " + t);
    }
    float[] v = t.toFloats();
    boolean epsilon = v.length == 1;
    short[] h = new short[v.length];
    for (int i = 0; i < v.length; i++) {
      h[i] = Half.fromFloat(clamp(v[i], epsilon));
    }
    ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.asShortBuffer().put(h);
    return Tensor.ofBytes(DType.FLOAT16, t.shape(), b.array());
  }

  /** The value a float32 constant element takes before rounding to fp16 (see the thresholds above). */
  public static float clamp(float x, boolean oneElement) {
    float a = Math.abs(x);
    if (Float.isNaN(x) || x == 0) {
      return x;
    }
    if (a > MAX_MAGNITUDE) {
      return Math.copySign(MAX_MAGNITUDE, x);
    }
    if (a < FLUSH_BELOW) {
      return oneElement ? Math.copySign(FLUSH_BELOW, x) : 0f;
    }
    return x;
  }

  /** Whether input i of n keeps its own type whatever the node's precision: a fact of its op (the registry's). */
  static boolean fixedSlot(Node n, int i) {
    return dev.hwc.compiler.ops.OpRegistry.lookup(n.op()).map(d -> d.typeFixed(i)).orElse(false);
  }

  /** One conversion: the decisions, then a walk over the nodes in order that builds the new graph. */
  private static final class Conversion {
    final Graph g;
    final boolean fp32Io;
    final Set<String> keep;
    final Set<String> keepValues;
    final DType ioType;
    final Set<Node> fp32 = Collections.newSetFromMap(new IdentityHashMap<>());
    final Map<Node, DType> castTo = new IdentityHashMap<>();
    final Set<String> used = new HashSet<>();
    /** Per original float value: its versions by type, the one produced (home) first. */
    final Map<String, LinkedHashMap<DType, String>> versions = new HashMap<>();
    final Map<String, Value> known = new HashMap<>();
    final LinkedHashMap<String, Tensor> initializers = new LinkedHashMap<>();
    final List<Node> nodes = new ArrayList<>();
    int casts;
    int fp32Nodes;

    Conversion(Graph g, boolean fp32Io, Set<String> keep, Set<String> keepValues) {
      this.g = g;
      this.fp32Io = fp32Io;
      this.keep = keep;
      this.keepValues = keepValues;
      this.ioType = fp32Io ? DType.FLOAT : DType.FLOAT16;
      used.addAll(g.initializers().keySet());
      g.inputs().forEach(v -> used.add(v.name()));
      g.outputs().forEach(v -> used.add(v.name()));
      for (Node n : g.nodes()) {
        used.addAll(n.inputs());
        used.addAll(n.outputs());
        used.add(n.name());
      }
      decidePrecisions();
    }

    boolean isFloat(String v) {
      if (v.isEmpty()) {
        return false;
      }
      Value t = g.type(v);
      return t != null && t.dtype() == DType.FLOAT;
    }

    boolean kept(Node n) {
      if (n.outputs().stream().anyMatch(o -> keepValues.contains(o) && isFloat(o))) {
        return true;
      }
      return (n.domain().isEmpty() || n.domain().equals("ai.onnx")) && keep.contains(n.op());
    }

    /** The kept ops, then the greatest set of cheap nodes wholly between fp32 nodes and constants. */
    void decidePrecisions() {
      Set<Node> absorbed = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Node n : g.nodes()) {
        if (kept(n)) {
          fp32.add(n);
        } else if (!n.op().equals("Cast") && !heavy(n.op()) && touchesFloat(n)) {
          absorbed.add(n);
        }
      }
      boolean changed = true;
      while (changed) {
        changed = false;
        for (java.util.Iterator<Node> it = absorbed.iterator(); it.hasNext(); ) {
          Node n = it.next();
          if (!betweenFp32(n, absorbed)) {
            it.remove();
            changed = true;
          }
        }
      }
      fp32.addAll(absorbed);
      fp32Nodes = fp32.size();
      for (Node n : g.nodes()) {
        if (castsToFloat(n)) {
          castTo.put(n, allReadersFp32(n.output(0), absorbed) ? DType.FLOAT : DType.FLOAT16);
        }
      }
    }

    /** A Cast to FLOAT: it can write either float type, so it counts as an fp32 source. */
    static boolean castsToFloat(Node n) {
      return n.op().equals("Cast") && n.attrs().getInt("to", 0) == DType.FLOAT.onnxCode;
    }

    boolean touchesFloat(Node n) {
      for (int i = 0; i < n.inputs().size(); i++) {
        if (!fixedSlot(n, i) && isFloat(n.input(i))) {
          return true;
        }
      }
      return n.outputs().stream().anyMatch(this::isFloat);
    }

    boolean betweenFp32(Node n, Set<Node> absorbed) {
      for (int i = 0; i < n.inputs().size(); i++) {
        String v = n.input(i);
        if (fixedSlot(n, i) || !isFloat(v) || g.isInitializer(v) && !g.isGraphInput(v)) {
          continue;
        }
        Node p = g.producer(v);
        if (p == null || !(fp32.contains(p) || absorbed.contains(p) || castsToFloat(p))) {
          return false;
        }
      }
      for (String o : n.outputs()) {
        if (isFloat(o) && !allReadersFp32(o, absorbed)) {
          return false;
        }
      }
      return true;
    }

    /** Every reader of v that cares about its type is an fp32 node, and v is no fp16 graph output. */
    boolean allReadersFp32(String v, Set<Node> absorbed) {
      if (g.isGraphOutput(v) && !fp32Io) {
        return false;
      }
      for (Node r : g.consumers(v)) {
        for (int i = 0; i < r.inputs().size(); i++) {
          if (r.input(i).equals(v) && !fixedSlot(r, i) && !(fp32.contains(r) || absorbed.contains(r))) {
            return false;
          }
        }
      }
      return true;
    }

    DType precision(Node n) {
      return fp32.contains(n) ? DType.FLOAT : DType.FLOAT16;
    }

    Graph build() {
      Graph.Editor e = g.edit();
      for (int i = 0; i < e.inputs().size(); i++) {
        Value in = e.inputs().get(i);
        if (in.dtype() == DType.FLOAT) {
          Value v = new Value(in.name(), ioType, in.shape());
          e.inputs().set(i, v);
          track(in.name(), ioType, in.name());
          known.put(in.name(), v);
        } else {
          known.put(in.name(), in);
        }
      }
      g.initializers().forEach(this::convertInitializer);
      for (Node n : g.nodes()) {
        convertNode(n);
      }
      e.nodes().clear();
      e.nodes().addAll(nodes);
      e.initializers().clear();
      e.valueTypes().clear();
      initializers.forEach(e::putInitializer);
      for (Node n : nodes) {
        for (String o : n.outputs()) {
          if (!o.isEmpty() && known.containsKey(o)) {
            e.setType(known.get(o));
          }
        }
      }
      e.outputs().replaceAll(o -> {
        Value t = known.get(o.name());
        if (t == null && initializers.containsKey(o.name())) {
          Tensor c = initializers.get(o.name());
          t = new Value(o.name(), c.dtype(), c.irShape());
        }
        return t == null ? o : new Value(o.name(), t.dtype(), o.shape().refine(t.shape()));
      });
      return ShapeInference.run(e.build());
    }

    void track(String original, DType t, String name) {
      versions.computeIfAbsent(original, k -> new LinkedHashMap<>()).put(t, name);
    }

    /** Stores a float constant in the types its readers need; the original name holds the first of: IO type (graph output), fp32, fp16. */
    void convertInitializer(String name, Tensor t) {
      if (t.dtype() != DType.FLOAT) {
        initializers.put(name, t);
        known.put(name, new Value(name, t.dtype(), t.irShape()));
        return;
      }
      Set<DType> wants = new HashSet<>();
      if (g.isGraphInput(name) || g.isGraphOutput(name)) {
        wants.add(ioType);
      }
      for (Node n : g.consumers(name)) {
        for (int i = 0; i < n.inputs().size(); i++) {
          if (n.input(i).equals(name)) {
            wants.add(fixedSlot(n, i) ? DType.FLOAT : precision(n));
          }
        }
      }
      DType main = g.isGraphInput(name) || g.isGraphOutput(name) ? ioType
          : wants.contains(DType.FLOAT) || wants.isEmpty() ? DType.FLOAT : DType.FLOAT16;
      initializers.put(name, main == DType.FLOAT ? t : toFp16(t));
      track(name, main, name);
      for (DType other : wants) {
        if (other != main) {
          String copy = fresh(name + (other == DType.FLOAT16 ? "_fp16" : "_fp32"));
          initializers.put(copy, other == DType.FLOAT ? t : toFp16(t));
          known.put(copy, new Value(copy, other, t.irShape()));
          track(name, other, copy);
        }
      }
      Tensor stored = initializers.get(name);
      known.put(name, new Value(name, stored.dtype(), stored.irShape()));
    }

    void convertNode(Node n) {
      DType p = precision(n);
      List<String> inputs = new ArrayList<>();
      for (int i = 0; i < n.inputs().size(); i++) {
        String v = n.input(i);
        LinkedHashMap<DType, String> vs = v.isEmpty() ? null : versions.get(v);
        if (vs == null) {
          inputs.add(v);
        } else if (fixedSlot(n, i)) {
          inputs.add(vs.values().iterator().next());
        } else {
          inputs.add(vs.containsKey(p) ? vs.get(p) : cast(v, p));
        }
      }
      Node m = n.withInputs(inputs);
      if (castTo.get(n) == DType.FLOAT16) {
        m = m.withAttrs(m.attrs().with("to", (long) DType.FLOAT16.onnxCode));
      }
      Tensor fill = n.op().equals("ConstantOfShape") ? n.attrs().getTensor("value") : null;
      if (p == DType.FLOAT16 && fill != null && fill.dtype() == DType.FLOAT) {
        m = m.withAttrs(m.attrs().with("value", toFp16(fill)));
      }
      OpDef def = OpRegistry.require(m, g.opset());
      List<Value> outs = def.shape().infer(new OpContext(m, g.opset(), known::get, initializers::get));
      List<String> outNames = new ArrayList<>(m.outputs());
      List<Node> after = new ArrayList<>();
      for (Value o : outs) {
        String name = o.name();
        if (!isFloat(name)) {
          known.put(name, o);
          continue;
        }
        DType d = o.dtype();
        if (g.isGraphOutput(name) && d != ioType) {
          String internal = fresh(name + (d == DType.FLOAT16 ? "_fp16" : "_fp32"));
          outNames.set(outNames.indexOf(name), internal);
          known.put(internal, new Value(internal, d, o.shape()));
          track(name, d, internal);
          after.add(castNode(internal, name, ioType));
          known.put(name, new Value(name, ioType, o.shape()));
          track(name, ioType, name);
        } else {
          known.put(name, o);
          track(name, d, name);
        }
      }
      nodes.add(m.withOutputs(outNames));
      nodes.addAll(after);
    }

    /** The Cast of float value v to type t, made once and shared. */
    String cast(String v, DType t) {
      LinkedHashMap<DType, String> vs = versions.get(v);
      String from = vs.values().iterator().next();
      String name = fresh(v + (t == DType.FLOAT16 ? "_fp16" : "_fp32"));
      nodes.add(castNode(from, name, t));
      known.put(name, new Value(name, t, known.get(from).shape()));
      vs.put(t, name);
      return name;
    }

    Node castNode(String from, String to, DType t) {
      casts++;
      return new Node(fresh(to + "_cast"), "Cast", List.of(from), List.of(to),
          Attributes.of("to", (long) t.onnxCode));
    }

    String fresh(String base) {
      String name = base;
      for (int i = 2; used.contains(name); i++) {
        name = base + "_" + i;
      }
      used.add(name);
      return name;
    }
  }
}

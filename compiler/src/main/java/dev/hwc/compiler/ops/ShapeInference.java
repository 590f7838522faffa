package dev.hwc.compiler.ops;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Infers the type and shape of every value, node by node, with each op's {@link ShapeRule}.
 * Declared types (ONNX value_info, graph outputs) are merged in: an inferred static size refines a
 * symbol, and a declared size that contradicts the inferred one is an error naming the node.
 */
public final class ShapeInference {
  private ShapeInference() {}

  /**
   * Graphs this class returned: inference on one of them infers nothing new (a pass pipeline reaches its
   * fixed point on that), so it is returned as it is instead of being inferred again. Weak, by identity.
   */
  private static final Map<Graph, Boolean> INFERRED = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  public static Graph run(Graph g) {
    if (INFERRED.containsKey(g)) {
      return g;
    }
    Graph typed = infer(g);
    INFERRED.put(typed, Boolean.TRUE);
    return typed;
  }

  private static Graph infer(Graph g) {
    Map<String, Value> known = new HashMap<>(Math.max(16, 2 * (g.nodes().size() + g.initializers().size())));
    for (Value v : g.inputs()) {
      requireAddressable(null, "graph input", v);
      known.put(v.name(), v);
    }
    g.initializers().forEach((name, t) -> known.put(name, new Value(name, t.dtype(), t.irShape())));
    Graph.Editor e = g.edit();
    for (Node n : g.nodes()) {
      OpDef def = OpRegistry.require(n, g.opset());
      OpContext c = new OpContext(n, g.opset(), known::get, g::initializer);
      List<Value> outs;
      try {
        outs = def.shape().infer(c);
      } catch (ArithmeticException overflow) { // a size computed from absurd dims
        throw new ShapeException(where(n) + "a shape computation overflows 64 bits (absurd dims?)");
      } catch (IllegalArgumentException bad) { // e.g. a dim made negative by negative pads or absurd attributes
        throw new ShapeException(where(n) + "its output shape cannot be formed: " + bad.getMessage());
      }
      for (Value inferred : outs) {
        Value declared = g.type(inferred.name());
        Value merged = merge(n, declared, inferred);
        requireAddressable(n, "value", merged);
        known.put(merged.name(), merged);
        e.setType(merged);
      }
    }
    List<Value> outputs = new ArrayList<>();
    for (Value o : g.outputs()) {
      Value t = known.get(o.name());
      outputs.add(t == null ? o : merge(g.producer(o.name()), o, t));
    }
    e.outputs().clear();
    e.outputs().addAll(outputs);
    return e.build();
  }

  /**
   * A static shape whose element count or byte size does not fit 64 bits describes no tensor any
   * runtime can hold; it is refused here so that no later count (parameters, MACs, buffers) overflows.
   */
  static void requireAddressable(Node n, String what, Value v) {
    Shape s = v.shape();
    if (!s.hasRank()) {
      return;
    }
    long count = 1;
    boolean known = true;
    for (var d : s.dims()) {
      if (!d.isStatic()) {
        known = false;
        continue;
      }
      long size = d.size();
      if (size < 0) {
        throw new ShapeException(where(n) + what + " '" + v.name() + "' has a negative dim " + size);
      }
      if (count != 0 && size > Long.MAX_VALUE / Math.max(1, count)) {
        throw new ShapeException(where(n) + what + " '" + v.name() + "' of shape " + s
            + " has more elements than 64 bits can count");
      }
      count *= size;
    }
    int width = Math.max(1, v.dtype().byteSize);
    if (known && count > Long.MAX_VALUE / width) {
      throw new ShapeException(where(n) + what + " '" + v.name() + "' of shape " + s
          + " needs more bytes than 64 bits can count");
    }
  }

  private static Value merge(Node n, Value declared, Value inferred) {
    if (declared == null) {
      return inferred;
    }
    DType dtype = inferred.dtype() != DType.UNDEFINED ? inferred.dtype() : declared.dtype();
    if (declared.dtype() != DType.UNDEFINED && inferred.dtype() != DType.UNDEFINED
        && declared.dtype() != inferred.dtype()) {
      throw new ShapeException(where(n) + "value '" + inferred.name() + "' is declared "
          + declared.dtype().shortName() + " but computes " + inferred.dtype().shortName());
    }
    if (!declared.shape().compatibleWith(inferred.shape())) {
      throw new ShapeException(where(n) + "value '" + inferred.name() + "' is declared "
          + declared.shape() + " but computes " + inferred.shape());
    }
    return new Value(inferred.name(), dtype, inferred.shape().refine(declared.shape()));
  }

  private static String where(Node n) {
    return n == null ? "" : n.describe() + ": ";
  }

  /**
   * Fixes graph input shapes, e.g. {@code input_ids=1x128}, so later passes see static shapes. Each
   * given shape must fit the declared one (same rank, same static sizes).
   */
  public static Graph bindInputs(Graph g, Map<String, long[]> shapes) {
    Graph.Editor e = g.edit();
    for (Map.Entry<String, long[]> s : shapes.entrySet()) {
      int i = indexOf(g.inputs(), s.getKey());
      if (i < 0) {
        throw new dev.hwc.common.BadInputException("no graph input named '" + s.getKey()
            + "' (inputs: " + String.join(", ", g.inputs().stream().map(Value::name).toList()) + ")");
      }
      Value old = g.inputs().get(i);
      Shape fixed = Shape.of(s.getValue());
      if (!old.shape().compatibleWith(fixed)) {
        throw new dev.hwc.common.BadInputException("input '" + s.getKey() + "' is " + old.shape()
            + ", cannot fix it to " + fixed);
      }
      e.inputs().set(i, new Value(old.name(), old.dtype(), fixed));
    }
    // Types inferred under the old input shapes are stale; keep only what the model declared statically.
    e.valueTypes().clear();
    return run(e.build());
  }

  private static int indexOf(List<Value> values, String name) {
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Evaluates one node on constant inputs with its reference kernel (for folding and tests). */
  public static List<Tensor> evaluate(Graph g, Node n, List<Tensor> inputs) {
    OpDef def = OpRegistry.require(n, g.opset());
    if (def.kernel() == null) {
      throw new IllegalStateException(n.describe() + " has no reference kernel");
    }
    OpContext c = new OpContext(n, g.opset(), g::type, g::initializer);
    return def.kernel().eval(c, inputs);
  }
}

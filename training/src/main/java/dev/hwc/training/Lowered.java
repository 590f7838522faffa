package dev.hwc.training;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.ShapeInference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * An hwc {@link Graph} lowered to a TensorFlow graph: one placeholder per graph input (fed in the
 * IR's layout), one per trainable weight (fed in TensorFlow's layout, see {@link Parameter}), and
 * every IR value reachable by name. {@link #withWeights} writes trained values back into the IR
 * graph as new initializers, leaving its structure as it was.
 *
 * <p>Shapes are bound statically first: {@code inputShapes} may change any input's shape (a
 * training batch in place of the exported batch of 1) as long as the graph's shape constants allow
 * it (Reshape targets should copy the batch with 0 or infer it with -1).
 */
public final class Lowered implements AutoCloseable {
  private final org.tensorflow.Graph tfGraph;
  private final Ops tf;
  private final Graph graph;
  private final LoweringContext ctx;
  private final Map<String, Placeholder<TFloat32>> inputs = new LinkedHashMap<>();
  private final FakeQuant fakeQuant;

  private Lowered(org.tensorflow.Graph tfGraph, Graph graph, Predicate<String> trainable, FakeQuant fakeQuant) {
    this.tfGraph = tfGraph;
    this.tf = Ops.create(tfGraph);
    this.graph = graph;
    this.fakeQuant = fakeQuant;
    this.ctx = new LoweringContext(tf, graph, trainable, fakeQuant);
  }

  /** Lowers g with every float initializer trainable. */
  public static Lowered lower(Graph g, Map<String, long[]> inputShapes) {
    return lower(g, inputShapes, name -> true);
  }

  public static Lowered lower(Graph g, Map<String, long[]> inputShapes, Predicate<String> trainable) {
    return lower(g, inputShapes, trainable, null);
  }

  /**
   * Lowers g with fake quantization of the values a target's int8 build rounds (see {@link FakeQuant}),
   * switched by {@link #fakeQuantGate()}; {@code fakeQuant} null lowers plain float.
   */
  public static Lowered lower(Graph g, Map<String, long[]> inputShapes, Predicate<String> trainable, FakeQuant fakeQuant) {
    Graph bound = bindStatic(g, inputShapes);
    org.tensorflow.Graph tg = new org.tensorflow.Graph();
    try {
      Lowered l = new Lowered(tg, bound, trainable, fakeQuant);
      l.build();
      return l;
    } catch (RuntimeException e) {
      tg.close();
      throw e;
    }
  }

  /** The graph with the given input shapes and every value's shape inferred anew. */
  static Graph bindStatic(Graph g, Map<String, long[]> inputShapes) {
    Graph.Editor e = g.edit();
    for (int i = 0; i < e.inputs().size(); i++) {
      Value v = e.inputs().get(i);
      long[] s = inputShapes.get(v.name());
      if (s != null) {
        e.inputs().set(i, new Value(v.name(), v.dtype(), Shape.of(s)));
      }
    }
    for (String k : inputShapes.keySet()) {
      if (!g.isGraphInput(k)) {
        throw new LoweringException("no graph input named '" + k + "'");
      }
    }
    e.outputs().replaceAll(v -> new Value(v.name(), v.dtype(), Shape.UNKNOWN));
    e.valueTypes().clear();
    return ShapeInference.run(e.build());
  }

  private void build() {
    for (Value in : graph.inputs()) {
      if (in.dtype() != DType.FLOAT) {
        throw new LoweringException("input '" + in.name() + "' is " + in.dtype().shortName() + "; only fp32 inputs are lowered");
      }
      Placeholder<TFloat32> p = tf.withName("input_" + LoweringContext.tfName(in.name()))
          .placeholder(TFloat32.class, Placeholder.shape(org.tensorflow.ndarray.Shape.of(ctx.shape(in.name()))));
      inputs.put(in.name(), p);
      ctx.define(in.name(), TfValue.ir(p));
    }
    for (Node n : graph.nodes()) {
      List<TfValue> outs = LoweringTable.require(n).lower(ctx, n);
      for (int i = 0; i < outs.size(); i++) {
        if (!n.output(i).isEmpty()) {
          ctx.define(n.output(i), outs.get(i));
        }
      }
    }
  }

  public Ops tf() {
    return tf;
  }

  public org.tensorflow.Graph tfGraph() {
    return tfGraph;
  }

  /** The IR graph with the bound, static shapes. */
  public Graph graph() {
    return graph;
  }

  public Placeholder<TFloat32> input(String name) {
    Placeholder<TFloat32> p = inputs.get(name);
    if (p == null) {
      throw new LoweringException("no graph input named '" + name + "'");
    }
    return p;
  }

  /** An IR value's TensorFlow operand in the asked layout (NHWC only for rank-4 values). */
  public Operand<TFloat32> value(String name, Layout layout) {
    return ctx.valueAs(name, layout);
  }

  /** The value as lowered, in whichever layout it was produced. */
  public TfValue value(String name) {
    TfValue v = ctx.value(name);
    if (v == null) {
      throw new LoweringException("no lowered value '" + name + "'");
    }
    return v;
  }

  /**
   * The scalar to feed 1 (int8 rounding simulated) or 0 (plain float) on every run; null when the
   * graph was lowered without fake quantization or nothing in it is rounded.
   */
  public Placeholder<TFloat32> fakeQuantGate() {
    return fakeQuant == null ? null : fakeQuant.gateOrNull();
  }

  /** The trainable weights in the order they were met. */
  public List<Parameter> parameters() {
    return new ArrayList<>(ctx.parameters().values());
  }

  /** The graph's current weights, in TensorFlow layout, keyed by initializer name. */
  public Map<String, float[]> initialValues() {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Parameter p : ctx.parameters().values()) {
      out.put(p.name(), p.toTf(graph.initializer(p.name()).toFloats()));
    }
    return out;
  }

  /** {@code original} with each parameter's initializer replaced by the given TensorFlow-layout values. */
  public Graph withWeights(Graph original, Map<String, float[]> tfValues) {
    Graph.Editor e = original.edit();
    for (Parameter p : ctx.parameters().values()) {
      float[] v = tfValues.get(p.name());
      if (v == null) {
        continue;
      }
      if (!original.isInitializer(p.name())) {
        throw new LoweringException("the graph has no initializer '" + p.name() + "' to write back");
      }
      e.putInitializer(p.name(), Tensor.ofFloats(p.irShape(), p.toIr(v)));
    }
    return e.build();
  }

  @Override
  public void close() {
    tfGraph.close();
  }
}

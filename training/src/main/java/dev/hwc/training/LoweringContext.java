package dev.hwc.training;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What an {@link OpLowering} sees: the TensorFlow builder, the IR graph with static shapes, the
 * lowered values so far (each converted between IR and NHWC layout at most once), and the
 * parameters: float initializers that a lowering reads as weights become placeholders fed by the
 * trainer when {@code trainable} accepts them, constants otherwise.
 */
public final class LoweringContext {
  private final Ops tf;
  private final Graph graph;
  private final Predicate<String> trainable;
  private final Map<String, TfValue> values = new HashMap<>();
  private final Map<String, Operand<TFloat32>> irForm = new HashMap<>();
  private final Map<String, Operand<TFloat32>> nhwcForm = new HashMap<>();
  private final Map<String, Parameter> parameters = new LinkedHashMap<>();
  private final FakeQuant fakeQuant;

  LoweringContext(Ops tf, Graph graph, Predicate<String> trainable, FakeQuant fakeQuant) {
    this.tf = tf;
    this.graph = graph;
    this.trainable = trainable;
    this.fakeQuant = fakeQuant;
  }

  public Ops tf() {
    return tf;
  }

  public Graph graph() {
    return graph;
  }

  /** The static IR shape of a value (the lowering binds every input shape first). */
  public long[] shape(String value) {
    Value v = graph.type(value);
    if (v == null || !v.shape().isStatic()) {
      throw new LoweringException("value '" + value + "' has no static shape (" + v + ")");
    }
    return v.shape().sizes();
  }

  public int rank(String value) {
    return shape(value).length;
  }

  void define(String name, TfValue v) {
    values.put(name, v);
  }

  boolean defined(String name) {
    return values.containsKey(name);
  }

  public boolean isInitializer(Node n, int i) {
    return graph.isInitializer(n.input(i));
  }

  /** Input i of n as a runtime value; an initializer becomes a constant in IR layout. */
  public TfValue in(Node n, int i) {
    String name = n.input(i);
    TfValue v = values.get(name);
    if (v != null) {
      return v;
    }
    Tensor t = graph.initializer(name);
    if (t != null) {
      TfValue c = TfValue.ir(floatConstant(t.toFloats(), t.shape()));
      values.put(name, c);
      return c;
    }
    throw new LoweringException(n, "input '" + name + "' is not defined (only float values are lowered)");
  }

  /** Input i of n in IR layout. */
  public Operand<TFloat32> ir(Node n, int i) {
    return ir(n.input(i), in(n, i));
  }

  /** Input i of n as [N, H, W, C]; the input must be rank 4. */
  public Operand<TFloat32> nhwc(Node n, int i) {
    TfValue v = in(n, i);
    if (v.layout() == Layout.NHWC) {
      return v.op();
    }
    if (rank(n.input(i)) != 4) {
      throw new LoweringException(n, "input '" + n.input(i) + "' must be rank 4 (NCHW)");
    }
    return nhwcForm.computeIfAbsent(n.input(i), k -> tf.linalg.transpose(v.op(), ints(Layout.TO_NHWC)));
  }

  private Operand<TFloat32> ir(String name, TfValue v) {
    if (v.layout() == Layout.IR) {
      return v.op();
    }
    return irForm.computeIfAbsent(name, k -> tf.linalg.transpose(v.op(), ints(Layout.TO_IR)));
  }

  /** Input i of n in the given layout. */
  public Operand<TFloat32> as(Node n, int i, Layout layout) {
    return layout == Layout.NHWC ? nhwc(n, i) : ir(n, i);
  }

  /**
   * Input i of n, an initializer, as a weight in TensorFlow layout: padded with leading 1s to
   * {@code rank} (0 keeps its rank), then permuted by {@code perm}. A parameter when trainable.
   */
  public Operand<TFloat32> weight(Node n, int i, int rank, int[] perm) {
    String name = n.input(i);
    Tensor t = graph.initializer(name);
    if (t == null) {
      throw new LoweringException(n, "input " + i + " ('" + name + "') must be an initializer to be lowered as a weight");
    }
    if (t.dtype() != DType.FLOAT) {
      throw new LoweringException(n, "weight '" + name + "' is " + t.dtype().shortName() + ", only fp32 is lowered");
    }
    long[] ir = t.shape();
    long[] aligned = ir;
    if (rank > ir.length) {
      aligned = new long[rank];
      Arrays.fill(aligned, 1);
      System.arraycopy(ir, 0, aligned, rank - ir.length, ir.length);
    }
    if (perm.length != aligned.length) {
      throw new LoweringException(n, "weight '" + name + "' of shape " + Arrays.toString(ir) + " cannot take perm "
          + Arrays.toString(perm));
    }
    long[] tfShape = Permute.shape(aligned, perm);
    if (!trainable.test(name)) {
      return floatConstant(Permute.apply(t.toFloats(), aligned, perm), tfShape);
    }
    Parameter p = parameters.get(name);
    if (p != null) {
      if (!Arrays.equals(p.perm(), perm) || !Arrays.equals(p.alignedShape(), aligned)) {
        throw new LoweringException(n, "weight '" + name + "' is read in two layouts");
      }
      return p.placeholder();
    }
    Placeholder<TFloat32> ph = tf.withName("param_" + tfName(name)).placeholder(TFloat32.class, Placeholder.shape(Shape.of(tfShape)));
    parameters.put(name, new Parameter(name, ir, aligned, perm, tfShape, ph));
    return ph;
  }

  /**
   * A weight operand of n (as {@link #weight(Node, int, int, int[])} returned it, TensorFlow dim j holding
   * IR dim {@code perm[j]}) with the target's int8 rounding simulated when lowering for fake
   * quantization and the target quantizes n's op; the operand itself otherwise.
   *
   * @param irAxis n's per-channel axis in the IR weight when the op's rule differs from the profile's
   *     entry (Gemm without transB), else -2 to take the profile's
   */
  public Operand<TFloat32> quantizedWeight(Node n, Operand<TFloat32> w, int[] perm, int irAxis) {
    if (fakeQuant == null || !fakeQuant.quantizes(n.op())) {
      return w;
    }
    java.util.OptionalInt axis = fakeQuant.axisFor(n.op());
    int ir = irAxis != -2 ? irAxis : axis.isPresent() ? axis.getAsInt() : -1;
    int tfAxis = -1;
    if (axis.isPresent()) {
      for (int j = 0; j < perm.length; j++) {
        if (perm[j] == ir) {
          tfAxis = j;
        }
      }
    }
    return fakeQuant.weight(tf, w, perm.length, tfAxis);
  }

  /** An activation input of n with the int8 rounding simulated, as {@link #quantizedWeight} decides. */
  public Operand<TFloat32> quantizedInput(Node n, int i, Operand<TFloat32> x) {
    if (fakeQuant == null || !fakeQuant.quantizes(n.op())) {
      return x;
    }
    return fakeQuant.activation(tf, x, rank(n.input(i)));
  }

  /** A weight in its own layout and rank. */
  public Operand<TFloat32> weight(Node n, int i) {
    Tensor t = graph.initializer(n.input(i));
    int r = t == null ? 0 : t.rank();
    int[] id = new int[r];
    for (int j = 0; j < r; j++) {
      id[j] = j;
    }
    return weight(n, i, 0, id);
  }

  /** An initializer input read as integers (shapes, axes, pads); null when the input is absent. */
  public long[] longs(Node n, int i) {
    if (!n.hasInput(i)) {
      return null;
    }
    Tensor t = graph.initializer(n.input(i));
    if (t == null) {
      throw new LoweringException(n, "input " + i + " ('" + n.input(i) + "') must be a constant");
    }
    return t.toLongs();
  }

  /** An initializer input read as floats (scales); null when absent or empty. */
  public float[] floats(Node n, int i) {
    if (!n.hasInput(i)) {
      return null;
    }
    Tensor t = graph.initializer(n.input(i));
    if (t == null) {
      throw new LoweringException(n, "input " + i + " ('" + n.input(i) + "') must be a constant");
    }
    return t.numElements() == 0 ? null : t.toFloats();
  }

  public Operand<TFloat32> floatConstant(float[] data, long[] shape) {
    return tf.constant(Shape.of(shape), DataBuffers.of(data, true, false));
  }

  public Operand<TInt32> ints(int... v) {
    return tf.constant(v);
  }

  public Operand<TInt32> ints(long... v) {
    int[] a = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      a[i] = Math.toIntExact(v[i]);
    }
    return tf.constant(a);
  }

  public static List<Long> list(long... v) {
    List<Long> l = new ArrayList<>(v.length);
    for (long x : v) {
      l.add(x);
    }
    return l;
  }

  Map<String, Parameter> parameters() {
    return parameters;
  }

  TfValue value(String name) {
    return values.get(name);
  }

  /** Operand in a given layout for a graph value (used by losses on graph outputs). */
  Operand<TFloat32> valueAs(String name, Layout layout) {
    TfValue v = values.get(name);
    if (v == null) {
      throw new LoweringException("no lowered value '" + name + "'");
    }
    if (layout == Layout.IR) {
      return ir(name, v);
    }
    if (v.layout() == Layout.NHWC) {
      return v.op();
    }
    return nhwcForm.computeIfAbsent(name, k -> tf.linalg.transpose(v.op(), ints(Layout.TO_NHWC)));
  }

  /** TensorFlow op names allow [A-Za-z0-9.\-/_] and must not start with '_' or '-'. */
  static String tfName(String irName) {
    String s = irName.replaceAll("[^A-Za-z0-9._/-]", "_");
    return s.isEmpty() || !Character.isLetterOrDigit(s.charAt(0)) ? "v" + s : s;
  }
}

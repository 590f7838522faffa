package dev.hwc.compiler;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.ops.ShapeInference;
import java.util.List;
import java.util.Random;

/**
 * A small API to build graphs in code: test models, the bundled example. Layers with weights draw
 * them from a seeded generator (He-normal), so the same seed gives the same model.
 *
 * <pre>{@code
 * GraphBuilder b = new GraphBuilder("cnn", 42);
 * String x = b.input("x", 1, 3, 32, 32);
 * String y = b.relu(b.conv(x, 16, 3, 1));
 * b.output(b.softmax(b.gemm(b.flatten(b.globalAveragePool(y)), 10)));
 * Graph g = b.build();
 * }</pre>
 */
public final class GraphBuilder {
  public static final int DEFAULT_OPSET = 17;

  private final Graph.Editor graph;
  private final Random random;
  private int counter;

  public GraphBuilder(String name, long seed) {
    this(name, seed, DEFAULT_OPSET);
  }

  public GraphBuilder(String name, long seed, int opset) {
    graph = Graph.Editor.empty(name, opset);
    random = new Random(seed);
  }

  /** A float graph input. */
  public String input(String name, long... shape) {
    return input(name, DType.FLOAT, Shape.of(shape));
  }

  public String input(String name, DType dtype, Shape shape) {
    graph.inputs().add(new Value(name, dtype, shape));
    return name;
  }

  public GraphBuilder output(String value) {
    graph.outputs().add(new Value(value, DType.UNDEFINED, Shape.UNKNOWN));
    return this;
  }

  /** Adds a named constant; returns its name. */
  public String constant(String hint, Tensor t) {
    String name = fresh(hint);
    graph.putInitializer(name, t);
    return name;
  }

  /** Adds a node with one output; returns the output's name. */
  public String node(String op, Attributes attrs, String... inputs) {
    return nodeN(op, attrs, 1, inputs).get(0);
  }

  /** Adds a node whose one output gets the given name (a graph output's, say); returns it. */
  public String nodeNamed(String output, String op, Attributes attrs, String... inputs) {
    graph.addNode(new Node(fresh(op.toLowerCase(java.util.Locale.ROOT)), op, List.of(inputs), List.of(output), attrs));
    return output;
  }

  /** Adds a node whose outputs get the given names (graph outputs', say); returns the node's name. */
  public String nodeNamedN(List<String> outputs, String op, Attributes attrs, String... inputs) {
    String name = fresh(op.toLowerCase(java.util.Locale.ROOT));
    graph.addNode(new Node(name, op, List.of(inputs), outputs, attrs));
    return name;
  }

  /** Adds a node with n outputs; returns their names. */
  public List<String> nodeN(String op, Attributes attrs, int outputs, String... inputs) {
    String name = fresh(op.toLowerCase(java.util.Locale.ROOT));
    List<String> outs = new java.util.ArrayList<>();
    for (int i = 0; i < outputs; i++) {
      outs.add(outputs == 1 ? name : name + "_" + i);
    }
    graph.addNode(new Node(name, op, List.of(inputs), outs, attrs));
    return outs;
  }

  public String fresh(String hint) {
    return hint + "_" + counter++;
  }

  /** A tensor of normal(0, std) values from the builder's generator. */
  public Tensor randomNormal(double std, long... shape) {
    float[] v = new float[(int) count(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (random.nextGaussian() * std);
    }
    return Tensor.ofFloats(shape, v);
  }

  public Tensor randomUniform(double lo, double hi, long... shape) {
    float[] v = new float[(int) count(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (lo + random.nextDouble() * (hi - lo));
    }
    return Tensor.ofFloats(shape, v);
  }

  private static long count(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  // ---- layers

  /** Conv with square kernel k, stride s, "same" padding for odd k, group 1, bias. */
  public String conv(String x, long outChannels, int k, int s) {
    return conv(x, outChannels, k, s, 1);
  }

  public String conv(String x, long outChannels, int k, int s, int group) {
    long in = channels(x);
    long fanIn = in / group * k * k;
    String w = constant("w", randomNormal(Math.sqrt(2.0 / fanIn), outChannels, in / group, k, k));
    String bias = constant("b", randomNormal(0.05, outChannels));
    int p = (k - 1) / 2;
    return node("Conv", Attributes.of("kernel_shape", new long[] {k, k}, "strides", new long[] {s, s},
        "pads", new long[] {p, p, p, p}, "group", (long) group), x, w, bias);
  }

  /** Depthwise conv: one k x k filter per channel. */
  public String depthwiseConv(String x, int k, int s) {
    return conv(x, channels(x), k, s, (int) channels(x));
  }

  /** Transposed conv with kernel k and stride s that multiplies the spatial size by s. */
  public String convTranspose(String x, long outChannels, int k, int s) {
    long in = channels(x);
    String w = constant("wt", randomNormal(Math.sqrt(2.0 / (in * k * k)), in, outChannels, k, k));
    String bias = constant("b", randomNormal(0.05, outChannels));
    int pad = (k - s) / 2;
    return node("ConvTranspose", Attributes.of("kernel_shape", new long[] {k, k},
        "strides", new long[] {s, s}, "pads", new long[] {pad, pad, k - s - pad, k - s - pad}), x, w, bias);
  }

  /** BatchNormalization with random (but plausible) statistics, as after training. */
  public String batchNorm(String x) {
    long c = channels(x);
    String scale = constant("bn_scale", randomUniform(0.5, 1.5, c));
    String shift = constant("bn_bias", randomNormal(0.1, c));
    String mean = constant("bn_mean", randomNormal(0.1, c));
    String var = constant("bn_var", randomUniform(0.5, 2.0, c));
    return node("BatchNormalization", Attributes.of("epsilon", 1e-5f), x, scale, shift, mean, var);
  }

  /** Fully connected layer on a 2-D input: Gemm with transB=1, weights [out, in]. */
  public String gemm(String x, long out) {
    long in = type(x).shape().dim(1).size();
    String w = constant("fc_w", randomNormal(Math.sqrt(1.0 / in), out, in));
    String bias = constant("fc_b", randomNormal(0.05, out));
    return node("Gemm", Attributes.of("transB", 1L), x, w, bias);
  }

  public String relu(String x) {
    return node("Relu", Attributes.EMPTY, x);
  }

  public String sigmoid(String x) {
    return node("Sigmoid", Attributes.EMPTY, x);
  }

  public String softmax(String x, long axis) {
    return node("Softmax", Attributes.of("axis", axis), x);
  }

  public String add(String a, String b) {
    return node("Add", Attributes.EMPTY, a, b);
  }

  public String mul(String a, String b) {
    return node("Mul", Attributes.EMPTY, a, b);
  }

  public String concat(long axis, String... xs) {
    return node("Concat", Attributes.of("axis", axis), xs);
  }

  public String maxPool(String x, int k, int s) {
    return node("MaxPool", Attributes.of("kernel_shape", new long[] {k, k}, "strides", new long[] {s, s}), x);
  }

  public String globalAveragePool(String x) {
    return node("GlobalAveragePool", Attributes.EMPTY, x);
  }

  public String flatten(String x) {
    return node("Flatten", Attributes.of("axis", 1L), x);
  }

  /** Resize by an integer factor on the spatial dims (opset >= 13 form: empty roi, scales). */
  public String resize(String x, double factor, String mode) {
    String scales = constant("scales", Tensor.ofFloats(new long[] {4}, 1, 1, (float) factor, (float) factor));
    return node("Resize", Attributes.of("mode", mode), x, "", scales);
  }

  /**
   * Reshape to a fixed shape (ONNX semantics: 0 copies the input's dim, -1 is inferred), e.g.
   * {@code reshape(x, 0, c, -1)} flattens the spatial dims of an NCHW tensor and keeps any batch.
   */
  public String reshape(String x, long... shape) {
    return node("Reshape", Attributes.EMPTY, x, constant("shape", Tensor.vector(shape)));
  }

  public String transpose(String x, long... perm) {
    return node("Transpose", Attributes.of("perm", perm), x);
  }

  /** MatMul of two values (numpy semantics: batched over leading dims). */
  public String matMul(String a, String b) {
    return node("MatMul", Attributes.EMPTY, a, b);
  }

  /** A bias-free linear map on the last axis: MatMul with weights [in, out] (Glorot-normal, times {@code gain}). */
  public String linear(String x, long out, double gain) {
    long in = type(x).shape().dim(-1).size();
    String w = constant("lin_w", randomNormal(gain * Math.sqrt(2.0 / (in + out)), in, out));
    return matMul(x, w);
  }

  /**
   * One single-head self-attention layer over the spatial positions of an NCHW tensor, with a
   * residual: positions P = H*W, t = x as [N, P, C]; t + softmax(q k^T) v Wo with q = t Wq (the
   * 1/sqrt(d) scale is folded into Wq's initialization), k = t Wk, v = t Wv; back to [N, C, H, W].
   * Ops: Reshape, Transpose, MatMul, Softmax, Add.
   */
  public String selfAttention(String x, long d) {
    Shape s = type(x).shape();
    long c = s.dim(1).size();
    long h = s.dim(2).size();
    long w = s.dim(3).size();
    String t = transpose(reshape(x, 0, c, -1), 0, 2, 1);
    String q = linear(t, d, 1.0 / Math.sqrt(d));
    String k = linear(t, d, 1.0);
    String v = linear(t, c, 1.0);
    String a = softmax(matMul(q, transpose(k, 0, 2, 1)), -1);
    String y = add(t, linear(matMul(a, v), c, 0.5));
    return reshape(transpose(y, 0, 2, 1), 0, c, h, w);
  }

  /** The type of a value built so far (runs shape inference on the partial graph). */
  public Value type(String value) {
    Graph partial = ShapeInference.run(graph.build());
    Value v = partial.type(value);
    if (v == null) {
      throw new IllegalArgumentException("unknown value " + value);
    }
    return v;
  }

  private long channels(String x) {
    return type(x).shape().dim(1).size();
  }

  /** Infers every type and validates the graph. */
  public Graph build() {
    return GraphValidator.check(ShapeInference.run(graph.build()));
  }
}

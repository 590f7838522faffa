package dev.hwc.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.onnx.OrtSession;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.zoo.SmallModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;

/** The TensorFlow lowering computes what ONNX Runtime computes on the same IR graph, and has gradients. */
class LoweringTest {
  @TempDir Path dir;

  /** Every zoo model the table covers, plus attention and the ops the zoo lacks. */
  static List<Graph> models() {
    List<Graph> out = new ArrayList<>();
    for (SmallModels.Entry e : SmallModels.all()) {
      out.add(e.factory().apply(3));
    }
    out.add(attentionNet());
    out.add(miscNet());
    return out;
  }

  static Graph attentionNet() {
    GraphBuilder b = new GraphBuilder("attention", 5);
    String x = b.input("image", 1, 2, 16, 8);
    String e = b.relu(b.conv(x, 8, 3, 2));
    e = b.selfAttention(e, 4);
    String up = b.resize(b.relu(b.conv(e, 4, 1, 1)), 2, "linear");
    b.output(b.softmax(b.conv(b.concat(1, up, x), 3, 3, 1), 1));
    return b.build();
  }

  /** Stride-2 pads, avg pool, leaky relu, transpose round trip, a cropped ConvTranspose, Gemm on a flattened tensor. */
  static Graph miscNet() {
    GraphBuilder b = new GraphBuilder("misc", 9);
    String x = b.input("image", 1, 3, 12, 10);
    String y = b.node("LeakyRelu", Attributes.of("alpha", 0.2f), b.conv(x, 6, 5, 2));
    y = b.node("AveragePool", Attributes.of("kernel_shape", new long[] {2, 2}, "strides", new long[] {1, 1}), y);
    y = b.transpose(b.transpose(y, 0, 2, 3, 1), 0, 3, 1, 2);
    y = b.sigmoid(b.mul(y, b.constant("s", Tensor.ofFloats(new long[] {6, 1, 1}, 1, 2, 3, 4, 5, 6))));
    b.output(b.relu(b.convTranspose(y, 2, 3, 2))); // k 3, stride 2: cropped by a Slice
    b.output(b.gemm(b.flatten(y), 5));
    return b.build();
  }

  @Test
  void forwardMatchesOnnxRuntime() throws Exception {
    for (Graph g : models()) {
      Map<String, Tensor> feed = randomInputs(g, 1);
      Path onnx = dir.resolve(g.name() + ".onnx");
      Files.write(onnx, new OnnxEmitter().toBytes(g));
      Map<String, Tensor> ort = OrtSession.runOnce(onnx, feed);
      try (Lowered l = Lowered.lower(g, Map.of()); Session s = new Session(l.tfGraph())) {
        Map<String, Tensor> tf = run(l, s, feed, l.initialValues());
        for (Value o : g.outputs()) {
          assertClose(g.name() + "/" + o.name(), ort.get(o.name()).toFloats(), tf.get(o.name()).toFloats(), 1e-4);
        }
      }
    }
  }

  @Test
  void batchCanBeRebound() throws Exception {
    Graph g = attentionNet();
    Map<String, Tensor> one = randomInputs(g, 7);
    float[] x = one.get("image").toFloats();
    float[] two = new float[x.length * 2];
    System.arraycopy(x, 0, two, 0, x.length);
    System.arraycopy(x, 0, two, x.length, x.length);
    try (Lowered l = Lowered.lower(g, Map.of("image", new long[] {2, 2, 16, 8})); Session s = new Session(l.tfGraph())) {
      float[] y = run(l, s, Map.of("image", Tensor.ofFloats(new long[] {2, 2, 16, 8}, two)), l.initialValues())
          .get(g.outputs().get(0).name()).toFloats();
      int half = y.length / 2;
      for (int i = 0; i < half; i++) {
        assertEquals(y[i], y[i + half], 1e-6);
      }
    }
  }

  @Test
  void everyParameterHasAGradient() {
    for (Graph g : models()) {
      try (Lowered l = Lowered.lower(g, Map.of())) {
        List<Parameter> ps = l.parameters();
        assertTrue(ps.size() > 0, g.name());
        Operand<org.tensorflow.types.TFloat32> loss = l.tf().constant(0f);
        for (Value o : g.outputs()) {
          Operand<org.tensorflow.types.TFloat32> y = l.value(o.name(), Layout.IR);
          loss = l.tf().math.add(loss, l.tf().reduceSum(l.tf().math.square(y), l.tf().constant(allAxes(y))));
        }
        Output<?>[] xs = ps.stream().map(p -> p.placeholder().asOutput()).toArray(Output<?>[]::new);
        Output<?>[] grads = l.tfGraph().addGradients(loss.asOutput(), xs);
        assertEquals(ps.size(), grads.length, g.name());
      }
    }
  }

  @Test
  void weightsRoundTripThroughTensorFlowLayout() {
    Graph g = SmallModels.unetLike(2);
    try (Lowered l = Lowered.lower(g, Map.of())) {
      Graph back = l.withWeights(g, l.initialValues());
      for (String name : g.initializers().keySet()) {
        assertEquals(g.initializer(name), back.initializer(name), name);
      }
      assertEquals(g.nodes(), back.nodes());
    }
  }

  @Test
  void unsupportedOpIsNamed() {
    GraphBuilder b = new GraphBuilder("bad", 1);
    String x = b.input("x", 1, 4);
    b.output(b.node("Erf", Attributes.EMPTY, x));
    LoweringException e = assertThrows(LoweringException.class, () -> Lowered.lower(b.build(), Map.of()));
    assertTrue(e.getMessage().contains("Erf"), e.getMessage());
  }

  @Test
  void permuteInvertsAndMatchesTranspose() {
    float[] a = new float[24];
    for (int i = 0; i < a.length; i++) {
      a[i] = i;
    }
    long[] shape = {2, 3, 4};
    int[] perm = {2, 0, 1};
    float[] t = Permute.apply(a, shape, perm);
    assertEquals(a[1 * 12 + 2 * 4 + 3], t[3 * 6 + 1 * 3 + 2]);
    assertArrayEquals(a, Permute.apply(t, Permute.shape(shape, perm), Permute.inverse(perm)));
  }

  static int[] allAxes(Operand<?> y) {
    int r = y.shape().numDimensions();
    int[] a = new int[r];
    for (int i = 0; i < r; i++) {
      a[i] = i;
    }
    return a;
  }

  static Map<String, Tensor> randomInputs(Graph g, long seed) {
    Random r = new Random(seed);
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (Value in : g.inputs()) {
      long[] s = in.shape().sizes();
      float[] v = new float[(int) in.shape().numElements()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextGaussian();
      }
      feed.put(in.name(), Tensor.ofFloats(s, v));
    }
    return feed;
  }

  static Map<String, Tensor> run(Lowered l, Session s, Map<String, Tensor> feed, Map<String, float[]> weights) {
    List<org.tensorflow.Tensor> owned = new ArrayList<>();
    try {
      Session.Runner r = s.runner();
      feed.forEach((k, v) -> {
        var t = TfTensors.of(v);
        owned.add(t);
        r.feed(l.input(k), t);
      });
      for (Parameter p : l.parameters()) {
        var t = TfTensors.of(weights.get(p.name()), p.tfShape());
        owned.add(t);
        r.feed(p.placeholder(), t);
      }
      List<String> names = l.graph().outputs().stream().map(Value::name).toList();
      for (String n : names) {
        r.fetch(l.value(n, Layout.IR));
      }
      Map<String, Tensor> out = new LinkedHashMap<>();
      try (Result res = r.run()) {
        for (int i = 0; i < names.size(); i++) {
          out.put(names.get(i), TfTensors.toIr(res.get(i)));
        }
      }
      return out;
    } finally {
      owned.forEach(org.tensorflow.Tensor::close);
    }
  }

  static void assertClose(String what, float[] want, float[] got, double tol) {
    assertEquals(want.length, got.length, what);
    double max = 0;
    for (int i = 0; i < want.length; i++) {
      max = Math.max(max, Math.abs(want[i] - got[i]) / (1 + Math.abs(want[i])));
    }
    assertTrue(max < tol, what + ": max relative difference " + max);
  }
}

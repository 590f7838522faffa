package dev.hwc.backends.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.quant.QdqOrtConvForms;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link QdqOrtConvForms} on ONNX Runtime: hand-written QDQ graphs (as the quantizer writes them)
 * before and after the rewrite, run on the real runtime. The padded stem computes the same integer
 * sums (the same outputs), and so does the depthwise conv padded to 16 channels; the squeeze-excite
 * scale folded into the next conv's weights leaves no channel-broadcast QLinearMul and agrees with
 * the unfolded graph to the weights' rounding.
 */
class QdqOrtConvFormsTest {
  @TempDir Path dir;

  private static final float X_SCALE = 0.02f;
  private static final float Y_SCALE = 0.05f;
  /**
   * Weights in [-64, 64] (7 bits, ONNX Runtime's reduce_range): the AVX2 U8S8 kernels of a CPU without VNNI
   * (VPMADDUBSW, no VNNI) saturate a 16-bit pair sum of 8-bit weights times large inputs, on the
   * generic and on the symmetric path alike but not in the same places; 7-bit weights cannot saturate,
   * so the comparison is of the rewrite's arithmetic alone.
   */
  private static final int WEIGHT_SPAN = 129;

  @Test
  void rgbStemGetsAFourthZeroChannelAndRunsTheSameSums() throws Exception {
    GraphBuilder b = new GraphBuilder("stem", 3);
    String x = b.input("image", 1, 3, 32, 32);
    String xd = dq(b, q(b, x, X_SCALE, 128), X_SCALE, 128);
    Random r = new Random(5);
    long oc = 16;
    String w = weights(b, r, oc, 3, 3);
    String bias = bias(b, r, oc, X_SCALE);
    String y = b.node("Conv", Attributes.of("kernel_shape", new long[] {3, 3}, "pads", new long[] {1, 1, 1, 1},
        "strides", new long[] {2, 2}), xd, w, bias);
    b.output(b.nodeNamed("out", "DequantizeLinear", Attributes.EMPTY, q(b, y, Y_SCALE, 128), b.constant("ys", Tensor.scalar(Y_SCALE)),
        b.constant("yz", u8(128))));
    Graph before = b.build();

    QdqOrtConvForms.Rewrite res = QdqOrtConvForms.padInputChannels(before);
    assertEquals(1, res.nodes().size(), "the 3-channel conv is padded");
    assertEquals(List.of(), QdqOrtConvForms.foldChannelScales(before).nodes());
    assertEquals(List.of(), GraphValidator.validate(res.graph()));
    assertTrue(res.graph().nodes().stream().anyMatch(n -> n.op().equals("Pad")));

    Map<String, Integer> ops = run(before, res.graph(), 0, 1e-6);
    assertEquals(1, (int) ops.getOrDefault("QLinearConv", 0), "still one integer conv: " + ops);
    assertEquals(0, (int) ops.getOrDefault("Conv", 0), "no float conv: " + ops);
  }

  @Test
  void squeezeExciteScaleGoesIntoTheProjectionWeights() throws Exception {
    Graph before = squeezeExcite(48, 1f / 255);

    QdqOrtConvForms.Rewrite res = QdqOrtConvForms.foldChannelScales(before);
    assertEquals(1, res.nodes().size(), "the gate Mul is folded");
    assertEquals(List.of(), GraphValidator.validate(res.graph()));
    assertTrue(res.graph().nodes().stream().noneMatch(n -> n.outputs().contains("gated")), "x * g is gone");

    Map<String, Integer> beforeOps = QdqOnOrtTest.ortOps(emit(before, "se-before.onnx"), dir.resolve("se-before-ort.onnx"));
    assertEquals(1, (int) beforeOps.getOrDefault("QLinearMul", 0), "before: the broadcast multiply is integer: " + beforeOps);
    // the folded scale moves rounding from x * g (at the activation scale) to W * g (at W's scales)
    Map<String, Integer> ops = run(before, res.graph(), 0.05, Double.NaN);
    assertEquals(0, (int) ops.getOrDefault("QLinearMul", 0), "no broadcast QLinearMul left: " + ops);
    assertEquals(1, (int) ops.getOrDefault("QLinearConv", 0), "the projection is still one QLinearConv: " + ops);
    assertEquals(1, (int) ops.getOrDefault("Mul", 0), "one float Mul, on the 8 x 16 weights: " + ops);
  }

  @Test
  void aSmallMapOrAGateThatMayExceedOneIsLeftAlone() {
    // 32 x 32 pixels: the fold's fixed cost exceeds the broadcast multiply's (measured)
    assertEquals(List.of(), QdqOrtConvForms.foldChannelScales(squeezeExcite(32, 1f / 255)).nodes());
    // scale 2/255: the gate's integers reach 2, so W * g could leave W's int8 range
    assertEquals(List.of(), QdqOrtConvForms.foldChannelScales(squeezeExcite(48, 2f / 255)).nodes());
  }

  @Test
  void depthwiseConvOf24ChannelsIsPaddedTo32AndRunsTheSameSums() throws Exception {
    Graph before = depthwise(24, 32);

    QdqOrtConvForms.Rewrite res = QdqOrtConvForms.padDepthwiseChannels(before);
    assertEquals(1, res.nodes().size(), "the 24-channel depthwise conv is padded");
    assertEquals(List.of(), GraphValidator.validate(res.graph()));
    assertEquals(32L, res.graph().nodes().stream().filter(n -> n.op().equals("Conv")).findFirst().orElseThrow()
        .attrs().getInt("group", 1));

    Map<String, Integer> beforeOps = QdqOnOrtTest.ortOps(emit(before, "dw-before.onnx"), dir.resolve("dw-before-ort.onnx"));
    assertEquals(1, (int) beforeOps.getOrDefault("QLinearConv", 0), "before: one integer conv: " + beforeOps);
    // the original channels see the same integers and the same weights: the same outputs
    Map<String, Integer> ops = run(before, res.graph(), 0, 1e-6);
    assertEquals(1, (int) ops.getOrDefault("QLinearConv", 0), "still one integer conv: " + ops);
    assertEquals(0, (int) ops.getOrDefault("Conv", 0), "no float conv: " + ops);
    assertEquals(1, (int) ops.getOrDefault("Concat", 0), "the input's channels padded: " + ops);
    assertEquals(1, (int) ops.getOrDefault("Slice", 0), "the output's channels cut back: " + ops);
  }

  @Test
  void depthwiseConvOnAlignedChannelsOrASmallMapIsLeftAlone() {
    assertEquals(List.of(), QdqOrtConvForms.padDepthwiseChannels(depthwise(32, 32)).nodes(), "32 channels: aligned");
    assertEquals(List.of(), QdqOrtConvForms.padDepthwiseChannels(depthwise(24, 16)).nodes(), "16 x 16: below the threshold");
  }

  @Test
  void theProfileDecidesWhetherDepthwiseChannelsArePadded() {
    int x86 = dev.hwc.compiler.quant.QuantScheme.of(dev.hwc.profiles.ProfileLoader.builtin("x86-int8"))
        .depthwiseChannelAlignment();
    int any = dev.hwc.compiler.quant.QuantScheme.of(dev.hwc.profiles.ProfileLoader.builtin("cpu-fallback"))
        .depthwiseChannelAlignment();
    assertEquals(16, x86, "x86-int8: ONNX Runtime's x86 depthwise kernel wants multiples of 16");
    assertEquals(0, any, "cpu-fallback may be an ARM CPU: no pad");
    assertEquals(32L, depthwiseGroups(QdqOrtConvForms.rewrite(depthwise(24, 32), x86)), "x86-int8: padded to 32");
    assertEquals(24L, depthwiseGroups(QdqOrtConvForms.rewrite(depthwise(24, 32), any)), "cpu-fallback: left at 24");
  }

  private static long depthwiseGroups(Graph g) {
    return g.nodes().stream().filter(n -> n.op().equals("Conv")).findFirst().orElseThrow().attrs().getInt("group", 1);
  }

  /** A QDQ 3 x 3 depthwise conv (stride 1, same padding) on channels x size x size, as the quantizer writes it. */
  private static Graph depthwise(long channels, int size) {
    GraphBuilder b = new GraphBuilder("dw", 3);
    String x = b.input("x", 1, channels, size, size);
    String xd = dq(b, q(b, x, X_SCALE, 128), X_SCALE, 128);
    Random r = new Random(9);
    String y = b.nodeNamed("dw", "Conv", Attributes.of("kernel_shape", new long[] {3, 3}, "pads", new long[] {1, 1, 1, 1},
        "group", channels), xd, weights(b, r, channels, 1, 3), bias(b, r, channels, X_SCALE));
    b.output(b.nodeNamed("out", "DequantizeLinear", Attributes.EMPTY, q(b, y, Y_SCALE, 128), b.constant("ys", Tensor.scalar(Y_SCALE)),
        b.constant("yz", u8(128))));
    return b.build();
  }

  /** x (size x size, 16 channels) * gate (its per-channel mean, quantized at gateScale) -> 1 x 1 conv to 8 channels. */
  private static Graph squeezeExcite(int size, float gateScale) {
    GraphBuilder b = new GraphBuilder("se", 3);
    String x = b.input("x", 1, 16, size, size);
    String xq = q(b, x, X_SCALE, 0);
    String xd = dq(b, xq, X_SCALE, 0);
    // the gate: a per-channel mean, quantized from 0 (the Q's saturation is the clamp)
    String pooled = b.node("GlobalAveragePool", Attributes.EMPTY, dq(b, xq, X_SCALE, 0));
    String gate = dq(b, q(b, pooled, gateScale, 0), gateScale, 0);
    String scaled = b.nodeNamed("gated", "Mul", Attributes.EMPTY, xd, gate);
    String sd = dq(b, q(b, scaled, X_SCALE, 0), X_SCALE, 0);
    Random r = new Random(7);
    String y = b.node("Conv", Attributes.of("kernel_shape", new long[] {1, 1}), sd, weights(b, r, 8, 16, 1), bias(b, r, 8, X_SCALE));
    b.output(b.nodeNamed("out", "DequantizeLinear", Attributes.EMPTY, q(b, y, Y_SCALE, 128), b.constant("ys", Tensor.scalar(Y_SCALE)),
        b.constant("yz", u8(128))));
    return b.build();
  }

  /**
   * Runs both graphs on ONNX Runtime on seeded inputs; the rewritten one's outputs must lie within
   * {@code maxAbs} of the original's, or (when NaN) within relative L2 {@code maxRelL2}. Returns the
   * op histogram of what ONNX Runtime runs for the rewritten graph.
   */
  private Map<String, Integer> run(Graph before, Graph after, double maxRelL2, double maxAbs) throws Exception {
    Path bp = emit(before, "before.onnx");
    Path ap = emit(after, "after.onnx");
    SampleSet s = SampleSet.random(before, 4, 11);
    for (int i = 0; i < s.size(); i++) {
      Map<String, Tensor> in = s.get(i);
      if (before.inputs().get(0).name().equals("x")) {
        // non-negative activations (a ReLU's output), so the gate's mean is inside (0, 1)
        float[] v = in.get("x").toFloats();
        for (int k = 0; k < v.length; k++) {
          v[k] = Math.abs(v[k]);
        }
        in = Map.of("x", Tensor.ofFloats(in.get("x").shape(), v));
      }
      float[] want = OrtSession.runOnce(bp, in).get("out").toFloats();
      float[] got = OrtSession.runOnce(ap, in).get("out").toFloats();
      double maxDiff = 0;
      double num = 0;
      double den = 0;
      for (int k = 0; k < want.length; k++) {
        maxDiff = Math.max(maxDiff, Math.abs(want[k] - got[k]));
        num += (want[k] - got[k]) * (double) (want[k] - got[k]);
        den += want[k] * (double) want[k];
      }
      double rel = Math.sqrt(num / den);
      System.out.printf("sample %d: max abs %.4g, rel L2 %.4g%n", i, maxDiff, rel);
      if (Double.isNaN(maxAbs)) {
        assertTrue(rel <= maxRelL2, "sample " + i + ": rel L2 " + rel);
      } else {
        assertTrue(maxDiff <= maxAbs, "sample " + i + ": max abs " + maxDiff);
      }
    }
    return QdqOnOrtTest.ortOps(ap, dir.resolve("after-ort.onnx"));
  }

  private Path emit(Graph g, String name) throws Exception {
    Path p = dir.resolve(name);
    new OnnxEmitter().emit(g, p);
    return p;
  }

  private static String q(GraphBuilder b, String x, float scale, int zp) {
    return b.node("QuantizeLinear", Attributes.EMPTY, x, b.constant("s", Tensor.scalar(scale)), b.constant("z", u8(zp)));
  }

  private static String dq(GraphBuilder b, String x, float scale, int zp) {
    return b.node("DequantizeLinear", Attributes.EMPTY, x, b.constant("s", Tensor.scalar(scale)), b.constant("z", u8(zp)));
  }

  private static Tensor u8(int v) {
    return Tensor.fromDoubles(DType.UINT8, new long[0], new double[] {v});
  }

  /** Symmetric int8 weights [oc, ic, k, k] with per-channel scales, behind a DequantizeLinear (axis 0). */
  private static String weights(GraphBuilder b, Random r, long oc, long ic, int k) {
    double[] w = new double[(int) (oc * ic * k * k)];
    for (int i = 0; i < w.length; i++) {
      w[i] = r.nextInt(WEIGHT_SPAN) - WEIGHT_SPAN / 2;
    }
    float[] s = new float[(int) oc];
    for (int i = 0; i < s.length; i++) {
      s[i] = 0.002f + 0.001f * i;
    }
    return b.node("DequantizeLinear", Attributes.of("axis", 0L),
        b.constant("w", Tensor.fromDoubles(DType.INT8, new long[] {oc, ic, k, k}, w)),
        b.constant("ws", Tensor.ofFloats(new long[] {oc}, s)),
        b.constant("wz", Tensor.fromDoubles(DType.INT8, new long[] {oc}, new double[(int) oc])));
  }

  /** An int32 bias at input scale x weight scale (the weights' scales of {@link #weights}). */
  private static String bias(GraphBuilder b, Random r, long oc, float xScale) {
    double[] v = new double[(int) oc];
    float[] s = new float[(int) oc];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextInt(2001) - 1000;
      s[i] = xScale * (0.002f + 0.001f * i);
    }
    return b.node("DequantizeLinear", Attributes.of("axis", 0L),
        b.constant("b", Tensor.fromDoubles(DType.INT32, new long[] {oc}, v)),
        b.constant("bs", Tensor.ofFloats(new long[] {oc}, s)),
        b.constant("bz", Tensor.fromDoubles(DType.INT32, new long[] {oc}, new double[(int) oc])));
  }
}

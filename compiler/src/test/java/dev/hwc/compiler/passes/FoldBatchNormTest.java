package dev.hwc.compiler.passes;

import static dev.hwc.compiler.passes.PassTesting.apply;
import static dev.hwc.compiler.passes.PassTesting.assertWithin;
import static dev.hwc.compiler.passes.PassTesting.count;
import static dev.hwc.compiler.passes.PassTesting.maxAbsDiff;
import static dev.hwc.compiler.passes.PassTesting.maxOutputDiff;
import static dev.hwc.compiler.passes.PassTesting.only;
import static dev.hwc.compiler.passes.PassTesting.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class FoldBatchNormTest {
  private static final FoldBatchNorm PASS = new FoldBatchNorm();

  /** BN statistics as doubles: s[c] = gamma / sqrt(var + eps), shift[c] = beta - mean * s. */
  private record Stats(double[] s, double[] beta, double[] mean) {
    static Stats of(Graph g, Node bn) {
      double eps = bn.attrs().getFloat("epsilon", 1e-5f);
      double[] gamma = g.initializer(bn.input(1)).toDoubles();
      double[] var = g.initializer(bn.input(4)).toDoubles();
      double[] s = new double[gamma.length];
      for (int c = 0; c < s.length; c++) {
        s[c] = gamma[c] / Math.sqrt(var[c] + eps);
      }
      return new Stats(s, g.initializer(bn.input(2)).toDoubles(), g.initializer(bn.input(3)).toDoubles());
    }

    double bias(int c, double b) {
      return (b - mean[c]) * s[c] + beta[c];
    }
  }

  private static Tensor expectedBias(Stats st, double[] b) {
    double[] out = new double[st.s.length];
    for (int c = 0; c < out.length; c++) {
      out[c] = st.bias(c, b == null ? 0 : b[c]);
    }
    return Tensor.fromDoubles(dev.hwc.compiler.ir.DType.FLOAT, new long[] {out.length}, out);
  }

  @Test
  void convWithBiasFoldsToExactWeightsAndSameOutputs() {
    GraphBuilder b = new GraphBuilder("conv_bn", 1);
    String x = b.input("x", 1, 3, 8, 8);
    b.output(b.relu(b.batchNorm(b.conv(x, 4, 3, 1))));
    Graph g = b.build();
    Node conv = only(g, "Conv");
    Node bn = only(g, "BatchNormalization");
    Stats st = Stats.of(g, bn);

    Graph f = apply(PASS, g);

    assertEquals(List.of("Conv", "Relu"), ops(f));
    Node folded = only(f, "Conv");
    assertEquals(bn.output(0), folded.output(0), "conv now writes the BN's output");
    assertEquals(conv.attrs(), folded.attrs());
    double[] w = g.initializer(conv.input(1)).toDoubles();
    double[] want = new double[w.length];
    int perChannel = w.length / 4;
    for (int i = 0; i < w.length; i++) {
      want[i] = w[i] * st.s[i / perChannel];
    }
    Tensor wantW = Tensor.fromDoubles(dev.hwc.compiler.ir.DType.FLOAT, new long[] {4, 3, 3, 3}, want);
    assertWithin(1e-5, maxAbsDiff(wantW, f.initializer(folded.input(1))), "weights");
    assertWithin(1e-5, maxAbsDiff(expectedBias(st, g.initializer(conv.input(2)).toDoubles()),
        f.initializer(folded.input(2))), "bias");
    assertWithin(1e-5, maxOutputDiff(g, f, 7), "conv+bn vs folded conv");
    // the original weights are left for dead-node elimination, untouched
    assertEquals(g.initializer(conv.input(1)), f.initializer(conv.input(1)));
  }

  @Test
  void convWithoutBiasGetsANewBias() {
    GraphBuilder b = new GraphBuilder("conv_nobias_bn", 2);
    String x = b.input("x", 1, 2, 5, 5);
    String w = b.constant("w", b.randomNormal(0.5, 3, 2, 3, 3));
    String y = b.node("Conv", Attributes.of("pads", new long[] {1, 1, 1, 1}), x, w);
    b.output(b.batchNorm(y));
    Graph g = b.build();
    Stats st = Stats.of(g, only(g, "BatchNormalization"));

    Graph f = apply(PASS, g);

    Node conv = only(f, "Conv");
    assertEquals(3, conv.inputs().size());
    Tensor bias = f.initializer(conv.input(2));
    assertWithin(1e-6, maxAbsDiff(expectedBias(st, null), bias), "new bias");
    assertFalse(g.isInitializer(conv.input(2)) || g.type(conv.input(2)) != null, "bias name is new");
    assertWithin(1e-5, maxOutputDiff(g, f, 3), "outputs");
  }

  @Test
  void depthwiseConvFolds() {
    GraphBuilder b = new GraphBuilder("dw_bn", 3);
    String x = b.input("x", 1, 6, 7, 7);
    b.output(b.batchNorm(b.depthwiseConv(x, 3, 2)));
    Graph g = b.build();
    Graph f = apply(PASS, g);
    assertEquals(List.of("Conv"), ops(f));
    assertWithin(1e-5, maxOutputDiff(g, f, 5), "outputs");
  }

  /** Expected ConvTranspose weights, written as the definition reads: W[g*Cin/G + i, j] feeds output g*Cout/G + j. */
  private static double[] expectedConvTransposeWeights(double[] w, long[] shape, int group, Stats st) {
    int cinG = (int) shape[0] / group;
    int coutG = (int) shape[1];
    int k = (int) (shape[2] * shape[3]);
    double[] out = new double[w.length];
    for (int gi = 0; gi < group; gi++) {
      for (int i = 0; i < cinG; i++) {
        for (int j = 0; j < coutG; j++) {
          for (int p = 0; p < k; p++) {
            int at = (((gi * cinG + i) * coutG) + j) * k + p;
            out[at] = w[at] * st.s[gi * coutG + j];
          }
        }
      }
    }
    return out;
  }

  private static void checkConvTranspose(int group) {
    GraphBuilder b = new GraphBuilder("convt_bn_g" + group, 10 + group);
    String x = b.input("x", 1, 4, 3, 3);
    // w [Cin=4, Cout/group=3, 3, 3]: 3*group output channels
    String w = b.constant("wt", b.randomNormal(0.3, 4, 3, 3, 3));
    String bias = b.constant("bt", b.randomNormal(0.1, 3L * group));
    String y = b.node("ConvTranspose", Attributes.of("group", (long) group, "strides", new long[] {2, 2},
        "pads", new long[] {1, 1, 1, 1}, "output_padding", new long[] {1, 1}), x, w, bias);
    b.output(b.batchNorm(y));
    Graph g = b.build();
    Stats st = Stats.of(g, only(g, "BatchNormalization"));

    Graph f = apply(PASS, g);

    Node ct = only(f, "ConvTranspose");
    Tensor w0 = g.initializer(w);
    Tensor want = Tensor.fromDoubles(w0.dtype(), w0.shape(),
        expectedConvTransposeWeights(w0.toDoubles(), w0.shape(), group, st));
    assertWithin(1e-5, maxAbsDiff(want, f.initializer(ct.input(1))), "weights, group " + group);
    assertWithin(1e-5, maxAbsDiff(expectedBias(st, g.initializer(bias).toDoubles()), f.initializer(ct.input(2))), "bias");
    assertWithin(1e-5, maxOutputDiff(g, f, 11), "outputs, group " + group);
  }

  @Test
  void convTransposeScalesAxisOne() {
    checkConvTranspose(1);
  }

  @Test
  void groupedConvTransposeScalesEachGroupsOutputChannels() {
    checkConvTranspose(2);
  }

  private static Graph gemmBn(boolean transB, boolean withBias, float alpha, float beta) {
    GraphBuilder b = new GraphBuilder("gemm_bn", 20);
    String x = b.input("x", 3, 5);
    String w = b.constant("w", transB ? b.randomNormal(0.5, 4, 5) : b.randomNormal(0.5, 5, 4));
    String[] in = withBias ? new String[] {x, w, b.constant("c", b.randomNormal(0.2, 4))} : new String[] {x, w};
    String y = b.node("Gemm", Attributes.of("transB", transB ? 1L : 0L, "alpha", alpha, "beta", beta), in);
    b.output(b.batchNorm(y));
    return b.build();
  }

  @Test
  void gemmFoldsWithAndWithoutTransB() {
    for (boolean transB : new boolean[] {false, true}) {
      Graph g = gemmBn(transB, true, 1f, 1f);
      Node gemm = only(g, "Gemm");
      Stats st = Stats.of(g, only(g, "BatchNormalization"));

      Graph f = apply(PASS, g);

      Node folded = only(f, "Gemm");
      assertEquals(List.of("Gemm"), ops(f));
      double[] w = g.initializer(gemm.input(1)).toDoubles();
      double[] want = new double[w.length];
      for (int i = 0; i < w.length; i++) {
        int n = transB ? i / 5 : i % 4; // [N=4, K=5] rows, or [K=5, N=4] columns
        want[i] = w[i] * st.s[n];
      }
      Tensor wantW = Tensor.fromDoubles(dev.hwc.compiler.ir.DType.FLOAT, g.initializer(gemm.input(1)).shape(), want);
      assertWithin(1e-5, maxAbsDiff(wantW, f.initializer(folded.input(1))), "transB " + transB);
      assertWithin(1e-5, maxAbsDiff(expectedBias(st, g.initializer(gemm.input(2)).toDoubles()),
          f.initializer(folded.input(2))), "bias");
      assertWithin(1e-5, maxOutputDiff(g, f, 13), "transB " + transB);
    }
  }

  @Test
  void gemmBetaIsAbsorbedAndMissingBiasCreated() {
    Graph scaled = gemmBn(true, true, 0.5f, 2f);
    Graph f = apply(PASS, scaled);
    Node gemm = only(f, "Gemm");
    assertFalse(gemm.attrs().has("beta"), "beta folded into the bias");
    assertEquals(0.5f, gemm.attrs().getFloat("alpha", 1f));
    assertWithin(1e-5, maxOutputDiff(scaled, f, 17), "outputs, alpha 0.5 beta 2");

    Graph noBias = gemmBn(false, false, 1f, 1f);
    Graph f2 = apply(PASS, noBias);
    assertEquals(3, only(f2, "Gemm").inputs().size());
    assertWithin(1e-5, maxOutputDiff(noBias, f2, 19), "outputs, no bias");
  }

  @Test
  void doesNotFoldWhenConvOutputHasAnotherReader() {
    GraphBuilder b = new GraphBuilder("shared", 4);
    String x = b.input("x", 1, 2, 4, 4);
    String y = b.conv(x, 2, 1, 1);
    b.output(b.batchNorm(y));
    b.output(b.relu(y));
    Graph g = b.build();
    assertSame(g, apply(PASS, g));
  }

  @Test
  void doesNotFoldWhenConvOutputIsAGraphOutput() {
    GraphBuilder b = new GraphBuilder("conv_out", 4);
    String x = b.input("x", 1, 2, 4, 4);
    String y = b.conv(x, 2, 1, 1);
    b.output(b.batchNorm(y));
    b.output(y);
    Graph g = b.build();
    assertSame(g, apply(PASS, g));
  }

  @Test
  void doesNotFoldNonConstantWeightsOrStatistics() {
    GraphBuilder b = new GraphBuilder("dyn_w", 5);
    String x = b.input("x", 1, 2, 4, 4);
    String w = b.input("w", 2, 2, 1, 1);
    b.output(b.batchNorm(b.node("Conv", Attributes.EMPTY, x, w)));
    Graph g = b.build();
    assertSame(g, apply(PASS, g));

    GraphBuilder b2 = new GraphBuilder("dyn_stats", 5);
    String x2 = b2.input("x", 1, 2, 4, 4);
    String mean = b2.input("mean", 2);
    String y = b2.conv(x2, 2, 1, 1);
    String gamma = b2.constant("g", Tensor.ofFloats(new long[] {2}, 1, 1));
    String beta = b2.constant("b", Tensor.ofFloats(new long[] {2}, 0, 0));
    String var = b2.constant("v", Tensor.ofFloats(new long[] {2}, 1, 1));
    b2.output(b2.node("BatchNormalization", Attributes.EMPTY, y, gamma, beta, mean, var));
    Graph g2 = b2.build();
    assertSame(g2, apply(PASS, g2));
  }

  @Test
  void doesNotFoldAfterOtherOps() {
    GraphBuilder b = new GraphBuilder("relu_bn", 6);
    String x = b.input("x", 1, 2, 4, 4);
    b.output(b.batchNorm(b.relu(b.conv(x, 2, 1, 1))));
    Graph g = b.build();
    assertSame(g, apply(PASS, g));
  }

  @Test
  void sharedWeightsAreNotChangedForTheOtherReader() {
    GraphBuilder b = new GraphBuilder("tied", 8);
    String x = b.input("x", 1, 2, 4, 4);
    String w = b.constant("w", b.randomNormal(0.5, 2, 2, 1, 1));
    String y1 = b.node("Conv", Attributes.EMPTY, x, w);
    String y2 = b.node("Conv", Attributes.EMPTY, x, w);
    b.output(b.batchNorm(y1));
    b.output(y2);
    Graph g = b.build();

    Graph f = apply(PASS, g);

    assertEquals(2, count(f, "Conv"));
    Node plain = f.producer(y2);
    assertEquals(w, plain.input(1));
    assertEquals(g.initializer(w), f.initializer(w));
    assertNotEquals(w, f.nodes().stream().filter(n -> n != plain).findFirst().orElseThrow().input(1));
    assertWithin(1e-5, maxOutputDiff(g, f, 23), "outputs");
  }
}

package dev.hwc.backends.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.compiler.passes.CanonicalizeClip;
import dev.hwc.compiler.passes.CollapseReshapes;
import dev.hwc.compiler.passes.DecomposeBatchNorm;
import dev.hwc.compiler.passes.DivToMul;
import dev.hwc.compiler.passes.FoldConvAffine;
import dev.hwc.compiler.passes.FuseHardActivations;
import dev.hwc.compiler.passes.FusePadIntoConv;
import dev.hwc.compiler.passes.LowerHardActivations;
import dev.hwc.compiler.passes.Pass;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.ReduceMeanToGlobalPool;
import dev.hwc.compiler.passes.RemoveNoOps;
import dev.hwc.compiler.passes.RemovePassThrough;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each exporter-idiom canonicalization pass, alone, on a small graph written the way converters
 * export it: the rewritten graph must have the expected ops and compute what the unrewritten one
 * computes on ONNX Runtime (both emitted to ONNX and run on the same random inputs).
 */
class CanonicalizeOnOrtTest {
  @TempDir Path dir;

  private static List<String> ops(Graph g) {
    return g.nodes().stream().map(Node::op).toList();
  }

  /** Runs the pass (validated), checks the op list, compares on ORT; returns the max abs diff. */
  private double check(Pass pass, Graph g, List<String> wantOps) throws Exception {
    Graph out = ShapeInference.run(PassContext.forTests().run(pass, g));
    assertEquals(List.of(), GraphValidator.validate(out), "graph after " + pass.info().name());
    assertEquals(wantOps, ops(out), pass.info().name() + " on " + ops(g));
    Path a = dir.resolve(g.name() + "-before.onnx");
    Path b = dir.resolve(g.name() + "-after.onnx");
    new OnnxEmitter().emit(g, a);
    new OnnxEmitter().emit(out, b);
    Random r = new Random(11);
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (Value in : g.inputs()) {
      long[] shape = in.shape().sizes();
      float[] v = new float[(int) in.shape().numElements()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (r.nextGaussian() * 4);
      }
      feed.put(in.name(), Tensor.ofFloats(shape, v));
    }
    double d = OnnxRoundTripTest.compare(a, b, feed);
    System.out.printf("%s: %s -> %s, max abs diff on ORT %.3g%n", pass.info().name(), ops(g), ops(out), d);
    return d;
  }

  private static String scalar(GraphBuilder b, String hint, float v) {
    return b.constant(hint, Tensor.scalar(v));
  }

  @Test
  void divisionByAConstantBecomesAMultiplication() throws Exception {
    GraphBuilder b = new GraphBuilder("div", 1);
    String x = b.input("x", 1, 4, 5, 5);
    String perChannel = b.constant("std", Tensor.ofFloats(new long[] {4, 1, 1}, 0.5f, 2f, 3f, 6f));
    b.output(b.node("Div", Attributes.EMPTY, b.node("Div", Attributes.EMPTY, x, scalar(b, "six", 6f)), perChannel));
    assertTrue(check(new DivToMul(), b.build(), List.of("Mul", "Mul")) <= 1e-6);
    // a divisor with a zero is left alone
    GraphBuilder z = new GraphBuilder("div_zero", 1);
    String y = z.input("y", 1, 2);
    z.output(z.node("Div", Attributes.EMPTY, y, z.constant("d", Tensor.ofFloats(new long[] {2}, 1f, 0f))));
    Graph g = z.build();
    assertSame(g, PassContext.forTests().run(new DivToMul(), g));
  }

  @Test
  void minMaxAndReluAroundClipBecomeOneClip() throws Exception {
    GraphBuilder b = new GraphBuilder("relu6", 1);
    String x = b.input("x", 1, 3, 4, 4);
    String tf = b.node("Min", Attributes.EMPTY, b.node("Max", Attributes.EMPTY, x, scalar(b, "zero", 0f)), scalar(b, "six", 6f));
    String keras = b.node("Max", Attributes.EMPTY, b.node("Min", Attributes.EMPTY, x, scalar(b, "six", 6f)), scalar(b, "zero", 0f));
    String clipOfRelu = b.node("Clip", Attributes.EMPTY, b.relu(x), scalar(b, "m1", -1f), scalar(b, "six", 6f));
    b.output(tf).output(keras).output(clipOfRelu);
    assertEquals(0.0, check(new CanonicalizeClip(), b.build(), List.of("Clip", "Clip", "Clip")));
  }

  /** MobileNetV3's hard swish and hard sigmoid as PyTorch-era exporters write them. */
  @Test
  void spelledOutHardSigmoidAndHardSwishAreFused() throws Exception {
    GraphBuilder b = new GraphBuilder("hard", 1);
    String x = b.input("x", 1, 4, 6, 6);
    String sixth = scalar(b, "sixth", 1f / 6);
    // x * relu6(x + 3) * (1/6)
    String r6 = b.node("Clip", Attributes.EMPTY, b.add(x, scalar(b, "three", 3f)), scalar(b, "z", 0f), scalar(b, "s", 6f));
    String swish = b.mul(b.mul(x, r6), sixth);
    // relu6(y + 3) * (1/6), then y * that
    String y = b.relu(x);
    String r6y = b.node("Clip", Attributes.EMPTY, b.add(y, scalar(b, "three", 3f)), scalar(b, "z", 0f), scalar(b, "s", 6f));
    String hsig = b.mul(r6y, sixth);
    String swish2 = b.mul(y, hsig);
    // a lone hard sigmoid (squeeze-excite gate)
    String r6g = b.node("Clip", Attributes.EMPTY, b.add(x, scalar(b, "three", 3f)), scalar(b, "z", 0f), scalar(b, "s", 6f));
    String gate = b.mul(r6g, sixth);
    b.output(swish).output(swish2).output(gate);
    Graph g = b.build();
    FuseHardActivations pass = new FuseHardActivations();
    Graph once = PassContext.forTests().run(pass, g);
    assertEquals(List.of("HardSwish", "Relu", "HardSwish", "HardSigmoid"), ops(ShapeInference.run(once)));
    assertTrue(check(pass, g, List.of("HardSwish", "Relu", "HardSwish", "HardSigmoid")) <= 1e-5);
  }

  @Test
  void hardActivationsAreSpelledOutForATargetWithoutThem() throws Exception {
    GraphBuilder b = new GraphBuilder("hard_lowered", 1);
    String x = b.input("x", 1, 4, 6, 6);
    b.output(b.node("HardSwish", Attributes.EMPTY, x));
    b.output(b.node("HardSigmoid", Attributes.EMPTY, x)); // ONNX default alpha 0.2, beta 0.5
    b.output(b.node("HardSigmoid", Attributes.of("alpha", 1f / 6, "beta", 0.5f), x));
    Pass edgeTpu = LowerHardActivations.forTarget(op -> List.of("Add", "Mul", "Clip").contains(op));
    assertTrue(check(edgeTpu, b.build(), List.of("Add", "Clip", "Mul", "Mul", "Mul", "Add", "Clip", "Mul",
        "Add", "Clip", "Mul")) <= 1e-5);
    Graph g = b.build();
    assertSame(g, PassContext.forTests().run(LowerHardActivations.forTarget(op -> true), g), "a target with both keeps them");
  }

  @Test
  void standaloneBatchNormBecomesMulAddAndFoldsIntoTheConvBefore() throws Exception {
    GraphBuilder b = new GraphBuilder("bn", 1);
    String x = b.input("x", 1, 3, 8, 8);
    String res = b.add(x, b.conv(x, 3, 3, 1));
    b.output(b.batchNorm(res));
    Graph g = b.build();
    assertTrue(check(new DecomposeBatchNorm(), g, List.of("Conv", "Add", "Mul", "Add")) <= 1e-5);

    GraphBuilder c = new GraphBuilder("conv_affine", 2);
    String in = c.input("x", 1, 3, 8, 8);
    String conv = c.conv(in, 4, 3, 1);
    String scaled = c.mul(conv, c.constant("s", c.randomUniform(0.5, 2, 4, 1, 1)));
    String shifted = c.add(scaled, c.constant("t", c.randomNormal(1, 1, 4, 1, 1)));
    c.output(c.node("Div", Attributes.EMPTY, c.relu(shifted), scalar(c, "six", 6f)));
    Graph h = c.build();
    // Mul and Add fold into the Conv; the Div after the Relu does not
    assertTrue(check(new FoldConvAffine(), h, List.of("Conv", "Relu", "Div")) <= 1e-5);
  }

  @Test
  void spatialReduceMeanIsAGlobalAveragePool() throws Exception {
    GraphBuilder b = new GraphBuilder("mean", 1, 18); // axes as an input from opset 18
    String x = b.input("x", 2, 5, 4, 3);
    b.output(b.node("ReduceMean", Attributes.EMPTY, x, b.constant("axes", Tensor.vector(2, 3))));
    b.output(b.node("ReduceMean", Attributes.of("keepdims", 0L), x, b.constant("axes", Tensor.vector(-1, -2))));
    b.output(b.node("ReduceMean", Attributes.EMPTY, x, b.constant("axes", Tensor.vector(1, 2)))); // not spatial
    GraphBuilder a = new GraphBuilder("mean_attr", 1, 13); // axes as an attribute below 18
    String y = a.input("y", 1, 8, 3, 3);
    a.output(a.node("ReduceMean", Attributes.of("axes", new long[] {2, 3}), y));
    assertTrue(check(new ReduceMeanToGlobalPool(), a.build(), List.of("GlobalAveragePool")) <= 1e-6);
    assertTrue(check(new ReduceMeanToGlobalPool(), b.build(),
        List.of("GlobalAveragePool", "GlobalAveragePool", "Reshape", "ReduceMean")) <= 1e-6);
  }

  @Test
  void oneInputSumMeanAndNoOpCastsAreRemoved() throws Exception {
    GraphBuilder b = new GraphBuilder("noops", 1);
    String x = b.input("x", 1, 3, 4);
    String s = b.node("Sum", Attributes.EMPTY, x);
    String m = b.node("Mean", Attributes.EMPTY, b.relu(s));
    String c = b.node("Cast", Attributes.of("to", (long) DType.FLOAT.onnxCode), m);
    String r = b.reshape(b.sigmoid(c), 1, 3, 4);
    String two = b.node("Mean", Attributes.EMPTY, r, x); // a real mean stays
    b.output(two);
    Graph g = b.build();
    Graph ids = PassContext.forTests().run(new RemoveNoOps(), g);
    assertEquals(List.of("Identity", "Relu", "Identity", "Identity", "Sigmoid", "Identity", "Mean"), ops(ids));
    Path p = dir.resolve("noops-ids.onnx");
    new OnnxEmitter().emit(ids, p);
    assertTrue(check(new RemovePassThrough(), ShapeInference.run(ids), List.of("Relu", "Sigmoid", "Mean")) <= 0);
  }

  @Test
  void aZeroPadBeforeAConvBecomesItsPadding() throws Exception {
    GraphBuilder b = new GraphBuilder("pad_conv", 1);
    String x = b.input("x", 1, 3, 9, 9);
    // TensorFlow "same" with stride 2: pad 0 before, 1 after, then a VALID conv
    String padded = b.node("Pad", Attributes.EMPTY, x, b.constant("pads", Tensor.vector(0, 0, 0, 0, 0, 0, 1, 1)));
    String w = b.constant("w", b.randomNormal(0.3, 4, 3, 3, 3));
    b.output(b.node("Conv", Attributes.of("kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2}), padded, w));
    // a Pad of the channels stays
    String chans = b.node("Pad", Attributes.EMPTY, x, b.constant("pads", Tensor.vector(0, 1, 0, 0, 0, 0, 0, 0)));
    b.output(b.node("Conv", Attributes.of("kernel_shape", new long[] {1, 1}), chans, b.constant("w1", b.randomNormal(0.3, 2, 4, 1, 1))));
    assertTrue(check(new FusePadIntoConv(), b.build(), List.of("Conv", "Pad", "Conv")) <= 1e-5);
  }

  @Test
  void squeezeUnsqueezeReshapeChainsCollapse() throws Exception {
    GraphBuilder b = new GraphBuilder("reshapes", 1);
    String x = b.input("x", 1, 8, 1, 1);
    String sq = b.node("Squeeze", Attributes.EMPTY, x, b.constant("axes", Tensor.vector(2, 3)));
    String un = b.node("Unsqueeze", Attributes.EMPTY, sq, b.constant("axes", Tensor.vector(1)));
    String r = b.reshape(un, 1, 2, 4);
    b.output(b.node("Flatten", Attributes.of("axis", 1L), b.relu(r)));
    assertEquals(0.0, check(new CollapseReshapes(), b.build(), List.of("Reshape", "Relu", "Flatten")));
  }
}

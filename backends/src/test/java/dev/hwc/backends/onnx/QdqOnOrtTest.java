package dev.hwc.backends.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import dev.hwc.backends.calib.Calibrator;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.passes.FoldHardSigmoidIntoConv;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.passes.UpgradeOpset;
import dev.hwc.compiler.quant.QdqOrtConvForms;
import dev.hwc.compiler.quant.QuantScheme;
import dev.hwc.compiler.quant.StaticQuantizer;
import dev.hwc.compiler.quant.calib.Calibration;
import dev.hwc.compiler.quant.calib.TensorRange;
import dev.hwc.compiler.zoo.MobileNetV3Like;
import dev.hwc.profiles.ProfileLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The x86-int8 QDQ graph of a MobileNetV3-style network as exported (hard swish in three spellings,
 * HardSigmoid squeeze-excite gates): what ONNX Runtime makes of it after its own QDQ fusions (the
 * session's optimized-model dump) must be integer end to end, and its output must agree with the
 * float model; with the squeeze-excite scales folded into the projection weights
 * ({@link QdqOrtConvForms#foldChannelScales}) only the weight products stay float.
 */
class QdqOnOrtTest {
  @TempDir Path dir;

  /** The op histogram of the graph ONNX Runtime runs (ALL_OPT, as hwc's sessions). */
  static Map<String, Integer> ortOps(Path model, Path dump) throws Exception {
    try (ai.onnxruntime.OrtSession.SessionOptions o = new ai.onnxruntime.OrtSession.SessionOptions()) {
      o.setOptimizationLevel(ai.onnxruntime.OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
      o.setOptimizedModelFilePath(dump.toString());
      ai.onnxruntime.OrtEnvironment.getEnvironment().createSession(model.toString(), o).close();
    }
    Map<String, Integer> ops = new TreeMap<>();
    for (OnnxMl.NodeProto n : OnnxMl.ModelProto.parseFrom(Files.readAllBytes(dump)).getGraph().getNodeList()) {
      ops.merge(n.getOpType(), 1, Integer::sum);
    }
    return ops;
  }

  @Test
  void mobileNetV3AsExportedRunsIntegerEndToEndOnOrt() throws Exception {
    // 64 x 64: squeeze-excite maps of 32 x 32 and less, too small to fold (QdqOrtConvForms); the stem is padded
    Map<String, Integer> ops = integerOnOrt(MobileNetV3Like.build(3), "64", 0);
    assertTrue(ops.getOrDefault("QLinearMul", 0) >= 8, "hard swishes as QLinearMul: " + ops);
  }

  @Test
  void at224TheLargeSqueezeExciteScalesGoIntoTheirProjectionWeights() throws Exception {
    // 224 x 224: the gates on 112 x 112 and 56 x 56 are folded, the one on 28 x 28 is not
    integerOnOrt(MobileNetV3Like.build(3, 224), "224", 2);
  }

  /**
   * Quantizes {@code source} for x86-int8 and checks what ONNX Runtime runs: every conv integer, no
   * float activation op; float only the {@code folded} squeeze-excite weight products (one Mul each,
   * its two DQs and the weights' Q); the stem's channel Pad; cosine to fp32 within the gate.
   */
  private Map<String, Integer> integerOnOrt(Graph source, String tag, int folded) throws Exception {
    Graph g = UpgradeOpset.to(Pipeline.standard().run(source), UpgradeOpset.QDQ_PER_AXIS_OPSET);
    QuantScheme s = QuantScheme.of(ProfileLoader.builtin("x86-int8"));
    Graph f = new FoldHardSigmoidIntoConv().run(g, PassContext.forTests());
    assertTrue(f.nodes().stream().noneMatch(n -> n.op().equals("HardSigmoid")),
        "every HardSigmoid here gates a conv's output: folded into it");
    StaticQuantizer.Plan plan = StaticQuantizer.plan(f, s, Set.of());
    SampleSet calib = SampleSet.random(f, 16, 5);
    Map<String, TensorRange> r = Calibrator.calibrate(f, plan.toCalibrate(), calib, Calibration.PERCENTILE);
    Map<String, double[]> lohi = new LinkedHashMap<>();
    r.forEach((k, v) -> lohi.put(k, new double[] {v.lo(), v.hi()}));
    Graph q = StaticQuantizer.apply(f, plan, lohi, s);
    assertEquals(List.of(), GraphValidator.validate(q));
    Path fp = dir.resolve("fp32-" + tag + ".onnx");
    Path qp = dir.resolve("int8-" + tag + ".onnx");
    new OnnxEmitter().emit(g, fp);
    new OnnxEmitter().emit(q, qp);

    Path dump = dir.resolve("int8-" + tag + "-ort.onnx");
    Map<String, Integer> ops = ortOps(qp, dump);
    System.out.println("mobilenet-v3-like " + tag + " x86-int8, as ONNX Runtime runs it: " + ops);
    long convs = g.nodes().stream().filter(n -> n.op().equals("Conv")).count();
    assertEquals((int) convs, (int) ops.getOrDefault("QLinearConv", 0), "every conv integer: " + ops);
    for (String floatOp : List.of("Conv", "FusedConv", "HardSwish", "HardSigmoid", "Add", "GlobalAveragePool", "Clip")) {
      assertEquals(0, (int) ops.getOrDefault(floatOp, 0), floatOp + " left in float: " + ops);
    }
    assertEquals(folded, (int) ops.getOrDefault("Mul", 0), "float Mul only on squeeze-excite weights: " + ops);
    assertEquals(folded, weightMuls(dump), "each float Mul writes a QLinearConv's weights");
    assertEquals(2 * folded, (int) ops.getOrDefault("DequantizeLinear", 0), "DQ of each gate and of its weights: " + ops);
    assertEquals(1 + folded, (int) ops.getOrDefault("QuantizeLinear", 0), "the image's Q and one per scaled weight: " + ops);
    assertEquals(1, (int) ops.getOrDefault("Pad", 0), "the RGB stem's channels padded to 4, in uint8: " + ops);
    // the gate's cosine: 0.9995-0.9999 on a machine with AVX-512 VNNI, 0.987-0.989 at 64 x 64 on one with AVX2 only
    // (U8S8 through VPMADDUBSW, whose 16-bit pair sums saturate; the same without QdqOrtConvForms)
    assertAgrees(fp, qp, g, 0.98);
    return ops;
  }

  /** Each output of the QDQ model {@code qp} has cosine >= minCosine to the float model's, per sample. */
  private static void assertAgrees(Path fp, Path qp, Graph g, double minCosine) throws Exception {
    SampleSet eval = SampleSet.random(g, 4, 77);
    for (int i = 0; i < eval.size(); i++) {
      Map<String, Tensor> want = OrtSession.runOnce(fp, eval.get(i));
      Map<String, Tensor> got = OrtSession.runOnce(qp, eval.get(i));
      for (String out : want.keySet()) {
        double c = cosine(want.get(out).toFloats(), got.get(out).toFloats());
        System.out.printf("%s sample %d %s: cosine %.5f%n", qp.getFileName(), i, out, c);
        assertTrue(c >= minCosine, qp.getFileName() + " sample " + i + " " + out + " cosine " + c);
      }
    }
  }

  /** Float Muls of ONNX Runtime's graph whose output, through a QuantizeLinear, is a QLinearConv's weight input. */
  static int weightMuls(Path ortGraph) throws Exception {
    OnnxMl.GraphProto g = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(ortGraph)).getGraph();
    int n = 0;
    for (OnnxMl.NodeProto mul : g.getNodeList()) {
      if (!mul.getOpType().equals("Mul") || !mul.getDomain().isEmpty()) {
        continue;
      }
      for (OnnxMl.NodeProto q : g.getNodeList()) {
        if (q.getOpType().equals("QuantizeLinear") && q.getInput(0).equals(mul.getOutput(0)) && g.getNodeList().stream()
            .anyMatch(c -> c.getOpType().equals("QLinearConv") && c.getInput(3).equals(q.getOutput(0)))) {
          n++;
        }
      }
    }
    return n;
  }

  static double cosine(float[] a, float[] b) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += (double) a[i] * b[i];
      aa += (double) a[i] * a[i];
      bb += (double) b[i] * b[i];
    }
    return ab / Math.sqrt(aa * bb);
  }
}

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
 * float model.
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
    Graph g = UpgradeOpset.to(Pipeline.standard().run(MobileNetV3Like.build(3)), UpgradeOpset.QDQ_PER_AXIS_OPSET);
    QuantScheme s = QuantScheme.of(ProfileLoader.builtin("x86-int8"));
    Graph folded = new FoldHardSigmoidIntoConv().run(g, PassContext.forTests());
    assertTrue(folded.nodes().stream().noneMatch(n -> n.op().equals("HardSigmoid")),
        "every HardSigmoid here gates a conv's output: folded into it");
    StaticQuantizer.Plan plan = StaticQuantizer.plan(folded, s, Set.of());
    SampleSet calib = SampleSet.random(folded, 16, 5);
    Map<String, TensorRange> r = Calibrator.calibrate(folded, plan.toCalibrate(), calib, Calibration.PERCENTILE);
    Map<String, double[]> lohi = new LinkedHashMap<>();
    r.forEach((k, v) -> lohi.put(k, new double[] {v.lo(), v.hi()}));
    Graph q = StaticQuantizer.apply(folded, plan, lohi, s);
    assertEquals(List.of(), GraphValidator.validate(q));
    Path fp = dir.resolve("fp32.onnx");
    Path qp = dir.resolve("int8.onnx");
    new OnnxEmitter().emit(g, fp);
    new OnnxEmitter().emit(q, qp);

    Map<String, Integer> ops = ortOps(qp, dir.resolve("int8-ort.onnx"));
    System.out.println("mobilenet-v3-like x86-int8, as ONNX Runtime runs it: " + ops);
    long convs = g.nodes().stream().filter(n -> n.op().equals("Conv")).count();
    assertEquals((int) convs, (int) ops.getOrDefault("QLinearConv", 0), "every conv integer: " + ops);
    for (String floatOp : List.of("Conv", "FusedConv", "HardSwish", "HardSigmoid", "Mul", "Add", "DequantizeLinear",
        "GlobalAveragePool", "Clip")) {
      assertEquals(0, (int) ops.getOrDefault(floatOp, 0), floatOp + " left in float: " + ops);
    }
    assertEquals(1, (int) ops.getOrDefault("QuantizeLinear", 0), "one Q, at the image input: " + ops);
    assertTrue(ops.getOrDefault("QLinearMul", 0) >= 8, "hard swishes as QLinearMul: " + ops);

    SampleSet eval = SampleSet.random(g, 6, 77);
    for (int i = 0; i < eval.size(); i++) {
      Map<String, Tensor> want = OrtSession.runOnce(fp, eval.get(i));
      Map<String, Tensor> got = OrtSession.runOnce(qp, eval.get(i));
      for (String out : want.keySet()) {
        double c = cosine(want.get(out).toFloats(), got.get(out).toFloats());
        System.out.printf("sample %d %s: cosine %.5f%n", i, out, c);
        assertTrue(c >= 0.99, "sample " + i + " " + out + " cosine " + c);
      }
    }
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

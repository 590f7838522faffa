package dev.hwc.backends.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.onnx.OrtSession;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.zoo.WellLogNet;
import dev.hwc.profiles.ProfileLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.BuiltinOperator;

/**
 * The attention bottleneck's reshapes between NHWC feature maps and [N, H*W, C] tokens (Reshape to
 * [N, C, H*W], Transpose to tokens, and back) lower without TRANSPOSE: the tokens stay channels
 * last (NLC), and the keys' own Transpose before Q x K^T becomes BATCH_MATMUL's adj_y. Numbers: the
 * TFLite outputs match ONNX Runtime on the same graph (fp32), and the QDQ graph (int8).
 */
class TokenLayoutTest {
  @TempDir Path dir;

  /** A small well-log net: 64 x 16 strips, two stride-2 stages, two attention layers over its 16 x 4 positions. */
  static Graph smallWellLog() {
    return WellLogNet.build(new WellLogNet.Config(64, 16, new int[] {4, 8, 8}, 2, 8), 5);
  }

  @Test
  void floatAttentionReshapesMoveNoData() throws Exception {
    Graph g = Int8Graphs.optimized(smallWellLog());
    TfliteLowering.Result r = TfliteLowering.lower(g, TfliteLowering.Options.FLOAT);
    TflModel m = r.model();
    assertEquals(0, r.internalTransposes(), "no layout TRANSPOSE");
    assertEquals(0, m.count(BuiltinOperator.TRANSPOSE), "K^T is read adjoint by BATCH_MATMUL");
    // into tokens and back (the pair between the two layers collapses in the optimizer)
    assertEquals(2, m.count(BuiltinOperator.RESHAPE));
    Path onnx = dir.resolve("welllog.onnx");
    new OnnxEmitter().emit(g, onnx);
    Path a = dir.resolve("welllog.tflite");
    Files.write(a, TflWriter.write(m));
    double worst = 0;
    try (OrtSession ort = OrtSession.open(onnx, SessionOptions.DEFAULT);
        RuntimeSession t = new TfliteRuntime().open(a, SessionOptions.SOURCE_IO)) {
      SampleSet eval = SampleSet.random(g.inputs(), 3, 9);
      for (int i = 0; i < eval.size(); i++) {
        Map<String, Tensor> want = ort.run(eval.get(i));
        Map<String, Tensor> got = t.run(eval.get(i));
        for (String out : want.keySet()) {
          worst = Math.max(worst, TfliteLoweringTest.maxAbs(want.get(out), got.get(out)));
        }
      }
    }
    System.out.printf("small welllog fp32: %d ops, %d TRANSPOSE, max abs vs ORT %.3g%n", m.ops.size(),
        m.count(BuiltinOperator.TRANSPOSE), worst);
    assertTrue(worst <= 1e-4, "fp32 differs by " + worst);
  }

  @Test
  void int8AttentionReshapesMoveNoDataAndTrackTheFloatModel() throws Exception {
    Graph g = Int8Graphs.optimized(smallWellLog());
    Graph qdq = Int8Graphs.staticQdq(g, ProfileLoader.builtin("edgetpu"), SampleSet.random(g.inputs(), 16, 1));
    TfliteLowering.Result r = TfliteLowering.lower(qdq, TfliteLowering.Options.FULL_INTEGER);
    TflModel m = r.model();
    assertEquals(0, r.internalTransposes());
    assertEquals(0, m.count(BuiltinOperator.TRANSPOSE), "K^T is read adjoint by BATCH_MATMUL");
    Path onnx = dir.resolve("fp32.onnx");
    new OnnxEmitter().emit(g, onnx);
    Path q = dir.resolve("qdq.onnx");
    new OnnxEmitter().emit(qdq, q);
    Path a = dir.resolve("int8.tflite");
    Files.write(a, TflWriter.write(m));
    double cosFloat = 1;
    double cosQdq = 1;
    try (OrtSession ort = OrtSession.open(onnx, SessionOptions.DEFAULT);
        OrtSession ortQ = OrtSession.open(q, SessionOptions.DEFAULT);
        RuntimeSession t = new TfliteRuntime().open(a, SessionOptions.SOURCE_IO)) {
      SampleSet eval = SampleSet.random(g.inputs(), 4, 77);
      for (int i = 0; i < eval.size(); i++) {
        Map<String, Tensor> got = t.run(eval.get(i));
        Map<String, Tensor> want = ort.run(eval.get(i));
        Map<String, Tensor> wantQ = ortQ.run(eval.get(i));
        for (String out : want.keySet()) {
          cosFloat = Math.min(cosFloat, TfliteLoweringTest.cosine(want.get(out), got.get(out)));
          cosQdq = Math.min(cosQdq, TfliteLoweringTest.cosine(wantQ.get(out), got.get(out)));
        }
      }
    }
    System.out.printf("small welllog int8: %d ops, cosine vs float %.5f, vs the QDQ graph on ORT %.5f%n", m.ops.size(),
        cosFloat, cosQdq);
    assertTrue(cosQdq >= 0.995, "int8 TFLite vs QDQ on ORT: cosine " + cosQdq);
    assertTrue(cosFloat >= 0.98, "int8 TFLite vs float: cosine " + cosFloat);
  }
}

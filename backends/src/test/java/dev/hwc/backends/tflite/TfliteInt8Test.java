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
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.profiles.ProfileLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.TensorType;

/**
 * Full-integer int8 TFLite for the Edge TPU profile: calibrated on ONNX Runtime, lowered from the QDQ
 * graph, run in the TFLite interpreter, compared output by output with the float model on ONNX
 * Runtime. Every activation tensor is int8 (IO included), no float op and no Transpose remain.
 */
class TfliteInt8Test {
  @TempDir Path dir;

  static Stream<SmallModels.Entry> models() {
    return SmallModels.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void fullIntegerTfliteTracksTheFloatModel(SmallModels.Entry entry) throws Exception {
    Graph g = Int8Graphs.optimized(entry.factory().apply(11));
    SampleSet calib = SampleSet.random(g.inputs(), 32, 1);
    Graph qdq = Int8Graphs.staticQdq(g, ProfileLoader.builtin("edgetpu"), calib);
    TfliteLowering.Result r = TfliteLowering.lower(qdq, TfliteLowering.Options.FULL_INTEGER);
    TflModel m = r.model();
    assertEquals(0, m.count(BuiltinOperator.TRANSPOSE), "no TRANSPOSE");
    assertEquals(0, m.count(BuiltinOperator.DEQUANTIZE), "no float island");
    for (TflModel.Tensor t : m.tensors) {
      assertTrue(t.isConstant() ? t.type == TensorType.INT8 || t.type == TensorType.INT32 : t.type == TensorType.INT8,
          t.name + " is " + TflModel.typeName(t.type));
    }
    Path onnx = dir.resolve("fp32.onnx");
    new OnnxEmitter().emit(g, onnx);
    Path a = dir.resolve(entry.name() + "_int8.tflite");
    Files.write(a, TflWriter.write(m));

    SampleSet eval = SampleSet.random(g.inputs(), 8, 99);
    double worst = 1;
    try (OrtSession ort = OrtSession.open(onnx, SessionOptions.DEFAULT);
        RuntimeSession t = new TfliteRuntime().open(a, SessionOptions.SOURCE_IO)) {
      Map<String, double[]> sums = new java.util.HashMap<>();
      for (int i = 0; i < eval.size(); i++) {
        Map<String, Tensor> want = ort.run(eval.get(i));
        Map<String, Tensor> got = t.run(eval.get(i));
        for (String out : want.keySet()) {
          worst = Math.min(worst, TfliteLoweringTest.cosine(want.get(out), got.get(out)));
        }
      }
    }
    System.out.printf("%s int8: %d ops, %d bytes, worst output cosine %.5f%s%n", entry.name(), m.ops.size(),
        Files.size(a), worst, r.notes().isEmpty() ? "" : " notes " + r.notes());
    assertTrue(worst >= 0.99, entry.name() + " int8 cosine " + worst);
  }

  /** uint8 graph IO: the same real values at zero point + 128, a QUANTIZE to int8 at each edge. */
  @org.junit.jupiter.api.Test
  void uint8IoCarriesTheSameValues() throws Exception {
    Graph g = Int8Graphs.optimized(SmallModels.depthwiseSeparable(4));
    Graph qdq = Int8Graphs.staticQdq(g, ProfileLoader.builtin("edgetpu"), SampleSet.random(g.inputs(), 16, 1));
    TflModel i8 = TfliteLowering.lower(qdq, TfliteLowering.Options.FULL_INTEGER).model();
    TflModel u8 = TfliteLowering.lower(qdq, TfliteLowering.Options.FULL_INTEGER.withIo(TfliteLowering.IoType.UINT8)).model();
    TflModel.Tensor in8 = i8.tensor(i8.inputs.get(0));
    TflModel.Tensor inU = u8.tensor(u8.inputs.get(0));
    assertEquals(TensorType.UINT8, inU.type);
    assertEquals(in8.quant.zeroPoint()[0] + 128, inU.quant.zeroPoint()[0]);
    assertEquals(in8.quant.scale()[0], inU.quant.scale()[0]);
    assertEquals(TensorType.UINT8, u8.tensor(u8.outputs.get(0)).type);
    assertEquals(i8.ops.size() + 2, u8.ops.size(), "one QUANTIZE at the input and one at the output");
    Path a = dir.resolve("i8.tflite");
    Path b = dir.resolve("u8.tflite");
    Files.write(a, TflWriter.write(i8));
    Files.write(b, TflWriter.write(u8));
    try (RuntimeSession x = new TfliteRuntime().open(a, SessionOptions.SOURCE_IO);
        RuntimeSession y = new TfliteRuntime().open(b, SessionOptions.SOURCE_IO)) {
      Map<String, Tensor> feed = SampleSet.random(g.inputs(), 1, 7).get(0);
      Map<String, Tensor> p = x.run(feed);
      Map<String, Tensor> q = y.run(feed);
      for (String out : p.keySet()) {
        assertTrue(TfliteLoweringTest.maxAbs(p.get(out), q.get(out)) < 1e-6, out);
      }
    }
  }

  /**
   * A concat of a small-range branch with a large-range one (x100) under one int8 scale: the lowering
   * flags it, naming the node and how many levels the small input keeps.
   */
  @org.junit.jupiter.api.Test
  void concatOfVeryDifferentRangesIsFlagged() throws Exception {
    dev.hwc.compiler.GraphBuilder b = new dev.hwc.compiler.GraphBuilder("concat_ranges", 2);
    String x = b.input("image", 1, 3, 16, 16);
    String small = b.conv(x, 4, 3, 1);
    String large = b.mul(b.conv(x, 4, 3, 1), b.constant("hundred", Tensor.scalar(100f)));
    b.output(b.conv(b.concat(1, small, large), 4, 1, 1));
    Graph g = Int8Graphs.optimized(b.build());
    Graph qdq = Int8Graphs.staticQdq(g, ProfileLoader.builtin("edgetpu"), SampleSet.random(g.inputs(), 16, 1));
    TfliteLowering.Result r = TfliteLowering.lower(qdq, TfliteLowering.Options.FULL_INTEGER);
    System.out.println("concat note: " + r.notes());
    assertEquals(1, r.notes().size(), r.notes().toString());
    assertTrue(r.notes().get(0).startsWith("Concat '") && r.notes().get(0).contains("differ"), r.notes().get(0));
  }
}

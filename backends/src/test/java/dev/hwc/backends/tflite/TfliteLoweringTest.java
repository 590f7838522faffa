package dev.hwc.backends.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.onnx.OrtSession;
import dev.hwc.compiler.data.RandomInputs;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.zoo.SmallModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.lite.schema.BuiltinOperator;

/**
 * The small CNNs lowered to fp32 and fp16 TFLite (NHWC, no Transpose anywhere) and run in the TFLite
 * interpreter with XNNPACK, against the same optimized graph on ONNX Runtime, output by output.
 */
class TfliteLoweringTest {
  @TempDir Path dir;

  static Stream<SmallModels.Entry> models() {
    return SmallModels.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void fp32AndFp16TfliteMatchOnnxRuntime(SmallModels.Entry entry) throws Exception {
    Graph g = Pipeline.standard().run(entry.factory().apply(11), PassContext.forTests());
    Path onnx = dir.resolve(entry.name() + ".onnx");
    new OnnxEmitter().emit(g, onnx);
    TfliteLowering.Result fp32 = TfliteLowering.lower(g, TfliteLowering.Options.FLOAT);
    assertEquals(0, fp32.model().count(BuiltinOperator.TRANSPOSE), "no TRANSPOSE in " + entry.name());
    Path a = dir.resolve(entry.name() + ".tflite");
    Files.write(a, TflWriter.write(fp32.model()));
    assertEquals(java.util.Arrays.hashCode(Files.readAllBytes(a)),
        java.util.Arrays.hashCode(TflWriter.write(TfliteLowering.lower(g, TfliteLowering.Options.FLOAT).model())),
        "deterministic");
    Path h = dir.resolve(entry.name() + "_fp16.tflite");
    TflModel half = TfliteLowering.lower(g, new TfliteLowering.Options(true, TfliteLowering.IoType.FLOAT, false, true)).model();
    Files.write(h, TflWriter.write(half));
    assertTrue(half.constantBytes() < 0.52 * fp32.model().constantBytes(),
        "fp16 weights halve the constants: " + half.constantBytes() + " vs " + fp32.model().constantBytes());

    double worst32 = 0;
    double worstCos16 = 1;
    TfliteRuntime tflite = new TfliteRuntime();
    try (OrtSession ort = OrtSession.open(onnx, SessionOptions.DEFAULT);
        RuntimeSession t32 = tflite.open(a, SessionOptions.SOURCE_IO);
        RuntimeSession t16 = tflite.open(h, SessionOptions.SOURCE_IO)) {
      for (int seed = 0; seed < 3; seed++) {
        Map<String, Tensor> feed = RandomInputs.random(g.inputs(), seed);
        Map<String, Tensor> want = ort.run(feed);
        Map<String, Tensor> got32 = t32.run(feed);
        Map<String, Tensor> got16 = t16.run(feed);
        for (String out : want.keySet()) {
          worst32 = Math.max(worst32, maxAbs(want.get(out), got32.get(out)));
          worstCos16 = Math.min(worstCos16, cosine(want.get(out), got16.get(out)));
        }
      }
    }
    System.out.printf("%s: %d TFLite ops, fp32 max abs %.3g, fp16 min cosine %.6f, %d -> %d bytes%n", entry.name(),
        fp32.model().ops.size(), worst32, worstCos16, Files.size(a), Files.size(h));
    assertTrue(worst32 <= 1e-4, entry.name() + " fp32 differs by " + worst32);
    assertTrue(worstCos16 >= 0.999, entry.name() + " fp16 cosine " + worstCos16);
  }

  /**
   * An exporter-style model (NHWC input, Transpose to NCHW, convs, Transpose back, and a cancelling
   * pair in the middle) lowers with no TRANSPOSE; with NCHW IO asked for, a CNN gets exactly one
   * TRANSPOSE at each rank-4 input and output.
   */
  @org.junit.jupiter.api.Test
  void transposesCancelAgainstTheLayoutAndNchwIoPutsThemOnlyAtTheBoundary() throws Exception {
    dev.hwc.compiler.GraphBuilder b = new dev.hwc.compiler.GraphBuilder("exported_nhwc", 3);
    String x = b.input("image", 1, 24, 24, 3);
    x = b.transpose(x, 0, 3, 1, 2);
    x = b.relu(b.conv(x, 8, 3, 1));
    x = b.transpose(b.transpose(x, 0, 2, 3, 1), 0, 3, 1, 2);
    x = b.relu(b.conv(x, 8, 3, 1));
    b.output(b.transpose(x, 0, 2, 3, 1));
    Graph g = Pipeline.standard().run(b.build(), PassContext.forTests());
    TflModel m = TfliteLowering.lower(g, TfliteLowering.Options.FLOAT).model();
    assertEquals(0, m.count(BuiltinOperator.TRANSPOSE), "every Transpose cancels");
    Path onnx = dir.resolve("exported.onnx");
    new OnnxEmitter().emit(g, onnx);
    Path a = dir.resolve("exported.tflite");
    Files.write(a, TflWriter.write(m));
    Graph unet = Pipeline.standard().run(SmallModels.unetLike(2), PassContext.forTests());
    TflModel nchw = TfliteLowering.lower(unet, new TfliteLowering.Options(false, TfliteLowering.IoType.FLOAT, true, true)).model();
    // the unet's input has one channel, so NCHW and NHWC hold it in the same order: a RESHAPE suffices
    assertEquals(1, nchw.count(BuiltinOperator.TRANSPOSE), "one at the output");
    assertTrue(nchw.ops.stream().filter(o -> o.builtin() == BuiltinOperator.TRANSPOSE).allMatch(o -> o.role().equals("io")));
    assertTrue(nchw.ops.stream().anyMatch(o -> o.builtin() == BuiltinOperator.RESHAPE && o.role().equals("io")));
    TflModel rgb = TfliteLowering.lower(Pipeline.standard().run(SmallModels.plainConvStack(2), PassContext.forTests()),
        new TfliteLowering.Options(false, TfliteLowering.IoType.FLOAT, true, true)).model();
    assertEquals(1, rgb.count(BuiltinOperator.TRANSPOSE), "three channels in: one TRANSPOSE at the input, none inside");
    assertTrue(rgb.ops.stream().filter(o -> o.builtin() == BuiltinOperator.TRANSPOSE).allMatch(o -> o.role().equals("io")));
    Path u = dir.resolve("unet_nchw.tflite");
    Files.write(u, TflWriter.write(nchw));
    Path uo = dir.resolve("unet.onnx");
    new OnnxEmitter().emit(unet, uo);
    TfliteRuntime tflite = new TfliteRuntime();
    for (Path[] pair : new Path[][] {{onnx, a}, {uo, u}}) {
      try (OrtSession ort = OrtSession.open(pair[0], SessionOptions.DEFAULT);
          RuntimeSession t = tflite.open(pair[1], SessionOptions.SOURCE_IO)) {
        Graph src = pair[0] == onnx ? g : unet;
        Map<String, Tensor> feed = RandomInputs.random(src.inputs(), 1);
        Map<String, Tensor> want = ort.run(feed);
        Map<String, Tensor> got = t.run(feed);
        for (String out : want.keySet()) {
          assertTrue(maxAbs(want.get(out), got.get(out)) <= 1e-4, pair[1] + " " + out);
        }
      }
    }
  }

  /** The flatbuffer follows the schema's conventions: identifier TFL3, version 3, buffer 0 empty, both opcode fields. */
  @org.junit.jupiter.api.Test
  void flatbufferFollowsTheSchemaConventions() {
    Graph g = Pipeline.standard().run(SmallModels.plainConvStack(1), PassContext.forTests());
    byte[] bytes = TflWriter.write(TfliteLowering.lower(g, TfliteLowering.Options.FLOAT).model());
    assertEquals("TFL3", new String(bytes, 4, 4, java.nio.charset.StandardCharsets.US_ASCII));
    org.tensorflow.lite.schema.Model m = org.tensorflow.lite.schema.Model.getRootAsModel(java.nio.ByteBuffer.wrap(bytes));
    assertEquals(3, m.version());
    assertEquals(0, m.buffers(0).dataLength(), "buffer 0 is empty");
    for (int i = 0; i < m.operatorCodesLength(); i++) {
      org.tensorflow.lite.schema.OperatorCode c = m.operatorCodes(i);
      assertEquals(Math.min(c.builtinCode(), 127), c.deprecatedBuiltinCode());
    }
    org.tensorflow.lite.schema.SubGraph sg = m.subgraphs(0);
    for (int i = 0; i < sg.tensorsLength(); i++) {
      org.tensorflow.lite.schema.Tensor t = sg.tensors(i);
      boolean activation = t.buffer() == 0;
      assertEquals(activation, m.buffers((int) t.buffer()).dataLength() == 0, t.name());
    }
  }

  /** Bilinear Resize (half_pixel) lowers to RESIZE_BILINEAR with half_pixel_centers and matches ONNX Runtime. */
  @org.junit.jupiter.api.Test
  void bilinearResizeMatchesOnnxRuntime() throws Exception {
    dev.hwc.compiler.GraphBuilder b = new dev.hwc.compiler.GraphBuilder("bilinear", 4);
    String x = b.input("image", 1, 3, 12, 10);
    x = b.relu(b.conv(x, 6, 3, 1));
    x = b.resize(x, 2, "linear");
    b.output(b.conv(x, 2, 3, 1));
    Graph g = Pipeline.standard().run(b.build(), PassContext.forTests());
    TflModel m = TfliteLowering.lower(g, TfliteLowering.Options.FLOAT).model();
    TflModel.Op resize = m.ops.stream().filter(o -> o.builtin() == BuiltinOperator.RESIZE_BILINEAR).findFirst().orElseThrow();
    assertEquals(3, resize.version(), "half_pixel_centers needs v3");
    Path onnx = dir.resolve("bilinear.onnx");
    new OnnxEmitter().emit(g, onnx);
    Path a = dir.resolve("bilinear.tflite");
    Files.write(a, TflWriter.write(m));
    try (OrtSession ort = OrtSession.open(onnx, SessionOptions.DEFAULT);
        RuntimeSession t = new TfliteRuntime().open(a, SessionOptions.SOURCE_IO)) {
      Map<String, Tensor> feed = RandomInputs.random(g.inputs(), 3);
      Map<String, Tensor> want = ort.run(feed);
      Map<String, Tensor> got = t.run(feed);
      for (String out : want.keySet()) {
        assertTrue(maxAbs(want.get(out), got.get(out)) <= 1e-4, out + " differs by " + maxAbs(want.get(out), got.get(out)));
      }
    }
  }

  static double maxAbs(Tensor a, Tensor b) {
    assertEquals(java.util.Arrays.toString(a.shape()), java.util.Arrays.toString(b.shape()));
    double[] x = a.toDoubles();
    double[] y = b.toDoubles();
    double m = 0;
    for (int i = 0; i < x.length; i++) {
      m = Math.max(m, Math.abs(x[i] - y[i]));
    }
    return m;
  }

  static double cosine(Tensor a, Tensor b) {
    double[] x = a.toDoubles();
    double[] y = b.toDoubles();
    double xy = 0;
    double xx = 0;
    double yy = 0;
    for (int i = 0; i < x.length; i++) {
      xy += x[i] * y[i];
      xx += x[i] * x[i];
      yy += y[i] * y[i];
    }
    return xx == 0 && yy == 0 ? 1 : xy / Math.sqrt(xx * yy);
  }
}

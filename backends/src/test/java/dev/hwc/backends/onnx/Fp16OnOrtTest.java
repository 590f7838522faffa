package dev.hwc.backends.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.onnx.OnnxFrontend;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.quant.ConvertToFp16;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.profiles.ProfileLoader;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * cuda-fp16's done-when on this machine: the six small CNNs and all-MiniLM-L6-v2, optimized, then
 * converted to fp16 with fp32 graph IO and the profile's keep-in-fp32 list, run on ONNX Runtime's
 * CPU provider next to the fp32 graph. Every output must reach cosine 0.999; the artifact is about
 * half the size; the kept ops read and write fp32 in the IR.
 */
class Fp16OnOrtTest {
  static final ConvertToFp16 CONVERT = ConvertToFp16.forProfile(ProfileLoader.builtin("cuda-fp16"), true);
  static final double MIN_COSINE = 0.999;

  @TempDir Path dir;

  static Stream<SmallModels.Entry> models() {
    return SmallModels.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void smallModelInFp16MatchesFp32OnOrt(SmallModels.Entry entry) throws Exception {
    Graph fp32 = Pipeline.standard().run(entry.factory().apply(11), PassContext.forTests());
    Graph fp16 = PassContext.forTests().run(CONVERT, fp32);
    assertKeptOpsAreFp32(fp16);
    Random r = new Random(3);
    List<Map<String, Tensor>> feeds = new java.util.ArrayList<>();
    for (int s = 0; s < 3; s++) {
      Map<String, Tensor> feed = new LinkedHashMap<>();
      for (Value v : fp32.inputs()) {
        float[] d = new float[(int) v.shape().numElements()];
        for (int i = 0; i < d.length; i++) {
          d[i] = (float) r.nextGaussian();
        }
        feed.put(v.name(), Tensor.ofFloats(v.shape().sizes(), d));
      }
      feeds.add(feed);
    }
    compare(entry.name(), fp32, fp16, feeds);
  }

  @Test
  void miniLmInFp16MatchesFp32OnOrt() throws Exception {
    Path original = dir.resolve("minilm.onnx");
    try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2.onnx")) {
      Files.copy(in, original);
    }
    Graph fp32 = Pipeline.standard().run(new OnnxFrontend().read(original), PassContext.defaults());
    long t0 = System.nanoTime();
    Graph fp16 = CONVERT.run(fp32, PassContext.defaults());
    System.out.printf("MiniLM convert-fp16: %d ms, %d -> %d nodes (%d Casts)%n",
        (System.nanoTime() - t0) / 1_000_000, fp32.nodes().size(), fp16.nodes().size(),
        fp16.nodes().stream().filter(n -> n.op().equals("Cast")).count());
    assertEquals(List.of(), GraphValidator.validate(fp16));
    assertKeptOpsAreFp32(fp16);
    List<Map<String, Tensor>> feeds = new java.util.ArrayList<>();
    for (long[] ids : UpgradeOpsetOnOrtTest.TOKENS) {
      long[] shape = {1, ids.length};
      long[] ones = new long[ids.length];
      java.util.Arrays.fill(ones, 1);
      Map<String, Tensor> feed = new LinkedHashMap<>();
      Map<String, Tensor> all = Map.of("input_ids", Tensor.ofLongs(shape, ids),
          "attention_mask", Tensor.ofLongs(shape, ones), "token_type_ids", Tensor.ofLongs(shape, new long[ids.length]));
      fp32.inputs().forEach(v -> feed.put(v.name(), all.get(v.name())));
      feeds.add(feed);
    }
    compare("all-MiniLM-L6-v2", fp32, fp16, feeds);
  }

  @Test
  void fp16GraphIoRunsOnOrtWithHalfTensors() throws Exception {
    Graph fp32 = Pipeline.standard().run(SmallModels.unetLike(11), PassContext.forTests());
    Graph fp16 = PassContext.forTests().run(
        new ConvertToFp16(false, CONVERT.keepFp32()), fp32);
    assertEquals(DType.FLOAT16, fp16.inputs().get(0).dtype());
    assertEquals(DType.FLOAT16, fp16.outputs().get(0).dtype());
    Path a = dir.resolve("unet-fp32.onnx");
    Path b = dir.resolve("unet-fp16-io.onnx");
    new OnnxEmitter().emit(fp32, a);
    new OnnxEmitter().emit(fp16, b);
    Value in = fp32.inputs().get(0);
    Random r = new Random(9);
    double[] d = new double[(int) in.shape().numElements()];
    for (int i = 0; i < d.length; i++) {
      d[i] = r.nextGaussian();
    }
    Tensor x32 = Tensor.fromDoubles(DType.FLOAT, in.shape().sizes(), d);
    Tensor x16 = Tensor.fromDoubles(DType.FLOAT16, in.shape().sizes(), d);
    Tensor want = OrtSession.runOnce(a, Map.of(in.name(), x32)).values().iterator().next();
    Tensor got = OrtSession.runOnce(b, Map.of(in.name(), x16)).values().iterator().next();
    assertEquals(DType.FLOAT16, got.dtype());
    double c = cosine(want, got);
    System.out.printf("unet-like with fp16 graph IO on ORT CPU: cosine %.8f%n", c);
    assertTrue(c >= MIN_COSINE, "cosine " + c);
  }

  /** Every float input and output of a kept op is fp32 (Resize's and Upsample's scales are fp32 anyway). */
  static void assertKeptOpsAreFp32(Graph g) {
    int kept = 0;
    for (Node n : g.nodes()) {
      if (!CONVERT.keepFp32().contains(n.op())) {
        continue;
      }
      kept++;
      for (String v : n.inputs()) {
        if (!v.isEmpty()) {
          assertTrue(g.type(v).dtype() != DType.FLOAT16, n.describe() + " reads fp16 " + v);
        }
      }
      for (String v : n.outputs()) {
        assertTrue(g.type(v).dtype() != DType.FLOAT16, n.describe() + " writes fp16 " + v);
      }
    }
    long fp16 = g.nodes().stream().filter(n -> n.outputs().stream()
        .anyMatch(o -> g.type(o).dtype() == DType.FLOAT16)).count();
    assertTrue(fp16 > 0, "some ops compute in fp16");
    System.out.printf("  %s: %d kept-op nodes in fp32, %d nodes writing fp16%n", g.name(), kept, fp16);
  }

  private void compare(String name, Graph fp32, Graph fp16, List<Map<String, Tensor>> feeds) throws Exception {
    Path a = dir.resolve(name + "-fp32.onnx");
    Path b = dir.resolve(name + "-fp16.onnx");
    new OnnxEmitter().emit(fp32, a);
    new OnnxEmitter().emit(fp16, b);
    double ratio = (double) Files.size(b) / Files.size(a);
    double worst = 1;
    double worstAbs = 0;
    try (OrtSession s32 = OrtSession.open(a, SessionOptions.DEFAULT);
        OrtSession s16 = OrtSession.open(b, SessionOptions.DEFAULT)) {
      assertEquals(s32.inputs(), s16.inputs(), "fp32 graph IO");
      assertEquals(s32.outputs(), s16.outputs(), "fp32 graph IO");
      for (Map<String, Tensor> feed : feeds) {
        Map<String, Tensor> want = s32.run(feed);
        Map<String, Tensor> got = s16.run(feed);
        for (String out : want.keySet()) {
          double c = cosine(want.get(out), got.get(out));
          assertTrue(c >= MIN_COSINE, name + " output " + out + ": cosine " + c);
          worst = Math.min(worst, c);
          worstAbs = Math.max(worstAbs, OnnxRoundTripTest.maxAbsDiff(want.get(out), got.get(out)));
        }
      }
    }
    System.out.printf("%s fp16 vs fp32 on ORT CPU: worst cosine %.8f, worst max abs diff %.3g over %d inputs;"
        + " %d -> %d bytes (%.3f)%n", name, worst, worstAbs, feeds.size(), Files.size(a), Files.size(b), ratio);
    assertTrue(ratio > 0.45 && ratio < 0.6, name + ": fp16 artifact is " + ratio + " of the fp32 one");
  }

  static double cosine(Tensor a, Tensor b) {
    double[] x = a.toDoubles();
    double[] y = b.toDoubles();
    assertEquals(x.length, y.length);
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

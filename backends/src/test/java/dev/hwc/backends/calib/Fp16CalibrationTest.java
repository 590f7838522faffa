package dev.hwc.backends.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.SessionOptions;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.onnx.OrtSession;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.quant.ConvertToFp16;
import dev.hwc.compiler.quant.Fp16Ranges;
import dev.hwc.profiles.ProfileLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unscaled attention block whose scores Q·Kᵀ reach about 1e6 (beyond fp16's 65504): converted
 * with the profile's op list alone (Softmax kept, the MatMul not), ONNX Runtime returns NaN; with
 * the values the fp32 run's ranges name, the scores MatMul runs in fp32 and the output matches.
 */
class Fp16CalibrationTest {
  @TempDir Path dir;

  private static Graph attention() {
    GraphBuilder b = new GraphBuilder("attention", 5);
    String x = b.input("x", 1, 8, 16);
    String q = b.node("MatMul", Attributes.EMPTY, x, b.constant("wq", b.randomNormal(40, 16, 16)));
    String k = b.node("MatMul", Attributes.EMPTY, x, b.constant("wk", b.randomNormal(40, 16, 16)));
    String v = b.node("MatMul", Attributes.EMPTY, x, b.constant("wv", b.randomNormal(0.25, 16, 16)));
    String kt = b.node("Transpose", Attributes.of("perm", new long[] {0, 2, 1}), k);
    String scores = b.nodeNamed("scores", "MatMul", Attributes.EMPTY, q, kt);
    String p = b.softmax(scores, -1);
    b.output(b.nodeNamed("y", "MatMul", Attributes.EMPTY, p, v));
    return b.build();
  }

  private float[] run(Graph g, Tensor x, String name) throws Exception {
    Path f = dir.resolve(name + ".onnx");
    new OnnxEmitter().emit(g, f);
    try (OrtSession s = OrtSession.open(f, SessionOptions.DEFAULT)) {
      return s.run(java.util.Map.of("x", x)).get("y").toFloats();
    }
  }

  @Test
  void theOverflowingScoresAreKeptInFp32ByTheirRange() throws Exception {
    Graph g = attention();
    SampleSet samples = SampleSet.random(g, 4, 1);
    List<Fp16Ranges.Kept> kept = Fp16Calibration.keepInFp32(g, samples);
    assertEquals(List.of("scores"), kept.stream().map(Fp16Ranges.Kept::value).toList(), kept.toString());
    assertTrue(kept.get(0).absMax() > Fp16Ranges.FP16_MAX, kept.toString());

    List<String> ops = ProfileLoader.builtin("cuda-fp16").keepHigherPrecision();
    Graph byOps = ConvertToFp16.convert(g, true, ops);
    Graph byRanges = ConvertToFp16.convert(g, true, ops, Fp16Ranges.names(kept));
    assertEquals(DType.FLOAT16, byOps.type("scores").dtype());
    assertEquals(DType.FLOAT, byRanges.type("scores").dtype());

    Tensor x = samples.get(0).get("x");
    float[] ref = run(g, x, "fp32");
    float[] bad = run(byOps, x, "ops");
    float[] good = run(byRanges, x, "ranges");
    boolean nan = false;
    for (float f : bad) {
      nan |= Float.isNaN(f) || Float.isInfinite(f);
    }
    assertTrue(nan, "fp16 scores overflow without the range analysis");
    double dot = 0;
    double a = 0;
    double c = 0;
    for (int i = 0; i < ref.length; i++) {
      dot += ref[i] * good[i];
      a += ref[i] * ref[i];
      c += good[i] * good[i];
    }
    assertTrue(dot / Math.sqrt(a * c) > 0.999, "cosine " + dot / Math.sqrt(a * c));
  }

  @Test
  void judgesOverflowHeadroomAndUnderflow() {
    assertEquals(null, Fp16Ranges.judge(1000));
    assertEquals(null, Fp16Ranges.judge(0));
    assertTrue(Fp16Ranges.judge(70000).contains("overflows"));
    assertTrue(Fp16Ranges.judge(20000).contains("within 4x"));
    assertTrue(Fp16Ranges.judge(1e-6).contains("smallest normal"));
    assertEquals(Set.of("a"), Fp16Ranges.names(List.of(new Fp16Ranges.Kept("a", "MatMul", 1e5, "x"))));
  }
}

package dev.hwc.hwtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurveFidelityTest {
  @TempDir Path dir;

  static final int W = 8;
  static final int H = 6;

  /** Scores [1, 3, H, W] with curve 1 at column x1 (-1: none) and curve 2 at x2, rows in {@code rows}. */
  static Tensor scores(int x1, int x2, boolean[] rows) {
    float[] v = new float[3 * H * W];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        int c = rows[y] && x == x1 ? 1 : rows[y] && x == x2 ? 2 : 0;
        v[c * H * W + y * W + x] = 1;
      }
    }
    return Tensor.ofFloats(new long[] {1, 3, H, W}, v);
  }

  static boolean[] all() {
    return new boolean[] {true, true, true, true, true, true};
  }

  static MaskSpec spec() {
    return new MaskSpec("masks", List.of("background", "curve1", "curve2"), List.of(1, 2));
  }

  @Test
  void againstTheReferenceWithoutTruth() {
    CurveFidelity f = new CurveFidelity(List.of(spec()));
    Tensor ref = scores(2, 5, all());
    Tensor broken = scores(2, 5, new boolean[] {true, false, true, false, true, false});
    f.add(Map.of("masks", ref), Map.of("masks", broken), null);
    List<CurveResult> r = f.results();
    assertEquals(2, r.size());
    assertEquals("curve1", r.get(0).channel());
    assertEquals("input model", r.get(0).against());
    assertEquals(1, r.get(1).referenceFragments());
    assertEquals(3, r.get(1).candidateFragments());
    assertFalse(r.get(1).fragmented(), "3 pieces for 1 is within max(2, 25%)");
    Tensor shattered = scores(2, 5, new boolean[] {true, false, true, false, true, false});
    CurveFidelity g = new CurveFidelity(List.of(spec()));
    for (int i = 0; i < 4; i++) {
      g.add(Map.of("masks", ref), Map.of("masks", shattered), null);
    }
    assertTrue(g.results().get(1).fragmented(), "12 pieces for 4");
  }

  @Test
  void againstGroundTruthReadFromTheEvalFiles() throws Exception {
    float[] cx = new float[2 * H];
    for (int y = 0; y < H; y++) {
      cx[y] = 2.5f;
      cx[H + y] = 5.5f;
    }
    Npy.writeNpz(dir.resolve("s0.npz"), Map.of(
        "image", Tensor.ofFloats(new long[] {1, 1, H, W}, new float[H * W]),
        MaskTruth.LABELS, Tensor.ofBytes(DType.UINT8, new long[] {1, H, W}, new byte[H * W]),
        MaskTruth.CURVE_X, Tensor.ofFloats(new long[] {1, 2, H}, cx)));
    GraphBuilder b = new GraphBuilder("m", 1);
    String x = b.input("image", 1, 1, H, W);
    b.output(b.softmax(b.conv(x, 3, 1, 1), 1));
    Graph g = b.build();
    SampleSet set = SampleSet.load(dir, g.inputs());
    List<MaskTruth.Sample> truth = MaskTruth.forSamples(set);
    assertEquals(1, truth.size());
    assertEquals(5.5f, truth.get(0).curveX()[1][3]);
    CurveFidelity f = new CurveFidelity(List.of(spec()));
    f.add(Map.of("masks", scores(2, 5, all())), Map.of("masks", scores(2, 4, all())), truth.get(0));
    CurveResult c2 = f.results().get(1);
    assertEquals("ground truth", c2.against());
    assertEquals(1.0, c2.referenceR2(), 1e-9); // a constant truth: zero residuals
    assertTrue(c2.r2() < 0, "1 px off a constant line");
  }

  @Test
  void specsComeFromMetadata() {
    GraphBuilder b = new GraphBuilder("m", 1);
    String x = b.input("image", 1, 1, H, W);
    String y = b.softmax(b.conv(x, 3, 1, 1), 1);
    b.output(y);
    Graph.Editor e = b.build().edit();
    e.metadata().put(MaskSpec.MASKS_KEY, y + ":bg,a,b;nosuch:x");
    e.metadata().put(MaskSpec.CURVES_KEY, y + ":b");
    List<MaskSpec> specs = MaskSpec.of(e.build());
    assertEquals(1, specs.size());
    assertEquals(List.of("bg", "a", "b"), specs.get(0).channels());
    assertEquals(List.of(2), specs.get(0).curves());
    assertTrue(MaskSpec.of(b.build()).isEmpty());
  }
}

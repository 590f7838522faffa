package dev.hwc.hwtests.welllog;

import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.hwtests.MaskTruth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the data committed beside the bundled model, from the repository root:
 *
 * <pre>java -cp ... dev.hwc.hwtests.welllog.WellLogExamples [ROOT]</pre>
 *
 * <ul>
 *   <li>{@code examples/welllog/calib/strips.npz} and {@code eval/strips.npz}: 8 strips each (seeds
 *       {@link WellLogSets#CALIB_BASE}.. and {@link WellLogSets#EVAL_BASE}..), keyed by the model's input
 *       {@code image} [8, 1, 512, 64] float32 (8 samples of the [1, 1, 512, 64] input), with the
 *       ground truth beside it: {@code labels} [8, 512, 64] uint8 and {@code curve_x} [8, 2, 512]
 *       float32 (see {@link MaskTruth});
 *   <li>{@code examples/welllog/strips.png} and {@code masks.png}: the first six eval strips and their
 *       masks (curve 1 red, curve 2 cyan), each pixel drawn 2 x 2.
 * </ul>
 *
 * {@code WellLogExamplesTest} regenerates the .npz files and checks them against the committed bytes.
 */
public final class WellLogExamples {
  public static final int STRIPS = 8;

  private WellLogExamples() {}

  /** The .npz content of the strips of seeds base .. base + n - 1. */
  public static Map<String, Tensor> arrays(WellLogGenerator gen, long base, int n) {
    int h = gen.height();
    int w = gen.width();
    float[] images = new float[n * h * w];
    byte[] labels = new byte[n * h * w];
    float[] xs = new float[n * 2 * h];
    for (int i = 0; i < n; i++) {
      WellLogStrip s = gen.generate(base + i);
      System.arraycopy(s.image(), 0, images, i * h * w, h * w);
      System.arraycopy(s.labels(), 0, labels, i * h * w, h * w);
      System.arraycopy(s.curveX()[0], 0, xs, (i * 2) * h, h);
      System.arraycopy(s.curveX()[1], 0, xs, (i * 2 + 1) * h, h);
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("image", Tensor.ofFloats(new long[] {n, 1, h, w}, images));
    m.put(MaskTruth.LABELS, Tensor.ofBytes(DType.UINT8, new long[] {n, h, w}, labels));
    m.put(MaskTruth.CURVE_X, Tensor.ofFloats(new long[] {n, 2, h}, xs));
    return m;
  }

  public static void write(Path root) throws IOException {
    WellLogGenerator gen = new WellLogGenerator();
    Path dir = root.resolve("examples/welllog");
    Files.createDirectories(dir.resolve("calib"));
    Files.createDirectories(dir.resolve("eval"));
    Npy.writeNpz(dir.resolve("calib/strips.npz"), arrays(gen, WellLogSets.CALIB_BASE, STRIPS));
    Npy.writeNpz(dir.resolve("eval/strips.npz"), arrays(gen, WellLogSets.EVAL_BASE, STRIPS));
    List<WellLogStrip> shown = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      shown.add(gen.generate(WellLogSets.EVAL_BASE + i));
    }
    WellLogPng.writeImages(dir.resolve("strips.png"), shown, 2);
    WellLogPng.writeMasks(dir.resolve("masks.png"), shown, 2);
  }

  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : ".");
    write(root);
    System.out.println("wrote " + root.resolve("examples/welllog") + ": calib/strips.npz, eval/strips.npz, strips.png, masks.png");
  }
}

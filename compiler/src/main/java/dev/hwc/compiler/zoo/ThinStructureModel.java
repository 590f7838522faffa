package dev.hwc.compiler.zoo;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A two-output segmenter with hand-set weights that shows why the weakest output must govern: a
 * dense "background" mask (a dark region covering a third of the image) and a thin "line" mask (a
 * one-pixel bright line, 0.03 above its surroundings). Both heads read one shared feature map whose
 * channel 0 spans about 0..110 and whose channel 1 (the line detector) spans about ±0.4: under one
 * per-tensor int8 scale the line channel rounds to zero, so the line mask vanishes while the
 * background mask, and any average over pixels, stays almost perfect.
 */
public final class ThinStructureModel {
  public static final int SIZE = 32;

  private ThinStructureModel() {}

  public static Graph graph() {
    GraphBuilder b = new GraphBuilder("thin_structure", 0, 13);
    String x = b.input("image", 1, 1, SIZE, SIZE);
    // features: channel 0 = 200 x (brightness), channel 1 = x - 0.51 (just above the surroundings)
    String f = b.node("Conv", Attributes.EMPTY, x,
        b.constant("features_w", Tensor.ofFloats(new long[] {2, 1, 1, 1}, 200f, 1f)),
        b.constant("features_b", Tensor.ofFloats(new long[] {2}, 0f, -0.51f)));
    // background where dark: 6 - 0.1 * 200 x  (x = 0.1 -> +4, x = 0.5 -> -4)
    String bg = b.node("Conv", Attributes.EMPTY, f,
        b.constant("background_w", Tensor.ofFloats(new long[] {1, 2, 1, 1}, -0.1f, 0f)),
        b.constant("background_b", Tensor.ofFloats(new long[] {1}, 6f)));
    // line where just brighter: 400 (x - 0.51) - 2  (x = 0.53 -> +6, x = 0.5 -> -6)
    String line = b.node("Conv", Attributes.EMPTY, f,
        b.constant("line_w", Tensor.ofFloats(new long[] {1, 2, 1, 1}, 0f, 400f)),
        b.constant("line_b", Tensor.ofFloats(new long[] {1}, -2f)));
    b.output(b.nodeNamed("background", "Sigmoid", Attributes.EMPTY, bg));
    b.output(b.nodeNamed("line", "Sigmoid", Attributes.EMPTY, line));
    return b.build();
  }

  /**
   * Sample images: background 0.5 with noise, a dark block (0.1) over a random third of the rows,
   * and a one-pixel vertical line of 0.53 at a random column in the bright part.
   */
  public static List<Map<String, Tensor>> samples(int n, long seed) {
    Random r = new Random(seed);
    List<Map<String, Tensor>> out = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      float[] img = new float[SIZE * SIZE];
      int darkFrom = r.nextInt(SIZE * 2 / 3);
      int col = r.nextInt(SIZE);
      for (int y = 0; y < SIZE; y++) {
        for (int xx = 0; xx < SIZE; xx++) {
          boolean dark = y >= darkFrom && y < darkFrom + SIZE / 3;
          float v = dark ? 0.1f : xx == col ? 0.53f : 0.5f;
          img[y * SIZE + xx] = v + (float) (r.nextGaussian() * 0.002);
        }
      }
      out.add(Map.of("image", Tensor.ofFloats(new long[] {1, 1, SIZE, SIZE}, img)));
    }
    return out;
  }
}

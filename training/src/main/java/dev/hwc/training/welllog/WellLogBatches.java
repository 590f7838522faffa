package dev.hwc.training.welllog;

import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.zoo.WellLogNet;
import dev.hwc.hwtests.welllog.WellLogGenerator;
import dev.hwc.hwtests.welllog.WellLogStrip;
import dev.hwc.training.SegmentationLoss;
import dev.hwc.training.Trainer;
import java.util.Map;

/**
 * Training batches of generated strips: batch {@code step} holds the strips of seeds
 * {@code base + step * batch + i}, so a run is determined by its data seed and never repeats a strip.
 */
public final class WellLogBatches implements Trainer.Batches {
  private final WellLogGenerator gen;
  private final int batch;
  private final long base;

  public WellLogBatches(WellLogGenerator gen, int batch, long base) {
    this.gen = gen;
    this.batch = batch;
    this.base = base;
  }

  @Override
  public Trainer.Batch get(int step) {
    int h = gen.height();
    int w = gen.width();
    float[] images = new float[batch * h * w];
    byte[][] labels = new byte[batch][];
    for (int i = 0; i < batch; i++) {
      WellLogStrip s = gen.generate(base + (long) step * batch + i);
      System.arraycopy(s.image(), 0, images, i * h * w, h * w);
      labels[i] = s.labels();
    }
    Tensor x = Tensor.ofFloats(new long[] {batch, 1, h, w}, images);
    Tensor y = Tensor.ofFloats(new long[] {batch, h, w, WellLogStrip.CLASSES},
        SegmentationLoss.oneHot(labels, WellLogStrip.CLASSES));
    return new Trainer.Batch(Map.of(WellLogNet.INPUT, x), Map.of(SegmentationLoss.TARGET, y));
  }
}

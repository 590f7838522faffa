package dev.hwc.hwtests;

import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ground truth stored beside a segmenter's eval inputs, in the same .npz: {@value #LABELS}, the
 * class of every pixel ([n, H, W] uint8, n samples in the file), and optionally {@value #CURVE_X},
 * each curve's true x per row ([n, K, H] float32, K curves in the order of the model's curve
 * channels, NaN for a curve a strip lacks). SampleSet ignores these arrays; this class reads them for
 * the samples of a set.
 */
public final class MaskTruth {
  public static final String LABELS = "labels";
  public static final String CURVE_X = "curve_x";
  private static final Pattern LABEL = Pattern.compile("(.*\\.npz)(?:\\[(\\d+)])?");

  /** The truth of one sample: a class map [H * W], and per curve an x per row (null when not stored). */
  public record Sample(byte[] labels, float[][] curveX) {}

  private MaskTruth() {}

  /** The truth of each sample of the set, or null for a sample whose file carries none. */
  public static List<Sample> forSamples(SampleSet set) {
    Map<String, Map<String, Tensor>> files = new HashMap<>();
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < set.size(); i++) {
      Matcher m = LABEL.matcher(set.label(i));
      if (!m.matches()) {
        out.add(null);
        continue;
      }
      Map<String, Tensor> arrays = files.computeIfAbsent(m.group(1), f -> {
        try {
          return Npy.readNpz(Path.of(f));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      int k = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
      out.add(sample(arrays, k));
    }
    return out;
  }

  static Sample sample(Map<String, Tensor> arrays, int k) {
    Tensor labels = arrays.get(LABELS);
    if (labels == null || labels.rank() != 3) {
      return null;
    }
    long[] s = labels.shape();
    int hw = (int) (s[1] * s[2]);
    byte[] all = labels.bytes();
    byte[] mine = java.util.Arrays.copyOfRange(all, k * hw, (k + 1) * hw);
    float[][] xs = null;
    Tensor cx = arrays.get(CURVE_X);
    if (cx != null && cx.rank() == 3) {
      long[] c = cx.shape();
      int curves = (int) c[1];
      int h = (int) c[2];
      float[] v = cx.toFloats();
      xs = new float[curves][];
      for (int j = 0; j < curves; j++) {
        xs[j] = java.util.Arrays.copyOfRange(v, (k * curves + j) * h, (k * curves + j + 1) * h);
      }
    }
    return new Sample(mine, xs);
  }
}

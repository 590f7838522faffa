package dev.hwc.hwtests.welllog;

import dev.hwc.backends.SessionOptions;
import dev.hwc.backends.onnx.OrtSession;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.hwtests.ClassIoU;
import dev.hwc.hwtests.CurveR2;
import dev.hwc.hwtests.CurveTrace;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Scores a well-log segmenter on generated strips against their ground truth: IoU per mask (argmax
 * vs the labels, pooled over all strips), R² per curve (the curve read from the mask row by row,
 * see {@link CurveTrace#extract}, against the true centre line, pooled over all rows of the strips
 * that have that curve, see {@link CurveR2}), and how many pieces each curve mask falls into
 * (per strip that has the curve; a clean curve is one piece, or two when it wraps).
 */
public final class WellLogEval {
  /** The figures over a set of strips. */
  public record Scores(int strips, double[] iou, double[] r2, double[] rmse, double[] piecesPerStrip,
      double[] truePiecesPerStrip, double seconds) {
    public String table() {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT, "%-11s %8s %8s %9s %14s%n", "mask", "IoU", "R2", "RMSE px", "pieces/strip"));
      for (int c = 0; c < iou.length; c++) {
        if (c == 0) {
          sb.append(String.format(Locale.ROOT, "%-11s %8.4f %8s %9s %14s%n", WellLogStrip.CLASS_NAMES[c], iou[c], "-", "-", "-"));
        } else {
          sb.append(String.format(Locale.ROOT, "%-11s %8.4f %8.4f %9.3f %8.2f (%.2f)%n", WellLogStrip.CLASS_NAMES[c], iou[c],
              r2[c - 1], rmse[c - 1], piecesPerStrip[c - 1], truePiecesPerStrip[c - 1]));
        }
      }
      return sb.toString();
    }

    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("strips", strips);
      for (int c = 0; c < iou.length; c++) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("iou", iou[c]);
        if (c > 0) {
          e.put("r2", r2[c - 1]);
          e.put("rmsePx", rmse[c - 1]);
          e.put("piecesPerStrip", piecesPerStrip[c - 1]);
          e.put("truePiecesPerStrip", truePiecesPerStrip[c - 1]);
        }
        m.put(WellLogStrip.CLASS_NAMES[c], e);
      }
      return m;
    }
  }

  private WellLogEval() {}

  /** Runs the model on ONNX Runtime over strips of seeds base .. base + n - 1. */
  public static Scores evaluate(Path model, WellLogGenerator gen, long base, int n, String input, String output)
      throws Exception {
    long t0 = System.nanoTime();
    ClassIoU iou = new ClassIoU(WellLogStrip.CLASSES);
    CurveR2[] r2 = {new CurveR2(), new CurveR2()};
    long[] pieces = new long[2];
    long[] truePieces = new long[2];
    int[] withCurve = new int[2];
    int w = gen.width();
    int h = gen.height();
    try (OrtSession s = OrtSession.open(model, SessionOptions.DEFAULT)) {
      for (int i = 0; i < n; i++) {
        WellLogStrip strip = gen.generate(base + i);
        Tensor x = Tensor.ofFloats(new long[] {1, 1, h, w}, strip.image());
        byte[] pred = CurveTrace.argmax(s.run(Map.of(input, x)).get(output), 0);
        iou.add(pred, strip.labels());
        for (int k = 0; k < 2; k++) {
          if (!strip.hasCurve(k)) {
            continue;
          }
          withCurve[k]++;
          r2[k].add(CurveTrace.extract(pred, w, h, k + 1), strip.curveX()[k], w);
          pieces[k] += CurveTrace.components(pred, w, h, k + 1);
          truePieces[k] += CurveTrace.components(strip.labels(), w, h, k + 1);
        }
      }
    }
    double[] ious = new double[WellLogStrip.CLASSES];
    for (int c = 0; c < ious.length; c++) {
      ious[c] = iou.iou(c);
    }
    return new Scores(n, ious, new double[] {r2[0].r2(), r2[1].r2()}, new double[] {r2[0].rmse(), r2[1].rmse()},
        new double[] {(double) pieces[0] / withCurve[0], (double) pieces[1] / withCurve[1]},
        new double[] {(double) truePieces[0] / withCurve[0], (double) truePieces[1] / withCurve[1]},
        (System.nanoTime() - t0) / 1e9);
  }

  /** {@code WellLogEval MODEL [N [BASE]]}: prints the table for N strips (default 200) from seed BASE. */
  public static void main(String[] args) throws Exception {
    Path model = Path.of(args.length > 0 ? args[0] : "examples/welllog/welllog.onnx");
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    long base = args.length > 2 ? Long.parseLong(args[2]) : WellLogSets.HELD_OUT_BASE;
    Scores s = evaluate(model, new WellLogGenerator(), base, n, "image", "masks");
    System.out.print(s.table());
    System.out.printf(Locale.ROOT, "%d strips in %.1f s%n", s.strips(), s.seconds());
  }
}

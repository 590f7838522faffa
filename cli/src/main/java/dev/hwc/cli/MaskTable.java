package dev.hwc.cli;

import dev.hwc.hwtests.CurveResult;
import dev.hwc.hwtests.MaskSpec;
import dev.hwc.hwtests.OutputFidelity;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * The per-mask table of {@code hwc build} for segmenters that name their mask channels (see
 * {@link MaskSpec}): each channel's IoU against the input model (the figure the gate judges, the
 * weakest channel marked), and for thin-curve channels the curve read row by row (R² against the
 * ground truth where the eval data has it) and how many pieces the mask falls into.
 */
final class MaskTable {
  private MaskTable() {}

  static void print(PrintWriter out, List<MaskSpec> specs, List<OutputFidelity> outputs, List<CurveResult> curves) {
    for (MaskSpec spec : specs) {
      OutputFidelity f = outputs.stream().filter(o -> o.output().equals(spec.output())).findFirst().orElse(null);
      if (f == null || f.iou().length == 0) {
        continue;
      }
      String against = curves.stream().filter(c -> c.output().equals(spec.output())).map(CurveResult::against)
          .findFirst().orElse("ground truth");
      out.printf("%nmasks of '%s': IoU of the artifact's argmax vs the input model's (the gate's figure); curves read "
          + "row by row, R² vs %s; pieces = 8-connected components, input model -> artifact:%n", spec.output(), against);
      Table t = new Table("mask", "IoU", "curve R²", "input model R²", "pieces", "note");
      double[] iou = f.iou();
      int weakest = f.weakestChannel();
      for (int c = 0; c < iou.length; c++) {
        int ch = c;
        CurveResult cr = curves.stream().filter(x -> x.output().equals(spec.output()) && x.index() == ch).findFirst()
            .orElse(null);
        String note = (c == weakest ? "<- weakest" : "") + (cr != null && cr.fragmented() ? " FRAGMENTED" : "");
        t.row(spec.channel(c), String.format(Locale.ROOT, "%.4f", iou[c]),
            cr == null ? "-" : String.format(Locale.ROOT, "%.4f", cr.r2()),
            cr == null || Double.isNaN(cr.referenceR2()) ? "-" : String.format(Locale.ROOT, "%.4f", cr.referenceR2()),
            cr == null ? "-" : cr.referenceFragments() + " -> " + cr.candidateFragments(), note.strip());
      }
      t.print(out);
    }
  }
}

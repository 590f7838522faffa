package dev.hwc.hwtests;

/**
 * How close one output of a candidate artifact is to the reference model's, over an eval set.
 *
 * @param output output name
 * @param maxAbs largest absolute difference
 * @param meanAbs mean absolute difference
 * @param relativeL2 ||candidate - reference|| / ||reference||
 * @param cosine cosine similarity of the flattened outputs (1 when both are all zero)
 * @param snrDb signal-to-noise ratio, 10 log10(sum ref^2 / sum diff^2); +inf when identical
 * @param kind what the output means
 * @param iou for masks and labels: IoU per channel (class) of the candidate's thresholded (argmax)
 *     output against the reference's; empty otherwise. A channel empty in both counts as 1.
 * @param pooled for embeddings: the cosine of each pooled row (a sentence's mean token vector), or null
 */
public record OutputFidelity(String output, double maxAbs, double meanAbs, double relativeL2, double cosine,
    double snrDb, OutputKind kind, double[] iou, Pooled pooled) {
  /**
   * Per-row cosine of an embedding output as its users read it: a [batch, tokens, dim] output mean-pooled
   * over the tokens (weighted by the model's attention mask input where it has one), a [batch, dim] one
   * row by row. The flattened cosine weighs long sentences and large-norm tokens most; these figures
   * weigh every sentence alike, so the worst one shows a sentence the candidate embeds badly.
   *
   * @param mean mean cosine over rows
   * @param worst lowest cosine of any row
   * @param rows rows (sentences) compared
   * @param weightedBy the input whose values weighted the tokens, or null for a plain mean (or no pooling)
   */
  public record Pooled(double mean, double worst, long rows, String weightedBy) {}

  public OutputFidelity {
    iou = iou == null ? new double[0] : iou.clone();
  }

  /** Without pooled figures. */
  public OutputFidelity(String output, double maxAbs, double meanAbs, double relativeL2, double cosine,
      double snrDb, OutputKind kind, double[] iou) {
    this(output, maxAbs, meanAbs, relativeL2, cosine, snrDb, kind, iou, null);
  }

  /** The weakest channel's IoU, or 1 for outputs without IoU. */
  public double minIoU() {
    return java.util.Arrays.stream(iou).min().orElse(1);
  }

  /** The weakest channel's index, or -1. */
  public int weakestChannel() {
    int w = -1;
    for (int i = 0; i < iou.length; i++) {
      if (w < 0 || iou[i] < iou[w]) {
        w = i;
      }
    }
    return w;
  }

  @Override
  public double[] iou() {
    return iou.clone();
  }
}

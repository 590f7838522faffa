package dev.hwc.hwtests;

/**
 * How one thin-curve mask channel of a candidate reads as a curve, over an eval set.
 *
 * @param output the mask output
 * @param channel the channel's name
 * @param index the channel's index
 * @param r2 R² of the curve read from the candidate's mask (see {@link CurveR2}) against
 *     {@code against}
 * @param against "ground truth" (the eval data's curve positions) or "input model" (the curve read
 *     from the input model's mask, when the eval data has no truth)
 * @param referenceR2 the input model's own R² against the ground truth (NaN without truth)
 * @param referenceFragments 8-connected pieces of the channel in the input model's masks, summed
 * @param candidateFragments the same in the candidate's masks
 * @param fragmented whether the candidate's mask broke up: more than max(2, 25%) more pieces than
 *     the input model's
 */
public record CurveResult(String output, String channel, int index, double r2, String against, double referenceR2,
    long referenceFragments, long candidateFragments, boolean fragmented) {

  static boolean fragmented(long reference, long candidate) {
    return candidate > reference + Math.max(2, (long) Math.ceil(0.25 * reference));
  }
}

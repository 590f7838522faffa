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
 */
public record OutputFidelity(
    String output, double maxAbs, double meanAbs, double relativeL2, double cosine, double snrDb) {}

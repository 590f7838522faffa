package dev.hwc.profiles;

/**
 * How activations are quantized: storage {@code dtype}, whether the zero point is fixed at 0
 * ({@code symmetric}), whether there is one scale per tensor ({@code perTensor}; false would allow per-channel
 * activation scales), and the integer range {@code [min, max]}.
 */
public record ActivationQuant(String dtype, boolean symmetric, boolean perTensor, int min, int max) {}

package dev.hwc.profiles;

import java.util.Map;
import java.util.OptionalInt;

/**
 * How weights are quantized: storage {@code dtype}, whether the zero point is fixed at 0 ({@code symmetric}),
 * whether scales may be per output channel ({@code perChannel}), and the integer range {@code [min, max]}
 * (e.g. int8 symmetric weights use -127..127, so that -w is representable for every w).
 *
 * <p>{@code channelAxis} maps an IR op name to the axis of its weight tensor that carries one scale per
 * channel, in the IR's ONNX layout (not the target's): Conv weights are OIHW, so Conv is 0; ConvTranspose
 * weights are (C_in, C_out/group, kH, kW), so ConvTranspose is 1; Gemm's B is (N, K) when transB=1, so Gemm
 * is 0 for that form (1 when transB=0); MatMul's constant B is (K, N), so MatMul is 1. Ops absent from the
 * map use one scale per tensor.
 */
public record WeightQuant(
    String dtype, boolean symmetric, boolean perChannel, Map<String, Integer> channelAxis, int min, int max) {

  public WeightQuant {
    channelAxis = Copies.map(channelAxis);
  }

  /** The per-channel axis for an op's weights, or empty when that op's weights use one scale. */
  public OptionalInt axisFor(String op) {
    Integer axis = perChannel ? channelAxis.get(op) : null;
    return axis == null ? OptionalInt.empty() : OptionalInt.of(axis);
  }
}

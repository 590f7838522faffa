package dev.hwc.profiles;

import java.util.List;

/**
 * The data types a target accepts, per role: {@code weights} (initializers of weighted ops),
 * {@code activations} (every computed tensor inside the graph) and {@code io} (graph inputs and outputs).
 * Values come from {@link #DTYPES}; the first entry of each list is the target's preferred type.
 */
public record Precisions(List<String> weights, List<String> activations, List<String> io) {
  /** Every precision name a profile may use. */
  public static final List<String> DTYPES = List.of("fp32", "fp16", "bf16", "int8", "uint8", "int16", "int32");
  /** The floating-point names among {@link #DTYPES}. */
  public static final List<String> FLOAT_DTYPES = List.of("fp32", "fp16", "bf16");

  public Precisions {
    weights = Copies.list(weights);
    activations = Copies.list(activations);
    io = Copies.list(io);
  }

  public static boolean isFloat(String dtype) {
    return FLOAT_DTYPES.contains(dtype);
  }

  /** True when some activation may stay in a float type (ops can be kept in higher precision). */
  public boolean floatActivations() {
    return activations.stream().anyMatch(Precisions::isFloat);
  }

  public boolean allowsWeights(String dtype) {
    return weights.contains(dtype);
  }

  public boolean allowsActivations(String dtype) {
    return activations.contains(dtype);
  }

  public boolean allowsIo(String dtype) {
    return io.contains(dtype);
  }
}

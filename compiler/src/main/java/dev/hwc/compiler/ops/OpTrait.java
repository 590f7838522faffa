package dev.hwc.compiler.ops;

/**
 * Properties of ops, as named sets: passes, the quantization planner and legality checks ask an op
 * for its traits instead of listing op names.
 */
public enum OpTrait {
  /** One input, same shape out, applied per element (Relu, Sigmoid, Erf...). */
  UNARY,
  /** Two or more inputs broadcast numpy-style (Add, Mul, Where...). */
  BROADCAST,
  /** Carries trained weights in input 1 with a per-output-channel axis (Conv, Gemm, MatMul). */
  WEIGHTED,
  /** Moves or selects data without arithmetic: input and output share quantization params. */
  DATA_MOVEMENT,
  /** Output range fixed by the function (Sigmoid [0,1], Softmax [0,1], Tanh [-1,1]). */
  FIXED_OUTPUT_RANGE,
  /** Reduces over axes (ReduceMean, GlobalAveragePool). */
  REDUCTION,
  /** Passes its input through unchanged at inference (Identity, Dropout). */
  PASS_THROUGH,
  /** Output depends only on the input's shape, not its data (Shape). */
  SHAPE_ONLY,
  /** Normalization with statistics (BatchNormalization, LayerNormalization). */
  NORMALIZATION,
  /** Where f(0) = 0 holds, so zero padding and sparsity survive it (Relu, Mul by constant). */
  PRESERVES_ZERO
}

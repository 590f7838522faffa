/**
 * Capability profiles: what a deployment target accepts, as data. One YAML file per target
 * ({@code src/main/resources/profiles/<id>.yaml}, listed in {@code profiles/index.txt}); users pass their own
 * with {@code --profile FILE}. {@link dev.hwc.profiles.ProfileLoader} reads them into the immutable
 * {@link dev.hwc.profiles.Profile} record; every problem in a file is a one-line
 * {@link dev.hwc.common.BadInputException} naming {@code file:line}.
 *
 * <h2>File format</h2>
 *
 * <pre>{@code
 * id: edgetpu                      # required; lower-case, digits, . _ -
 * description: one line            # optional
 * artifact: tflite                 # required; onnx | tflite | tensorrt
 * runtime: tflite                  # required; onnxruntime | tflite | tensorrt (must be able to run the artifact)
 * precisions:                      # required; each list non-empty, from fp32 fp16 bf16 int8 uint8 int16 int32
 *   weights: [int8]
 *   activations: [int8]
 *   io: [int8, uint8]
 * quantization:                    # required when weights or activations allow int8/uint8/int16; else absent
 *   weights:     { dtype: int8, symmetric: true, perChannel: true, channelAxis: { Conv: 0 }, min: -127, max: 127 }
 *   activations: { dtype: int8, symmetric: false, perTensor: true, min: -128, max: 127 }
 *   bias: int32                    # int32 (default) | fp32
 *   zeroPoint: any                 # any (default) | zero (every zero point 0; needs symmetric weights and activations)
 *   fixedOutputRanges: { Sigmoid: { scale: 0.00390625, zeroPoint: -128 } }
 *   sharedScaleOps: [MaxPool, Concat, Reshape]
 *   fusedQdqOps: []                # ops must be in ops
 *   depthwiseChannelAlignment: 16  # pad QDQ depthwise convs to this channel multiple (0: never)
 * ops:                             # required; keys are IR op names (ONNX op types); absent op = unsupported
 *   Conv:    { lowersTo: CONV_2D, opVersion: 3, limits: [sameDilation, constantWeights] }
 *   Softmax: { lowersTo: SOFTMAX, opVersion: 2, limits: [{maxNonUnitDims: 1}, {maxElements: 16000}], note: text }
 *   Relu: {}
 * shapes: { staticShapes: true, maxBatch: 1, maxRank: 4, maxNonUnitDims: 3 }   # optional; absent = no limits
 * memory: { onChipParamBytes: 8388608, deviceBytes: null }                     # optional
 * keepHigherPrecision: [Softmax]   # optional; ops in ops; needs a float type in precisions.activations
 * partitioning: { mode: whole-graph }   # optional (default whole-graph) | first-unsupported-to-cpu | per-op-fallback
 * gate: { minCosine: 0.99, minIoU: 0.5, maxRelativeL2: 0.1 }                  # optional; missing fields default
 * }</pre>
 *
 * <p>A limit is a bare kind or a one-entry mapping {@code {kind: integer}}; the kinds are the fixed vocabulary of
 * {@link dev.hwc.profiles.ConstraintKind}. Unknown fields, unknown names, wrong types, duplicate keys, YAML
 * aliases and several documents in one file are errors. The {@code source} of a profile is set by the loader
 * ({@code builtin:<id>} or the file's path), never by the file.
 */
package dev.hwc.profiles;

/**
 * The op registry: one {@link dev.hwc.compiler.ops.OpDef} per IR op (its ONNX op type) holding the op's
 * rules in one place: arity, attributes, traits, shape inference, a reference kernel for constant folding,
 * and its part in integer quantization ({@link dev.hwc.compiler.ops.QuantRule}). Facts of an op live here;
 * what a target accepts lives in its profile, and what an artifact format writes for the op in that
 * format's backend. Depends only on the IR ({@code dev.hwc.compiler.ir}) and {@code dev.hwc.common}.
 */
package dev.hwc.compiler.ops;

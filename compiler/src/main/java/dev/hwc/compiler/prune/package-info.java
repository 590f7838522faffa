/**
 * Pruning as graph passes, each {@code Graph -> Graph}, driven by a plan (how much, which layers
 * protected); graph inputs and outputs never change. {@link dev.hwc.compiler.prune.PrunableWeights}
 * says which constants a pass may touch; {@link dev.hwc.compiler.prune.Sparsity} counts what is left.
 */
package dev.hwc.compiler.prune;

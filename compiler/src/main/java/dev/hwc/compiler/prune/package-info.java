/**
 * Pruning as graph passes, each {@code Graph -> Graph}, driven by a plan (how much, which layers
 * protected); graph inputs and outputs never change. {@link dev.hwc.compiler.prune.PrunableWeights}
 * says which constants a pass may touch; {@link dev.hwc.compiler.prune.Sparsity} counts what is left.
 * Passes: {@link dev.hwc.compiler.prune.MagnitudePruning} (unstructured), {@link dev.hwc.compiler.prune.NmPruning}
 * (2:4 along the reduction axis), {@link dev.hwc.compiler.prune.ChannelPruning} (channels with dependency groups),
 * {@link dev.hwc.compiler.prune.LowRankFactorization} (truncated SVD, two layers).
 */
package dev.hwc.compiler.prune;

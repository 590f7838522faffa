/**
 * Analyses of a graph that change nothing: model statistics and MACs ({@link dev.hwc.compiler.analysis.ModelStats})
 * and the profile-side legality of each node ({@link dev.hwc.compiler.analysis.Legality}: the op list, the
 * op's limits and the target's shape limits). The full judgement of a target, with what its backend can
 * lower, is {@code dev.hwc.backends.TargetLegality}. Depends on the IR and the profiles.
 */
package dev.hwc.compiler.analysis;

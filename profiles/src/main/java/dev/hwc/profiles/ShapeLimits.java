package dev.hwc.profiles;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Shape limits for every tensor of the graph. Null numbers mean "no limit"; {@code staticShapes} left out of
 * the YAML means false.
 *
 * @param staticShapes every dimension must be known at build time
 * @param maxBatch the largest leading (batch) dimension
 * @param maxRank the largest tensor rank
 * @param maxNonUnitDims at most this many dimensions may be larger than 1, and they must be the innermost
 *     ones (Edge TPU: 3, so [1,128,128,3] is fine and [3,128,128,1] is not)
 */
public record ShapeLimits(boolean staticShapes, Integer maxBatch, Integer maxRank, Integer maxNonUnitDims) {
  /** No limits at all: dynamic shapes, any batch, any rank. */
  public static final ShapeLimits NONE = new ShapeLimits(false, null, null, null);

  @JsonCreator
  static ShapeLimits fromYaml(
      @JsonProperty("staticShapes") Boolean staticShapes,
      @JsonProperty("maxBatch") Integer maxBatch,
      @JsonProperty("maxRank") Integer maxRank,
      @JsonProperty("maxNonUnitDims") Integer maxNonUnitDims) {
    return new ShapeLimits(Boolean.TRUE.equals(staticShapes), maxBatch, maxRank, maxNonUnitDims);
  }
}

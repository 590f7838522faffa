package dev.hwc.profiles;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Default thresholds of the per-output accuracy gate: every output of the artifact, compared with the float
 * reference, must reach them (the weakest output decides, never the mean). A field left out of the YAML takes
 * its value from {@link #DEFAULT}.
 *
 * @param minCosine lowest cosine similarity per output
 * @param minIoU lowest intersection-over-union per class/channel for mask and label outputs
 * @param maxRelativeL2 highest relative L2 error ||a - b|| / ||b|| per output
 */
public record Gate(double minCosine, double minIoU, double maxRelativeL2) {
  public static final Gate DEFAULT = new Gate(0.99, 0.5, 0.1);

  @JsonCreator
  static Gate fromYaml(
      @JsonProperty("minCosine") Double minCosine,
      @JsonProperty("minIoU") Double minIoU,
      @JsonProperty("maxRelativeL2") Double maxRelativeL2) {
    return new Gate(
        minCosine == null ? DEFAULT.minCosine : minCosine,
        minIoU == null ? DEFAULT.minIoU : minIoU,
        maxRelativeL2 == null ? DEFAULT.maxRelativeL2 : maxRelativeL2);
  }
}

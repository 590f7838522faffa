package dev.hwc.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How the compression line names its reference when that is not the plan the speed check chose. */
class CompressionReferenceTest {
  @Test
  void aDifferentPlanIsNamedWithWhatItKeepsInFloat() {
    BuildJob.Uncompressed none = new BuildJob.Uncompressed(new byte[1], "dynamic-smoothed", List.of(), "static", List.of());
    assertFalse(none.samePlan());
    assertEquals("the uncompressed dynamic-smoothed plan (nothing kept in float); NOT the same plan: the compressed one"
        + " is static with nothing kept in float", none.describe());
    BuildJob.Uncompressed kept = new BuildJob.Uncompressed(new byte[1], "static", List.of(), "static", List.of("conv0"));
    assertTrue(kept.describe().endsWith("NOT the same plan: the compressed one is static keeping conv0 in float"),
        kept.describe());
    BuildJob.Uncompressed same = new BuildJob.Uncompressed(new byte[1], "static", List.of("a", "b"), "static", List.of("b", "a"));
    assertTrue(same.samePlan());
    assertTrue(same.describe().endsWith(", the same plan as the compressed one"), same.describe());
  }
}

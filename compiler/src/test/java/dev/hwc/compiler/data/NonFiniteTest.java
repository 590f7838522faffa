package dev.hwc.compiler.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.ir.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Samples holding NaN/Inf are counted for the build's one-line warning. */
class NonFiniteTest {
  @Test
  void countsValuesSamplesAndTheFirstSample() {
    long[] s = {1, 4};
    SampleSet set = SampleSet.of(List.of(
        Map.of("x", Tensor.ofFloats(s, 1, 2, 3, 4), "ids", Tensor.ofLongs(new long[] {1}, 7)),
        Map.of("x", Tensor.ofFloats(s, Float.NaN, 2, Float.NEGATIVE_INFINITY, 4), "ids", Tensor.ofLongs(new long[] {1}, 7)),
        Map.of("x", Tensor.ofFloats(s, 1, Float.POSITIVE_INFINITY, 3, 4), "ids", Tensor.ofLongs(new long[] {1}, 7))));
    assertEquals("WARNING: 2 of 3 samples of eval/ hold NaN/Inf values (3 in input 'x'; first in sample 1)",
        NonFinite.warning(set, "eval/").orElseThrow());
    assertTrue(NonFinite.warning(set.limit(1), "eval/").isEmpty());
    assertEquals(1, NonFinite.countNaN(Tensor.ofFloats(s, Float.NaN, Float.POSITIVE_INFINITY, 0, 1)));
  }
}

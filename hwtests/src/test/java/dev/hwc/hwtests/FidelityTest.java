package dev.hwc.hwtests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hwc.compiler.ir.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FidelityTest {
  @Test
  void metricsByHandAndTheWeakestOutputGoverns() {
    Map<String, Tensor> ref = new LinkedHashMap<>();
    ref.put("dense", Tensor.ofFloats(new long[] {4}, 1, 2, 3, 4));
    ref.put("thin", Tensor.ofFloats(new long[] {2}, 3, 4));
    Map<String, Tensor> cand = new LinkedHashMap<>();
    cand.put("dense", Tensor.ofFloats(new long[] {4}, 1, 2, 3, 4.5f));
    cand.put("thin", Tensor.ofFloats(new long[] {2}, 4, 3));
    List<OutputFidelity> r = Fidelity.compare(ref, cand);
    OutputFidelity dense = r.get(0);
    assertEquals(0.5, dense.maxAbs(), 1e-9);
    assertEquals(0.125, dense.meanAbs(), 1e-9);
    assertEquals(Math.sqrt(0.25 / 30), dense.relativeL2(), 1e-9);
    assertEquals(32 / Math.sqrt(30 * 34.25), dense.cosine(), 1e-9);
    assertEquals(10 * Math.log10(30 / 0.25), dense.snrDb(), 1e-9);
    OutputFidelity thin = r.get(1);
    assertEquals(24.0 / 25.0, thin.cosine(), 1e-9); // (3*4 + 4*3) / (5*5)
    assertEquals("thin", Fidelity.weakest(r).output());
  }

  @Test
  void accumulatesOverSamples() {
    Fidelity f = new Fidelity();
    f.add(Map.of("y", Tensor.ofFloats(new long[] {1}, 2)), Map.of("y", Tensor.ofFloats(new long[] {1}, 2)));
    f.add(Map.of("y", Tensor.ofFloats(new long[] {1}, 1)), Map.of("y", Tensor.ofFloats(new long[] {1}, 0)));
    OutputFidelity y = f.results().get(0);
    assertEquals(1.0, y.maxAbs(), 0);
    assertEquals(0.5, y.meanAbs(), 1e-12);
    assertEquals(Math.sqrt(1.0 / 5), y.relativeL2(), 1e-12);
  }
}

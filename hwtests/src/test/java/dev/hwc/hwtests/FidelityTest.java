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

  @Test
  void embeddingsArePooledOverTheTokensTheMaskKeeps() {
    // two sentences of 3 tokens, dim 2; sentence 1's last token is padding (mask 0)
    Map<String, Tensor> in = Map.of("attention_mask", Tensor.ofLongs(new long[] {2, 3}, 1, 1, 1, 1, 1, 0));
    Tensor ref = Tensor.ofFloats(new long[] {2, 3, 2}, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 50, 50);
    // sentence 0 keeps its direction on the mean (1, 0) -> (1, 1) after one token turns; sentence 1
    // differs only on its padding token, which pooling ignores
    Tensor cand = Tensor.ofFloats(new long[] {2, 3, 2}, 1, 0, 0, 3, 1, 0, 0, 1, 0, 1, -50, 9);
    Fidelity f = new Fidelity(Map.of("h", OutputKind.EMBEDDING));
    f.add(in, Map.of("h", ref), Map.of("h", cand));
    OutputFidelity h = f.results().get(0);
    assertEquals(2, h.pooled().rows());
    assertEquals("attention_mask", h.pooled().weightedBy());
    // sentence 0: (3, 0) vs (2, 3) -> 2 / sqrt(13); sentence 1: (0, 2) vs (0, 2) -> 1
    double s0 = 2 / Math.sqrt(13);
    assertEquals(s0, h.pooled().worst(), 1e-12);
    assertEquals((s0 + 1) / 2, h.pooled().mean(), 1e-12);
    // the flattened cosine counts the padding token, which dominates it
    assertEquals(true, h.cosine() < 0.1, "flattened cosine " + h.cosine());

    Fidelity plain = new Fidelity(Map.of("h", OutputKind.EMBEDDING));
    plain.add(Map.of("h", ref), Map.of("h", cand));
    OutputFidelity p = plain.results().get(0);
    assertEquals(null, p.pooled().weightedBy());
    assertEquals(2, p.pooled().rows());
    // without a mask, sentence 1 pools its padding too: (50, 52) vs (-50, 11)
    double s1 = (50.0 * -50 + 52.0 * 11) / Math.sqrt((50.0 * 50 + 52 * 52) * (50.0 * 50 + 11 * 11));
    assertEquals(Math.min(s0, s1), p.pooled().worst(), 1e-12);

    Fidelity regression = new Fidelity();
    regression.add(in, Map.of("h", ref), Map.of("h", cand));
    assertEquals(null, regression.results().get(0).pooled());
  }
}

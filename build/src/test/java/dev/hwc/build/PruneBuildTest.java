package dev.hwc.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.prune.PrunableWeights;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.profiles.ProfileLoader;
import org.junit.jupiter.api.Test;

/**
 * Unstructured pruning through {@link Compiler#build}: zeros written into a dense artifact leave its
 * stored size where it was and show only after gzip, and the report says so in those words.
 */
class PruneBuildTest {

  @Test
  void unstructuredPruningIsNotSmallerAsStoredOnlyCompressed() throws Exception {
    Compression c = new Compression(Compression.Pruning.parse("unstructured:0.8"));
    BuildResult r = Compiler.build(BuildRequest.builder(ModelInput.graph(mostlyTinyWeights(SmallModels.convStack64(7))),
        ProfileLoader.builtin("x86-fp32")).precision(Precision.FP32).compression(c).benchSeconds(0.3).build());
    assertTrue(r.chosen().passed(), "the tiny weights pruned away change the outputs little");
    BuildReport.CompressionReport cr = r.report().compression();
    assertNotNull(cr);
    assertEquals("unstructured-0.80", cr.id());
    assertTrue(cr.weightSparsity() > 0.5 && cr.weightSparsity() < 0.8, "first/last kept whole: " + cr.weightSparsity());
    // dense ONNX: the same tensors, the same bytes to within the header
    assertEquals(cr.baselineBytes(), cr.bytes(), cr.baselineBytes() * 0.001, "stored size unchanged");
    assertTrue(cr.gzipBytes() < 0.6 * cr.baselineGzipBytes(), "zeros compress: " + cr.gzipBytes() + " vs " + cr.baselineGzipBytes());
    assertTrue(cr.statement().contains("0% smaller as stored"), cr.statement());
    assertTrue(r.report().speed().measured(), "a pruned fp32 build is timed against the unpruned one");
    assertTrue(r.report().speed().note().contains("uncompressed fp32"), r.report().speed().note());
    assertTrue(cr.parameters() > cr.nonZeros());
  }

  /**
   * The model with 85% of every weight (a seeded choice) scaled by 1e-4: what magnitude pruning at
   * 80% removes then barely changes the outputs, so the gate passes and the speed check runs.
   */
  static Graph mostlyTinyWeights(Graph g) {
    java.util.Random rnd = new java.util.Random(11);
    Graph.Editor e = g.edit();
    for (PrunableWeights.Weight w : PrunableWeights.of(g)) {
      double[] v = w.tensor().toDoubles();
      for (int i = 0; i < v.length; i++) {
        if (rnd.nextDouble() < 0.85) {
          v[i] *= 1e-4;
        }
      }
      e.putInitializer(w.name(), Tensor.fromDoubles(w.tensor().dtype(), w.tensor().shape(), v));
    }
    return e.build();
  }

  @Test
  void noCompressionNoSection() throws Exception {
    BuildResult r = Compiler.build(BuildRequest.builder(ModelInput.graph(SmallModels.plainConvStack(2)),
        ProfileLoader.builtin("x86-fp32")).precision(Precision.FP32).build());
    assertNull(r.report().compression());
  }

  @Test
  void badPruneSpecsAreOneLine() {
    for (String bad : new String[] {"foo:0.5", "unstructured", "unstructured:1.5", "unstructured:x", "unstructured:0.5:sideways"}) {
      BadInputException e = assertThrows(BadInputException.class, () -> Compression.Pruning.parse(bad));
      assertTrue(e.getMessage().startsWith("--prune '" + bad + "'"), e.getMessage());
    }
    assertEquals(0.8, Compression.Pruning.parse("unstructured:80%").amount(), 1e-12);
  }
}

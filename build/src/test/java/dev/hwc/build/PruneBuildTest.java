package dev.hwc.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.prune.PrunableWeights;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.profiles.ProfileLoader;
import java.util.Map;
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

  /**
   * Channel pruning really shrinks: fewer MACs, fewer bytes as stored than the uncompressed build of
   * the same plan; the report names what it compared against.
   */
  @Test
  void channelPruningIsSmallerAsStoredAndInMacs() throws Exception {
    Compression c = new Compression(Compression.Pruning.parse("channel:0.3"));
    BuildResult r;
    try {
      r = Compiler.build(BuildRequest.builder(ModelInput.graph(SmallModels.unetLike(5)),
          ProfileLoader.builtin("x86-fp32")).precision(Precision.FP32).compression(c).benchSeconds(0).build());
    } catch (CheckFailedException e) { // random weights: 30% of the channels gone moves the outputs; the report stands
      r = e.result();
    }
    BuildReport.CompressionReport cr = r.report().compression();
    assertEquals("channel-0.30", cr.id());
    assertTrue(cr.macs() < 0.8 * cr.baselineMacs(), cr.macs() + " vs " + cr.baselineMacs());
    assertEquals(cr.macs(), cr.effectiveMacs(), "no zeros left behind: removed, not zeroed");
    assertTrue(cr.bytes() < 0.8 * cr.baselineBytes(), cr.bytes() + " vs " + cr.baselineBytes());
    assertTrue(cr.parameters() < cr.baselineParameters());
    assertTrue(cr.samePlan(), cr.reference());
    assertTrue(cr.statement().contains("smaller as stored") && cr.statement().contains("MACs"), cr.statement());
  }

  /** 2:4 halves the effective MACs of the pruned layers, not the dense ones, and says where it pays. */
  @Test
  void twoFourSaysWhereItPays() throws Exception {
    Compression c = new Compression(Compression.Pruning.parse("2:4"));
    assertEquals("sparse-2-4", c.id());
    BuildResult r;
    try {
      r = Compiler.build(BuildRequest.builder(ModelInput.graph(SmallModels.plainConvStack(5)),
          ProfileLoader.builtin("x86-fp32")).precision(Precision.FP32).compression(c).benchSeconds(0).build());
    } catch (CheckFailedException e) {
      r = e.result();
    }
    BuildReport.CompressionReport cr = r.report().compression();
    assertEquals(cr.baselineMacs(), cr.macs(), "dense MACs unchanged");
    assertTrue(cr.effectiveMacs() < 0.8 * cr.macs(), cr.effectiveMacs() + " of " + cr.macs());
    assertTrue(cr.statement().contains("TensorRT") && cr.statement().contains("CPU"), cr.statement());
  }

  @Test
  void noCompressionNoSection() throws Exception {
    BuildResult r = Compiler.build(BuildRequest.builder(ModelInput.graph(SmallModels.plainConvStack(2)),
        ProfileLoader.builtin("x86-fp32")).precision(Precision.FP32).build());
    assertNull(r.report().compression());
  }

  @Test
  void badPruneSpecsAreOneLine() {
    for (String bad : new String[] {"foo:0.5", "unstructured", "unstructured:1.5", "unstructured:x", "unstructured:0.5:sideways",
        "channel:0.3:global", "channel:1", "0:4", "4:4", "3:2", "channel:0", "channel:0:w_0", "channel:0:w_0=1",
        "channel:0:w_0=x", "channel:0.2:w_0=0.1,w_0=0.2", "unstructured:0:w_0=0.1"}) {
      BadInputException e = assertThrows(BadInputException.class, () -> Compression.Pruning.parse(bad));
      assertTrue(e.getMessage().startsWith("--prune '" + bad + "'"), e.getMessage());
    }
    assertEquals(0.8, Compression.Pruning.parse("unstructured:80%").amount(), 1e-12);
    Compression.Pruning nm = Compression.Pruning.parse("2:4");
    assertEquals(Compression.Kind.N_M, nm.kind());
    assertEquals(2, nm.kept());
    assertEquals(4, nm.groupSize());
    assertEquals(Compression.Kind.CHANNEL, Compression.Pruning.parse("channel:30%").kind());
    BadInputException lr = assertThrows(BadInputException.class, () -> new Compression(null, 1.5));
    assertTrue(lr.getMessage().startsWith("--low-rank 1.5"), lr.getMessage());
    assertEquals("channel-0.30+lowrank-0.90", new Compression(Compression.Pruning.parse("channel:0.3"), 0.9).id());
    Compression.Pruning plan = Compression.Pruning.parse("channel:0:w_4=0.5,conv_2=0");
    assertEquals(Map.of("conv_2", 0.0, "w_4", 0.5), plan.layerAmounts());
    assertEquals(0.0, plan.amount());
    assertEquals("channel-0.00-conv_2=0.000-w_4=0.500", plan.id());
  }

  @Test
  void aChannelPlanReachesThePass() {
    Graph g = Pipeline.standard().run(SmallModels.unetLike(4), PassContext.forTests());
    Graph p = new Compression(Compression.Pruning.parse("channel:0.25:conv_2=0,w_18_bnfold=0.5"), 0)
        .apply(g, PassContext.forTests());
    assertArrayEquals(new long[] {8, 1, 3, 3}, p.initializer("w_0_bnfold").shape());
    assertArrayEquals(new long[] {12, 8, 3, 3}, p.initializer("w_9_bnfold").shape());
    assertArrayEquals(new long[] {16, 12, 3, 3}, p.initializer("w_18_bnfold").shape());
  }
}

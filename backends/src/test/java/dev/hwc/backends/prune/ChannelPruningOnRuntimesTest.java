package dev.hwc.backends.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.onnx.OrtSession;
import dev.hwc.backends.tflite.TfliteLowering;
import dev.hwc.backends.tflite.TfliteRuntime;
import dev.hwc.backends.tflite.TflWriter;
import dev.hwc.compiler.analysis.ModelStats;
import dev.hwc.compiler.data.RandomInputs;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.prune.ChannelPruning;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.compiler.zoo.WellLogNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Channel pruning is exact: removing groups' channels from every coupled tensor gives, on ONNX
 * Runtime, the outputs of the unpruned model with those groups' producing weights and biases set
 * to zero; the pruned model also runs on the TFLite interpreter with the same outputs, and both
 * artifacts are smaller.
 */
class ChannelPruningOnRuntimesTest {
  @TempDir Path dir;

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of("residual-add", (Supplier<Graph>) () -> SmallModels.residualAdd(11)),
        Arguments.of("concat-skip", (Supplier<Graph>) () -> SmallModels.concatSkip(11)),
        Arguments.of("depthwise-separable", (Supplier<Graph>) () -> SmallModels.depthwiseSeparable(11)),
        Arguments.of("unet-like", (Supplier<Graph>) () -> SmallModels.unetLike(11)),
        Arguments.of("well-log", (Supplier<Graph>) () -> WellLogNet.build(11)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void removingAGroupEqualsZeroingItsProducers(String name, Supplier<Graph> model) throws Exception {
    Graph g = Pipeline.standard().run(model.get(), PassContext.forTests());
    ChannelPruning.Analysis a = ChannelPruning.analyze(g, Set.of());
    Set<Integer> remove = a.lowestScoring(0.3);
    System.out.printf("%s: %d groups, %d prunable, removing %d; left alone: %s%n", name, a.groups().size(),
        a.groups().stream().filter(ChannelPruning.Group::prunable).count(), remove.size(), a.blockedReasons());
    assertFalse(remove.isEmpty(), name + " has groups to remove");
    // every removal at once, and the first prunable group alone
    int single = a.groups().stream().filter(ChannelPruning.Group::prunable).findFirst().orElseThrow().index();
    for (Set<Integer> r : List.of(remove, Set.of(single))) {
      Graph pruned = a.prune(r);
      Graph zeroed = a.zeroed(r);
      assertEquals(List.of(), GraphValidator.validate(pruned), name);
      assertEquals(g.outputs(), pruned.outputs());
      assertEquals(g.inputs(), pruned.inputs());
      Path po = dir.resolve(name + "-pruned.onnx");
      Path zo = dir.resolve(name + "-zeroed.onnx");
      new OnnxEmitter().emit(pruned, po);
      new OnnxEmitter().emit(zeroed, zo);
      assertTrue(Files.size(po) < Files.size(zo), "pruned ONNX is smaller: " + Files.size(po) + " vs " + Files.size(zo));
      Path pt = dir.resolve(name + "-pruned.tflite");
      Path zt = dir.resolve(name + "-zeroed.tflite");
      Files.write(pt, TflWriter.write(TfliteLowering.lower(pruned, TfliteLowering.Options.FLOAT).model()));
      Files.write(zt, TflWriter.write(TfliteLowering.lower(zeroed, TfliteLowering.Options.FLOAT).model()));
      assertTrue(Files.size(pt) < Files.size(zt), "pruned TFLite is smaller: " + Files.size(pt) + " vs " + Files.size(zt));
      long macs = ModelStats.of(g).macs();
      long prunedMacs = ModelStats.of(pruned).macs();
      assertTrue(prunedMacs < macs, name + " MACs " + prunedMacs + " vs " + macs);

      double worstOrt = 0;
      double worstTflite = 0;
      double changed = 0;
      try (OrtSession unpruned = OrtSession.open(dir.resolve(name + "-zeroed.onnx"), SessionOptions.DEFAULT);
          OrtSession p = OrtSession.open(po, SessionOptions.DEFAULT);
          RuntimeSession t = new TfliteRuntime().open(pt, SessionOptions.SOURCE_IO)) {
        Path orig = dir.resolve(name + ".onnx");
        new OnnxEmitter().emit(g, orig);
        try (OrtSession o = OrtSession.open(orig, SessionOptions.DEFAULT)) {
          for (int seed = 0; seed < 2; seed++) {
            Map<String, Tensor> feed = RandomInputs.random(g.inputs(), seed);
            Map<String, Tensor> want = unpruned.run(feed);
            Map<String, Tensor> gotOrt = p.run(feed);
            Map<String, Tensor> gotTflite = t.run(feed);
            Map<String, Tensor> original = o.run(feed);
            for (String out : want.keySet()) {
              worstOrt = Math.max(worstOrt, maxAbs(want.get(out), gotOrt.get(out)));
              worstTflite = Math.max(worstTflite, maxAbs(want.get(out), gotTflite.get(out)));
              changed = Math.max(changed, maxAbs(want.get(out), original.get(out)));
            }
          }
        }
      }
      System.out.printf("  %s removing %d groups: MACs %d -> %d (%.1f%% fewer), ONNX %d -> %d bytes, TFLite %d -> %d bytes;"
              + " max abs vs zeroed: ORT %.3g, TFLite %.3g (zeroing itself moved outputs by %.3g)%n", name, r.size(),
          macs, prunedMacs, 100.0 * (macs - prunedMacs) / macs, Files.size(zo), Files.size(po), Files.size(zt),
          Files.size(pt), worstOrt, worstTflite, changed);
      assertTrue(worstOrt <= 1e-5, name + ": pruned vs zeroed on ONNX Runtime " + worstOrt);
      assertTrue(worstTflite <= 1e-4, name + ": pruned TFLite vs zeroed ONNX Runtime " + worstTflite);
      assertTrue(changed > 1e-4, name + ": the zeroed channels mattered (else the check proves nothing): " + changed);
    }
  }

  /** A channel that reaches a Sigmoid (0 -> 0.5) or a graph output is left alone, with the reason. */
  @Test
  void couplingsNotFollowedAreLeftAloneWithAReason() {
    Graph g = Pipeline.standard().run(SmallModels.twoOutput(3), PassContext.forTests());
    ChannelPruning.Analysis a = ChannelPruning.analyze(g, Set.of());
    String reasons = String.join("\n", a.blockedReasons());
    assertTrue(reasons.contains("graph output"), reasons);
    for (ChannelPruning.Group gr : a.groups()) {
      if (!gr.prunable()) {
        assertThrowsOnRemoval(a, gr.index());
      }
    }
  }

  private static void assertThrowsOnRemoval(ChannelPruning.Analysis a, int group) {
    try {
      a.prune(Set.of(group));
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage().contains("left alone"));
      return;
    }
    throw new AssertionError("a group left alone was removed");
  }

  static double maxAbs(Tensor a, Tensor b) {
    double[] x = a.toDoubles();
    double[] y = b.toDoubles();
    assertEquals(x.length, y.length);
    double m = 0;
    for (int i = 0; i < x.length; i++) {
      m = Math.max(m, Math.abs(x[i] - y[i]));
    }
    return m;
  }
}

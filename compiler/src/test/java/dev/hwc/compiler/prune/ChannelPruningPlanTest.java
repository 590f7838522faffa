package dev.hwc.compiler.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.analysis.ModelStats;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.zoo.SmallModels;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Non-uniform channel pruning: channel spaces named by a producing layer or weight get their own fraction. */
class ChannelPruningPlanTest {
  // unet-like after BatchNorm folding: conv_2 (8 out) -> conv_11 (16) -> conv_20 (32) -> convtranspose_29 (16),
  // concat with conv_11's output -> conv_34 (16) -> resize, concat with conv_2's -> conv_41 (8) -> conv_45 (3, softmax)
  private static Graph unet() {
    return Pipeline.standard().run(SmallModels.unetLike(4), PassContext.forTests());
  }

  private static long[] shape(Graph g, String w) {
    return g.initializer(w).shape();
  }

  @Test
  void namedSpacesGetTheirOwnFractionTheOthersTheBaseAmount() {
    Graph g = unet();
    Graph uniform = new ChannelPruning(0.25, Set.of()).run(g, PassContext.forTests());
    assertArrayEquals(new long[] {6, 1, 3, 3}, shape(uniform, "w_0_bnfold"));
    assertArrayEquals(new long[] {24, 12, 3, 3}, shape(uniform, "w_18_bnfold"));

    // by node name (conv_2: kept whole) and by weight name (conv_20's weight: half removed)
    Graph p = new ChannelPruning(0.25, Set.of(), Map.of("conv_2", 0.0, "w_18_bnfold", 0.5)).run(g, PassContext.forTests());
    assertArrayEquals(new long[] {8, 1, 3, 3}, shape(p, "w_0_bnfold"));
    assertArrayEquals(new long[] {12, 8, 3, 3}, shape(p, "w_9_bnfold"));
    assertArrayEquals(new long[] {16, 12, 3, 3}, shape(p, "w_18_bnfold"));
    assertArrayEquals(new long[] {16, 12, 2, 2}, shape(p, "wt_27"), "ConvTranspose: 16 of 32 inputs, 12 of 16 outputs");
    assertArrayEquals(new long[] {12, 24, 3, 3}, shape(p, "w_32"), "concat of 12 + 12");
    assertArrayEquals(new long[] {6, 20, 3, 3}, shape(p, "w_39"), "concat of 12 + conv_2's whole 8");
    assertArrayEquals(new long[] {3, 6, 1, 1}, shape(p, "w_43"));
    assertTrue(ModelStats.of(p).macs() < ModelStats.of(g).macs());

    // a base amount of 0 prunes only the named spaces
    Graph only = new ChannelPruning(0, Set.of(), Map.of("conv_41", 0.5)).run(g, PassContext.forTests());
    assertArrayEquals(new long[] {4, 24, 3, 3}, shape(only, "w_39"));
    assertArrayEquals(new long[] {3, 4, 1, 1}, shape(only, "w_43"));
    assertArrayEquals(new long[] {16, 8, 3, 3}, shape(only, "w_9_bnfold"));
  }

  @Test
  void unknownOrConflictingNamesAreBadInput() {
    ChannelPruning.Analysis a = ChannelPruning.analyze(unet(), Set.of());
    BadInputException unknown = assertThrows(BadInputException.class, () -> a.lowestScoring(0.2, Map.of("nope", 0.1)));
    assertTrue(unknown.getMessage().contains("'nope' is not a layer or weight") && unknown.getMessage().contains("w_0_bnfold"),
        unknown.getMessage());
    BadInputException twice = assertThrows(BadInputException.class,
        () -> a.lowestScoring(0.2, Map.of("conv_2", 0.0, "w_0_bnfold", 0.5)));
    assertTrue(twice.getMessage().contains("another amount"), twice.getMessage());
    assertEquals(a.lowestScoring(0.2, Map.of("conv_2", 0.5, "w_0_bnfold", 0.5)), a.lowestScoring(0.2, Map.of("conv_2", 0.5)));
  }
}

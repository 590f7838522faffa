package dev.hwc.compiler.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.zoo.SmallModels;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MagnitudePruningTest {

  @Test
  void perLayerZeroesExactlyTheSmallestFractionOfEachUnprotectedWeight() {
    Graph g = SmallModels.residualAdd(3);
    List<String> protect = PrunableWeights.firstAndLast(g);
    Graph p = new MagnitudePruning(0.8, MagnitudePruning.Scope.PER_LAYER, Set.copyOf(protect)).run(g, PassContext.forTests());
    List<PrunableWeights.Weight> before = PrunableWeights.of(g);
    List<PrunableWeights.Weight> after = PrunableWeights.of(p);
    assertEquals(before.size(), after.size());
    assertTrue(before.size() >= 3, "residualAdd has at least 3 weighted layers");
    for (int i = 0; i < before.size(); i++) {
      double[] a = before.get(i).tensor().toDoubles();
      double[] b = after.get(i).tensor().toDoubles();
      assertArrayEquals(before.get(i).tensor().shape(), after.get(i).tensor().shape());
      if (protect.contains(before.get(i).layer().name())) {
        assertArrayEquals(a, b, 0, "protected layer unchanged");
        continue;
      }
      long zeros = java.util.Arrays.stream(b).filter(d -> d == 0).count();
      assertEquals((long) Math.floor(0.8 * a.length), zeros, before.get(i).name());
      // every kept value is unchanged and at least as large as every zeroed one
      double maxZeroed = 0;
      double minKept = Double.MAX_VALUE;
      for (int k = 0; k < a.length; k++) {
        if (b[k] == 0) {
          maxZeroed = Math.max(maxZeroed, Math.abs(a[k]));
        } else {
          assertEquals(a[k], b[k], 0);
          minKept = Math.min(minKept, Math.abs(a[k]));
        }
      }
      assertTrue(maxZeroed <= minKept, "magnitude order: zeroed " + maxZeroed + " kept " + minKept);
    }
    assertEquals(g.inputs(), p.inputs());
    assertEquals(g.outputs(), p.outputs());
    assertEquals(g.nodes(), p.nodes());
  }

  @Test
  void globalThresholdHitsTheTargetOverAllUnprotectedWeights() {
    Graph g = SmallModels.unetLike(5);
    Graph p = new MagnitudePruning(0.5, MagnitudePruning.Scope.GLOBAL, Set.of()).run(g, PassContext.forTests());
    Sparsity s = Sparsity.of(p);
    assertEquals(0.5, s.weightSparsity(), 0.01);
    assertEquals(Sparsity.of(g).weightParameters(), s.weightParameters());
    assertTrue(s.nonZeros() < Sparsity.of(g).nonZeros());
  }

  @Test
  void zeroSparsityAndAllProtectedChangeNothing() {
    Graph g = SmallModels.plainConvStack(1);
    assertSame(g, new MagnitudePruning(0, MagnitudePruning.Scope.PER_LAYER, Set.of()).run(g, PassContext.defaults()));
    Set<String> all = new java.util.HashSet<>();
    PrunableWeights.of(g).forEach(w -> all.add(w.layer().name()));
    assertSame(g, new MagnitudePruning(0.9, MagnitudePruning.Scope.PER_LAYER, all).run(g, PassContext.defaults()));
  }

  @Test
  void tiesAreBrokenByPositionSoTheCountIsExact() {
    double[] v = {1, 1, 1, 1, 2, 0.5};
    double[] z = MagnitudePruning.zeroSmallest(v, 3);
    assertArrayEquals(new double[] {0, 0, 1, 1, 2, 0}, z, 0);
  }
}

package dev.hwc.compiler.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.compiler.zoo.WellLogNet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NmPruningTest {

  /** Every full group of 4 along the reduction axis of every pruned weight holds at least 2 zeros; the kept values are the 2 largest. */
  @Test
  void everyGroupOfFourAlongTheReductionAxisHasTwoZeros() {
    for (Graph g : new Graph[] {SmallModels.depthwiseSeparable(3), SmallModels.unetLike(4),
        Pipeline.standard().run(WellLogNet.build(5), PassContext.forTests()), SmallModels.plainConvStack(2)}) {
      Graph p = new NmPruning(2, 4, Set.of()).run(g, PassContext.forTests());
      int checkedLayers = 0;
      for (PrunableWeights.Weight before : PrunableWeights.of(g)) {
        var after = p.initializer(before.name());
        assertArrayEquals(before.tensor().shape(), after.shape());
        int axis = NmPruning.reductionAxis(before.layer(), before.tensor());
        long[] s = before.tensor().shape();
        double[] a = before.tensor().toDoubles();
        double[] b = after.toDoubles();
        if (axis < 0 || s[axis] < 4) {
          assertArrayEquals(a, b, 0, before.layer().name() + " has no group of 4: left whole");
          continue;
        }
        checkedLayers++;
        long inner = 1;
        for (int i = axis + 1; i < s.length; i++) {
          inner *= s[i];
        }
        long groups = 0;
        for (long o = 0; o < a.length / (s[axis] * inner); o++) {
          for (long in = 0; in < inner; in++) {
            for (long st = 0; st + 4 <= s[axis]; st += 4) {
              int zeros = 0;
              double maxZeroed = 0;
              double minKept = Double.MAX_VALUE;
              for (int j = 0; j < 4; j++) {
                int k = (int) ((o * s[axis] + st + j) * inner + in);
                if (b[k] == 0) {
                  zeros++;
                  maxZeroed = Math.max(maxZeroed, Math.abs(a[k]));
                } else {
                  assertEquals(a[k], b[k], 0);
                  minKept = Math.min(minKept, Math.abs(a[k]));
                }
              }
              assertTrue(zeros >= 2, before.name() + ": a group of 4 with " + zeros + " zeros");
              assertTrue(maxZeroed <= minKept);
              groups++;
            }
          }
        }
        assertTrue(groups > 0);
      }
      assertTrue(checkedLayers > 0, g.name());
      double sp = Sparsity.of(p).weightSparsity();
      assertTrue(sp > 0.3 && sp <= 0.5 + 1e-9, g.name() + " sparsity " + sp);
      assertEquals(g.inputs(), p.inputs());
      assertEquals(g.outputs(), p.outputs());
    }
  }

  @Test
  void theReductionAxisIsTheInputChannelAxis() {
    // a Conv weight [M, C, kH, kW]: a group runs over 4 consecutive input channels at one (m, kh, kw)
    double[] v = new double[2 * 4 * 1 * 1];
    for (int i = 0; i < v.length; i++) {
      v[i] = i + 1; // per output channel m: [1,2,3,4], [5,6,7,8]
    }
    double[] p = NmPruning.prune(v, new long[] {2, 4, 1, 1}, 1, 2, 4);
    assertArrayEquals(new double[] {0, 0, 3, 4, 0, 0, 7, 8}, p, 0);
    // the same values read with the groups along axis 0 of a [4, 2] weight (MatMul B[K, N])
    double[] q = NmPruning.prune(new double[] {1, 8, 2, 7, 3, 6, 4, 5}, new long[] {4, 2}, 0, 2, 4);
    assertArrayEquals(new double[] {0, 8, 0, 7, 3, 0, 4, 0}, q, 0);
  }
}

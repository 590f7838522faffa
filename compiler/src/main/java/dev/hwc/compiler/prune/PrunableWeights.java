package dev.hwc.compiler.prune;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ops.OpRegistry;
import dev.hwc.compiler.ops.OpTrait;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights a pruning pass may touch: the constant float second input of every op the registry
 * marks {@link OpTrait#WEIGHTED} (Conv, ConvTranspose, Gemm, MatMul), in graph order. Biases, norms
 * and every other constant are left alone. A weight read by several layers appears once, under its
 * first reader.
 */
public final class PrunableWeights {
  private PrunableWeights() {}

  /** A prunable weight: the initializer's name, its first reader, and the tensor. */
  public record Weight(String name, Node layer, Tensor tensor) {}

  public static List<Weight> of(Graph g) {
    Map<String, Weight> out = new LinkedHashMap<>();
    for (Node n : g.nodes()) {
      boolean weighted = OpRegistry.lookup(n.op()).map(d -> d.has(OpTrait.WEIGHTED)).orElse(false);
      if (!weighted || !n.hasInput(1)) {
        continue;
      }
      Tensor w = g.initializer(n.input(1));
      if (w != null && w.dtype().isFloat() && w.rank() >= 2 && !out.containsKey(n.input(1))) {
        out.put(n.input(1), new Weight(n.input(1), n, w));
      }
    }
    return new ArrayList<>(out.values());
  }

  /**
   * The layers a plan protects by default: the first and the last weighted layer (the first sees
   * the raw input and the last writes the outputs; both are small and prune badly).
   */
  public static List<String> firstAndLast(Graph g) {
    List<Weight> w = of(g);
    if (w.isEmpty()) {
      return List.of();
    }
    return w.size() == 1 ? List.of(w.get(0).layer().name())
        : List.of(w.get(0).layer().name(), w.get(w.size() - 1).layer().name());
  }
}

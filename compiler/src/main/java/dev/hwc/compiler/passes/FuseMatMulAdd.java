package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.List;
import java.util.Optional;

/**
 * Fuses {@code Add(MatMul(a, w), bias)} into {@code Gemm(a, w, bias)} where Gemm means the same:
 * {@code a} is known to be 2-D, {@code w} is a 2-D constant [K, N], the bias is a constant of shape
 * [N] or [1, N], the types are floating point, and the MatMul result is read by the Add alone. On
 * 3-D activations (transformer blocks) it does not fire: Gemm is 2-D only.
 */
public final class FuseMatMulAdd implements Pass {
  public static final String NAME = "fuse-matmul-add";
  private static final PassInfo INFO = new PassInfo(NAME, 2, List.of(InferShapes.NAME));

  private static final RuleSet RULES = RuleSet.on("Add",
      // Add(MatMul(a, w), bias) -> Gemm(a, w, bias)
      (g, add) -> fuse(g, add, add.input(0), add.input(1)),
      // Add(bias, MatMul(a, w)) -> Gemm(a, w, bias)
      (g, add) -> fuse(g, add, add.input(1), add.input(0)));

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return RULES.rewrite(g);
  }

  private static Optional<Rule.Rewrite> fuse(Graph g, Node add, String product, String biasName) {
    Node mm = Match.soleOutputProducer(g, product, "MatMul");
    if (mm == null || product.equals(biasName) || !Match.onlyReader(g, product, add)) {
      return Optional.empty();
    }
    Value a = g.type(mm.input(0));
    Tensor w = Match.constant(g, mm.input(1));
    Tensor bias = Match.constant(g, biasName);
    if (a == null || Match.rank(g, mm.input(0)) != 2 || !a.dtype().isFloat()
        || w == null || w.rank() != 2 || w.dtype() != a.dtype()
        || bias == null || bias.dtype() != a.dtype()) {
      return Optional.empty();
    }
    long n = w.shape()[1];
    long[] b = bias.shape();
    boolean broadcastsToN = b.length == 1 && b[0] == n || b.length == 2 && b[0] == 1 && b[1] == n;
    if (!broadcastsToN) {
      return Optional.empty();
    }
    Node gemm = new Node(mm.name(), "Gemm", List.of(mm.input(0), mm.input(1), biasName), add.outputs(),
        Attributes.EMPTY);
    return Optional.of(e -> {
      e.replaceNode(mm, List.of(gemm));
      e.removeNode(add);
      e.valueTypes().remove(product);
    });
  }
}

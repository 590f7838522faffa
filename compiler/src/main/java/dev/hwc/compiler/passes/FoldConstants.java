package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.OpDef;
import dev.hwc.compiler.ops.OpRegistry;
import dev.hwc.compiler.ops.OpTrait;
import dev.hwc.compiler.ops.ShapeInference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Replaces nodes whose value is known at compile time by initializers: nodes whose inputs are all
 * constant, evaluated with the op's reference kernel, and shape-only nodes (Shape) whose input has
 * a static shape. Shape inference runs again after each sweep, so the Shape -> Gather -> Unsqueeze
 * -> Concat -> Reshape chains exporters emit collapse once shapes are known.
 *
 * <p>Left alone: ops without a kernel, nodes that produce a graph output, results above {@code
 * maxElements} elements that are larger than their inputs (a big Expand or ConstantOfShape costs
 * file size and load time and saves nothing), and nodes whose kernel fails (noted in the log).
 */
public final class FoldConstants implements Pass {
  public static final String NAME = "fold-constants";
  /** Default cap on a folded result: 1M elements (4 MiB of fp32). */
  public static final long DEFAULT_MAX_ELEMENTS = 1L << 20;
  /** Sweeps per run: each infers shapes, then folds all it can; the next sees shapes those folds made static. */
  private static final int MAX_SWEEPS = 16;

  private static final PassInfo INFO = new PassInfo(NAME, 1);

  private final long maxElements;

  public FoldConstants() {
    this(DEFAULT_MAX_ELEMENTS);
  }

  public FoldConstants(long maxElements) {
    this.maxElements = maxElements;
  }

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    Folder folder = new Folder(ctx);
    RuleSet rules = RuleSet.onAnyOp(
        // f(c1, c2, ...) -> f's kernel applied to the constants
        folder::allInputsConstant,
        // Shape(x) -> x's static shape (any SHAPE_ONLY op whose input's shape is static)
        folder::shapeOnlyOfStatic);
    Graph cur = g;
    for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      Graph typed = ShapeInference.run(cur);
      Graph next = rules.rewrite(typed);
      if (next == typed) {
        return cur == g ? g : typed;
      }
      cur = next;
    }
    ctx.note(NAME + ": stopped after " + MAX_SWEEPS + " sweeps");
    return ShapeInference.run(cur);
  }

  /** The rules of one run, remembering nodes whose kernel failed so they are tried once. */
  private final class Folder {
    private final PassContext ctx;
    private final Set<Node> failed = Collections.newSetFromMap(new IdentityHashMap<>());

    Folder(PassContext ctx) {
      this.ctx = ctx;
    }

    Optional<Rule.Rewrite> allInputsConstant(Graph g, Node n) {
      List<Tensor> inputs = new ArrayList<>();
      long inputElements = 0;
      for (String in : n.inputs()) {
        Tensor t = in.isEmpty() ? null : Match.constant(g, in);
        if (t == null && !in.isEmpty()) {
          return Optional.empty();
        }
        inputs.add(t);
        inputElements += t == null ? 0 : t.numElements();
      }
      return fold(g, n, inputs, inputElements);
    }

    Optional<Rule.Rewrite> shapeOnlyOfStatic(Graph g, Node n) {
      OpDef def = OpRegistry.lookup(n.op()).orElse(null);
      if (def == null || !def.has(OpTrait.SHAPE_ONLY) || n.inputs().size() != 1) {
        return Optional.empty();
      }
      Value x = g.type(n.input(0));
      if (x == null || !x.shape().isStatic()) {
        return Optional.empty();
      }
      // The kernel reads only the input's type, never its data.
      return fold(g, n, Arrays.asList((Tensor) null), 0);
    }

    private Optional<Rule.Rewrite> fold(Graph g, Node n, List<Tensor> inputs, long inputElements) {
      OpDef def = n.domain().isEmpty() ? OpRegistry.lookup(n.op()).orElse(null) : null;
      if (def == null || def.kernel() == null || failed.contains(n)
          || n.outputs().stream().anyMatch(g::isGraphOutput)) {
        return Optional.empty();
      }
      long expected = expectedElements(g, n);
      if (expected > maxElements && expected > inputElements) {
        return Optional.empty();
      }
      List<Tensor> results;
      try {
        results = ShapeInference.evaluate(g, n, inputs);
      } catch (RuntimeException e) {
        return skip(n, "kernel failed: " + e.getMessage());
      }
      long total = 0;
      for (int i = 0; i < n.outputs().size(); i++) {
        String problem = disagreement(g, n.output(i), i < results.size() ? results.get(i) : null);
        if (problem != null) {
          return skip(n, problem);
        }
        total += n.output(i).isEmpty() ? 0 : results.get(i).numElements();
      }
      if (total > maxElements && total > inputElements) {
        return Optional.empty();
      }
      return Optional.of(e -> {
        e.removeNode(n);
        for (int i = 0; i < n.outputs().size(); i++) {
          if (!n.output(i).isEmpty()) {
            e.putInitializer(n.output(i), results.get(i));
          }
        }
      });
    }

    private Optional<Rule.Rewrite> skip(Node n, String why) {
      failed.add(n);
      ctx.note(NAME + ": left " + n.describe() + " unfolded: " + why);
      return Optional.empty();
    }
  }

  /** Elements of n's outputs as shape inference knows them; -1 when some are not static. */
  private static long expectedElements(Graph g, Node n) {
    long total = 0;
    for (String o : n.outputs()) {
      if (o.isEmpty()) {
        continue;
      }
      Value v = g.type(o);
      if (v == null || !v.shape().isStatic()) {
        return -1;
      }
      total += v.shape().numElements();
    }
    return total;
  }

  /** Why a kernel result contradicts the inferred type of the output, or null when it agrees. */
  private static String disagreement(Graph g, String output, Tensor result) {
    if (output.isEmpty()) {
      return null;
    }
    if (result == null) {
      return "no result for output '" + output + "'";
    }
    Value v = g.type(output);
    if (v == null) {
      return null;
    }
    boolean dtypeOk = v.dtype() == DType.UNDEFINED || v.dtype() == result.dtype();
    if (!dtypeOk || !v.shape().compatibleWith(Shape.of(result.shape()))) {
      return "result " + result + " disagrees with the inferred " + v;
    }
    return null;
  }
}

package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Folds the shape arithmetic exporters emit even when some dims stay symbolic (a dynamic batch or
 * sequence length), where {@link FoldConstants} cannot: a dim read from a tensor whose size at that
 * position is static becomes that size, and a Reshape target built from its own input's dims
 * ({@code x.view(x.size(0), x.size(1), 12, 32)}) becomes a constant target that copies those dims
 * with ONNX's 0 ({@code [0, 0, 12, 32]}). The Shape/Gather/Unsqueeze/Concat nodes left unread are
 * removed by dead-node elimination.
 */
public final class SimplifyShapeChains implements Pass {
  public static final String NAME = "simplify-shape-chains";
  private static final PassInfo INFO = new PassInfo(NAME, 1, List.of(InferShapes.NAME));

  private static final RuleSet RULES = RuleSet.on("Gather",
          // Gather(Shape(x), k) -> size of x at k, when that size is static
          SimplifyShapeChains::staticDims)
      .plus(RuleSet.on("Reshape",
          // Reshape(x, Concat(dims of x at the same positions, constants)) -> Reshape(x, [0, .., c..])
          SimplifyShapeChains::copiedDims));

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return RULES.rewrite(g);
  }

  /** One entry of a shape vector as a symbolic fact: a known size, or "dim k of value v". */
  private record Entry(long size, String source, int dim) {
    static Entry of(long size) {
      return new Entry(size, null, -1);
    }
  }

  private static Optional<Rule.Rewrite> staticDims(Graph g, Node gather) {
    List<Entry> entries = shapeEntries(g, gather.output(0), 0);
    if (entries == null || entries.stream().anyMatch(e -> e.source() != null) || g.isGraphOutput(gather.output(0))) {
      return Optional.empty();
    }
    Value type = g.type(gather.output(0));
    long[] shape = type != null && type.shape().hasRank() && type.shape().rank() == 0 ? new long[0] : new long[] {entries.size()};
    Tensor value = Tensor.ofLongs(shape, entries.stream().mapToLong(Entry::size).toArray());
    String name = Match.freshName(g, gather.output(0) + "_folded");
    return Optional.of(e -> {
      e.putInitializer(name, value);
      e.replaceUses(gather.output(0), name);
      e.removeNode(gather);
    });
  }

  private static Optional<Rule.Rewrite> copiedDims(Graph g, Node reshape) {
    if (reshape.attrs().getInt("allowzero", 0) != 0 || Match.isConstant(g, reshape.input(1))) {
      return Optional.empty();
    }
    List<Entry> entries = shapeEntries(g, reshape.input(1), 0);
    if (entries == null) {
      return Optional.empty();
    }
    Shape data = g.type(reshape.input(0)) == null ? Shape.UNKNOWN : g.type(reshape.input(0)).shape();
    long[] target = new long[entries.size()];
    for (int j = 0; j < target.length; j++) {
      Entry e = entries.get(j);
      if (e.source() == null) {
        if (e.size() == 0) {
          return Optional.empty(); // a literal 0 would now mean "copy"; leave such targets alone
        }
        target[j] = e.size();
      } else if (e.source().equals(reshape.input(0)) && e.dim() == j) {
        target[j] = 0; // ONNX Reshape: 0 copies the input's dim at the same position
      } else {
        return Optional.empty();
      }
    }
    if (!data.hasRank() && java.util.Arrays.stream(target).anyMatch(t -> t == 0)) {
      return Optional.empty();
    }
    String name = Match.freshName(g, reshape.output(0) + "_shape");
    Node rewired = reshape.withInputs(List.of(reshape.input(0), name));
    return Optional.of(e -> {
      e.putInitializer(name, Tensor.vector(target));
      e.replaceNode(reshape, List.of(rewired));
    });
  }

  /**
   * The entries of a 1-D (or scalar) int64 shape value, traced through Concat, Unsqueeze, Gather
   * and Shape to constants and "dim k of x" facts; null when the value is anything else.
   */
  private static List<Entry> shapeEntries(Graph g, String value, int depth) {
    Tensor c = Match.constant(g, value);
    if (c != null) {
      if (c.rank() > 1 || c.dtype() != DType.INT64) {
        return null;
      }
      List<Entry> out = new ArrayList<>();
      for (long v : c.toLongs()) {
        out.add(Entry.of(v));
      }
      return out;
    }
    Node p = g.producer(value);
    if (p == null || depth > 8 || !p.domain().isEmpty()) {
      return null;
    }
    switch (p.op()) {
      case "Shape": {
        Value x = g.type(p.input(0));
        if (x == null || !x.shape().hasRank()) {
          return null;
        }
        int rank = x.shape().rank();
        long start = clamp(p.attrs().getInt("start", 0), rank);
        long end = clamp(p.attrs().getInt("end", rank), rank);
        List<Entry> out = new ArrayList<>();
        for (int k = (int) start; k < end; k++) {
          Dim d = x.shape().dim(k);
          out.add(d.isStatic() ? Entry.of(d.size()) : new Entry(-1, p.input(0), k));
        }
        return out;
      }
      case "Gather": {
        Tensor idx = Match.constant(g, p.input(1));
        List<Entry> from = shapeEntries(g, p.input(0), depth + 1);
        if (idx == null || from == null || idx.rank() > 1 || p.attrs().getInt("axis", 0) != 0) {
          return null;
        }
        List<Entry> out = new ArrayList<>();
        for (long i : idx.toLongs()) {
          long k = i < 0 ? i + from.size() : i;
          if (k < 0 || k >= from.size()) {
            return null;
          }
          out.add(from.get((int) k));
        }
        return out;
      }
      case "Unsqueeze":
      case "Squeeze": {
        // on scalars and 1-D vectors these only change rank, not the entries
        List<Entry> from = shapeEntries(g, p.input(0), depth + 1);
        Value out = g.type(p.output(0));
        return from != null && out != null && out.shape().hasRank() && out.shape().rank() <= 1 ? from : null;
      }
      case "Concat": {
        if (p.attrs().getInt("axis", 0) != 0 && p.attrs().getInt("axis", 0) != -1) {
          return null;
        }
        List<Entry> out = new ArrayList<>();
        for (String in : p.inputs()) {
          List<Entry> part = shapeEntries(g, in, depth + 1);
          if (part == null) {
            return null;
          }
          out.addAll(part);
        }
        return out;
      }
      default:
        return null;
    }
  }

  private static long clamp(long axis, int rank) {
    long a = axis < 0 ? axis + rank : axis;
    return Math.max(0, Math.min(rank, a));
  }
}

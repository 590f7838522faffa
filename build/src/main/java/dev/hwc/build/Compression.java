package dev.hwc.build;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.passes.Pass;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.prune.MagnitudePruning;
import dev.hwc.compiler.prune.PrunableWeights;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a build does to the model before it is quantized (prune, then quantize): which pruning,
 * how much, which layers stay whole. {@link #NONE} leaves the model as it is.
 *
 * @param prune the pruning, or null for none
 */
public record Compression(Pruning prune) {
  public static final Compression NONE = new Compression(null);

  public boolean isNone() {
    return prune == null;
  }

  /** A short id for reports and file names: {@code none}, {@code unstructured-0.80}. */
  public String id() {
    return isNone() ? "none" : prune.id();
  }

  /**
   * The passes that apply this compression to a graph, in order. Protected layers default to the
   * first and last weighted layer of {@code g}.
   */
  public List<Pass> passes(Graph g) {
    List<Pass> out = new ArrayList<>();
    if (prune != null) {
      Set<String> keep = new LinkedHashSet<>(prune.protectedLayers() != null ? prune.protectedLayers()
          : PrunableWeights.firstAndLast(g));
      switch (prune.kind()) {
        case UNSTRUCTURED -> out.add(new MagnitudePruning(prune.amount(), prune.scope(), keep));
      }
    }
    return out;
  }

  /** Applies {@link #passes} to g. */
  public Graph apply(Graph g, PassContext ctx) {
    Graph out = g;
    for (Pass p : passes(g)) {
      out = ctx.run(p, out);
    }
    return out;
  }

  /** The kinds of pruning. */
  public enum Kind {
    /** Individual weights of smallest magnitude set to zero (shapes unchanged). */
    UNSTRUCTURED("unstructured");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  /**
   * @param kind which pruning
   * @param amount how much: the fraction of weights zeroed (unstructured)
   * @param scope per layer or one global threshold (unstructured)
   * @param protectedLayers node names left whole; null for the first and last weighted layer
   */
  public record Pruning(Kind kind, double amount, MagnitudePruning.Scope scope, List<String> protectedLayers) {
    public Pruning {
      if (!(amount >= 0 && amount < 1)) {
        throw new BadInputException("pruning amount must be in [0, 1), got " + amount);
      }
      scope = scope == null ? MagnitudePruning.Scope.PER_LAYER : scope;
      protectedLayers = protectedLayers == null ? null : List.copyOf(protectedLayers);
    }

    public String id() {
      return kind.id() + "-" + String.format(Locale.ROOT, "%.2f", amount);
    }

    /**
     * Reads a {@code --prune} value: {@code unstructured:0.8} (or {@code unstructured:80%}),
     * optionally {@code unstructured:0.8:global}.
     */
    public static Pruning parse(String spec) {
      String[] p = spec.trim().split(":");
      Kind kind = null;
      for (Kind k : Kind.values()) {
        if (k.id().equalsIgnoreCase(p[0])) {
          kind = k;
        }
      }
      if (kind == null) {
        throw new BadInputException("--prune '" + spec + "': unknown kind '" + p[0] + "' (known: unstructured:AMOUNT)");
      }
      if (p.length < 2 || p.length > 3) {
        throw new BadInputException("--prune '" + spec + "': expected " + kind.id() + ":AMOUNT, e.g. " + kind.id() + ":0.8");
      }
      double amount;
      try {
        amount = p[1].endsWith("%") ? Double.parseDouble(p[1].substring(0, p[1].length() - 1)) / 100
            : Double.parseDouble(p[1]);
      } catch (NumberFormatException e) {
        throw new BadInputException("--prune '" + spec + "': amount '" + p[1] + "' is not a number");
      }
      if (!(amount > 0 && amount < 1)) {
        throw new BadInputException("--prune '" + spec + "': amount must be between 0 and 1 (exclusive), got " + p[1]);
      }
      MagnitudePruning.Scope scope = MagnitudePruning.Scope.PER_LAYER;
      if (p.length == 3) {
        scope = switch (p[2].toLowerCase(Locale.ROOT)) {
          case "global" -> MagnitudePruning.Scope.GLOBAL;
          case "layer", "per-layer" -> MagnitudePruning.Scope.PER_LAYER;
          default -> throw new BadInputException("--prune '" + spec + "': scope '" + p[2] + "' is not global or per-layer");
        };
      }
      return new Pruning(kind, amount, scope, null);
    }
  }
}

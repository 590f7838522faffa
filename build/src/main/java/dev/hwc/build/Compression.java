package dev.hwc.build;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.passes.Pass;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.prune.ChannelPruning;
import dev.hwc.compiler.prune.LowRankFactorization;
import dev.hwc.compiler.prune.MagnitudePruning;
import dev.hwc.compiler.prune.NmPruning;
import dev.hwc.compiler.prune.PrunableWeights;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a build does to the model before it is quantized (prune, factorize, fine-tune, then
 * quantize): which pruning, how much, which layers stay whole, and how the compressed model is
 * trained to recover. {@link #NONE} leaves the model as it is.
 *
 * @param prune the pruning, or null for none
 * @param lowRank low-rank factorization of MatMul/Gemm weights after pruning: the fraction of each
 *     weight's energy kept, in (0, 1]; 0 for none
 * @param fineTune the fine-tuning after pruning, or null for none
 */
public record Compression(Pruning prune, double lowRank, FineTune fineTune) {
  public static final Compression NONE = new Compression(null, 0, null);

  public Compression {
    if (lowRank != 0 && !(lowRank > 0 && lowRank <= 1)) {
      throw new BadInputException("--low-rank " + lowRank + ": expected the kept energy, a fraction in (0, 1], e.g. 0.9");
    }
    if (fineTune != null && prune == null && lowRank == 0) {
      throw new BadInputException("--fine-tune needs --prune (or --low-rank): it trains a compressed model to recover what compression cost");
    }
  }

  public Compression(Pruning prune) {
    this(prune, 0, null);
  }

  public Compression(Pruning prune, double lowRank) {
    this(prune, lowRank, null);
  }

  public Compression(Pruning prune, FineTune fineTune) {
    this(prune, 0, fineTune);
  }

  /** This compression with the given fine-tuning (null: none). */
  public Compression withFineTune(FineTune f) {
    return new Compression(prune, lowRank, f);
  }

  public boolean isNone() {
    return prune == null && lowRank == 0;
  }

  /** A short id for reports and file names: {@code none}, {@code unstructured-0.80}, {@code lowrank-0.90}. */
  public String id() {
    if (isNone()) {
      return "none";
    }
    String lr = lowRank == 0 ? "" : String.format(Locale.ROOT, "lowrank-%.2f", lowRank);
    String base = prune == null ? lr : lowRank == 0 ? prune.id() : prune.id() + "+" + lr;
    return base + (fineTune == null ? "" : "+" + fineTune.id());
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
        case N_M -> out.add(new NmPruning(prune.kept(), prune.groupSize(), keep));
        // channels: only what the user protects (a protected first layer would keep its output channels,
        // which are the cheapest to remove; the last layer's channels are graph outputs, always kept)
        case CHANNEL -> out.add(new ChannelPruning(prune.amount(),
            prune.protectedLayers() != null ? Set.copyOf(prune.protectedLayers()) : Set.of(), prune.layerAmounts()));
      }
    }
    if (lowRank > 0) { // first and last weighted layers kept whole, as for pruning
      out.add(LowRankFactorization.byEnergy(lowRank, Set.copyOf(PrunableWeights.firstAndLast(g))));
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

  /**
   * Training after pruning, with the pruned zeros held at zero.
   *
   * @param steps optimizer steps (the step budget)
   * @param distill true: match the float model's outputs on unlabelled inputs; false: the model's own
   *     loss on labelled data (only the bundled well-log example has one)
   * @param seed order of the training samples
   * @param seconds time budget (0: none); training stops at the step that exceeds it
   * @param learningRate Adam's peak learning rate
   * @param batch samples per step
   * @param train a folder of .npz inputs to train on, or null for the calibration set
   * @param rare distillation's weighting of rare mask classes: each class's pixels weigh its share of
   *     the teacher's pixels to the power -rare (0: all alike; 0.5, the default: inverse square root;
   *     1: inverse share), capped at 10x the commonest class's
   * @param qat the last this many steps train with the target's int8 rounding simulated (fake
   *     quantization of weights and of the activations that integer kernels read, straight-through
   *     gradients), so the weights the quantizer then rounds are ones the loss already saw rounded;
   *     0: none (a float target never quantizes)
   * @param iou distillation of softmax masks: the weight of a soft-IoU term against the teacher's
   *     argmax mask, each class's share of it set by how far below 1 the pruned model's measured IoU
   *     of that class is before fine-tuning (the weakest mask weighs most); 0: none
   */
  public record FineTune(int steps, boolean distill, long seed, double seconds, double learningRate, int batch,
      java.nio.file.Path train, double rare, int qat, double iou) {
    public static final int DEFAULT_STEPS = 300;
    public static final double DEFAULT_LR = 1e-3;
    public static final int DEFAULT_BATCH = 4;
    public static final double DEFAULT_RARE = 0.5;

    /** With the default weighting of rare mask classes. */
    public FineTune(int steps, boolean distill, long seed, double seconds, double learningRate, int batch,
        java.nio.file.Path train) {
      this(steps, distill, seed, seconds, learningRate, batch, train, DEFAULT_RARE);
    }

    /** Without fake quantization or the soft-IoU term. */
    public FineTune(int steps, boolean distill, long seed, double seconds, double learningRate, int batch,
        java.nio.file.Path train, double rare) {
      this(steps, distill, seed, seconds, learningRate, batch, train, rare, 0, 0);
    }

    public FineTune {
      if (steps < 1) {
        throw new BadInputException("--fine-tune steps must be at least 1, got " + steps);
      }
      if (!(seconds >= 0)) {
        throw new BadInputException("--fine-tune seconds must be 0 (no limit) or more, got " + seconds);
      }
      if (!(learningRate > 0 && learningRate < 1)) {
        throw new BadInputException("--fine-tune lr must be between 0 and 1, got " + learningRate);
      }
      if (batch < 1) {
        throw new BadInputException("--fine-tune batch must be at least 1, got " + batch);
      }
      if (!(rare >= 0 && rare <= 2)) {
        throw new BadInputException("--fine-tune rare must be between 0 and 2, got " + rare);
      }
      if (qat < 0 || qat > steps) {
        throw new BadInputException("--fine-tune qat must be between 0 and steps (" + steps + "), got " + qat);
      }
      if (!(iou >= 0 && iou <= 10)) {
        throw new BadInputException("--fine-tune iou must be between 0 and 10, got " + iou);
      }
    }

    /** Distillation with the defaults. */
    public static FineTune distill(int steps) {
      return new FineTune(steps, true, 0, 0, DEFAULT_LR, DEFAULT_BATCH, null);
    }

    public String id() {
      return (distill ? "distill" : "finetune") + "-" + steps;
    }

    public FineTune withSteps(int n) {
      return new FineTune(n, distill, seed, seconds, learningRate, batch, train, rare, Math.min(qat, n), iou);
    }

    public FineTune withDistill(boolean d) {
      return new FineTune(steps, d, seed, seconds, learningRate, batch, train, rare, qat, iou);
    }

    public FineTune withTrain(java.nio.file.Path dir) {
      return new FineTune(steps, distill, seed, seconds, learningRate, batch, dir, rare, qat, iou);
    }

    /**
     * Reads a {@code --fine-tune} value: empty for the defaults, else comma-separated
     * {@code steps=N}, {@code seconds=S}, {@code seed=K}, {@code lr=X}, {@code batch=B}, {@code rare=P},
     * {@code qat=M}, {@code iou=W}.
     */
    public static FineTune parse(String spec, boolean distill) {
      int steps = DEFAULT_STEPS;
      long seed = 0;
      double seconds = 0;
      double lr = DEFAULT_LR;
      int batch = DEFAULT_BATCH;
      double rare = DEFAULT_RARE;
      int qat = 0;
      double iou = 0;
      String s = spec == null ? "" : spec.trim();
      if (!s.isEmpty()) {
        for (String part : s.split(",")) {
          String[] kv = part.trim().split("=", 2);
          if (kv.length != 2) {
            throw new BadInputException("--fine-tune '" + spec + "': expected key=value (steps=N, seconds=S, seed=K, "
                + "lr=X, batch=B, rare=P, qat=M, iou=W), got '" + part.trim() + "'");
          }
          String k = kv[0].trim().toLowerCase(Locale.ROOT);
          String v = kv[1].trim();
          try {
            switch (k) {
              case "steps" -> steps = Integer.parseInt(v);
              case "seconds" -> seconds = Double.parseDouble(v);
              case "seed" -> seed = Long.parseLong(v);
              case "lr" -> lr = Double.parseDouble(v);
              case "batch" -> batch = Integer.parseInt(v);
              case "rare" -> rare = Double.parseDouble(v);
              case "qat" -> qat = Integer.parseInt(v);
              case "iou" -> iou = Double.parseDouble(v);
              default -> throw new BadInputException("--fine-tune '" + spec + "': unknown key '" + kv[0].trim()
                  + "' (known: steps, seconds, seed, lr, batch, rare, qat, iou)");
            }
          } catch (NumberFormatException e) {
            throw new BadInputException("--fine-tune '" + spec + "': " + k + " '" + v + "' is not a number");
          }
        }
      }
      return new FineTune(steps, distill, seed, seconds, lr, batch, null, rare, qat, iou);
    }
  }

  /** The kinds of pruning. */
  public enum Kind {
    /** Individual weights of smallest magnitude set to zero (shapes unchanged). */
    UNSTRUCTURED("unstructured"),
    /**
     * N of every M consecutive weights along the reduction axis kept (2:4: TensorRT's sparse
     * tensor-core layout); shapes unchanged.
     */
    N_M("n:m"),
    /** Whole channels removed from every coupled tensor (dependency groups); shapes shrink. */
    CHANNEL("channel");

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
   *     (unstructured, N:M) or for none (channel)
   * @param groupSize M of N:M (the amount is then (M-N)/M); 0 for the other kinds
   * @param layerAmounts channel pruning's non-uniform plan: per channel space, named by a producing
   *     layer or weight, its own fraction (0 keeps it whole); empty for a uniform {@code amount}
   */
  public record Pruning(Kind kind, double amount, MagnitudePruning.Scope scope, List<String> protectedLayers,
      int groupSize, Map<String, Double> layerAmounts) {
    public Pruning {
      if (!(amount >= 0 && amount < 1)) {
        throw new BadInputException("pruning amount must be in [0, 1), got " + amount);
      }
      scope = scope == null ? MagnitudePruning.Scope.PER_LAYER : scope;
      protectedLayers = protectedLayers == null ? null : List.copyOf(protectedLayers);
      if (kind == Kind.N_M && groupSize < 2) {
        throw new BadInputException("N:M pruning needs a group size M >= 2, got " + groupSize);
      }
      layerAmounts = layerAmounts == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(layerAmounts));
      if (!layerAmounts.isEmpty() && kind != Kind.CHANNEL) {
        throw new BadInputException("per-layer amounts are for channel pruning only");
      }
      for (Map.Entry<String, Double> e : layerAmounts.entrySet()) {
        if (!(e.getValue() >= 0 && e.getValue() < 1)) {
          throw new BadInputException("channel pruning amount of '" + e.getKey() + "' must be in [0, 1), got " + e.getValue());
        }
      }
    }

    public Pruning(Kind kind, double amount, MagnitudePruning.Scope scope, List<String> protectedLayers,
        int groupSize) {
      this(kind, amount, scope, protectedLayers, groupSize, Map.of());
    }

    public Pruning(Kind kind, double amount, MagnitudePruning.Scope scope, List<String> protectedLayers) {
      this(kind, amount, scope, protectedLayers, 0);
    }

    /** N:M: {@code n} kept of every {@code m} along the reduction axis. */
    public static Pruning nOfM(int n, int m) {
      if (m < 2 || n < 1 || n >= m) {
        throw new BadInputException("--prune '" + n + ":" + m + "': N:M needs 1 <= N < M");
      }
      return new Pruning(Kind.N_M, (double) (m - n) / m, null, null, m);
    }

    /** N of N:M: the weights kept in each group. */
    public int kept() {
      return groupSize - (int) Math.round(amount * groupSize);
    }

    public String id() {
      if (kind == Kind.N_M) {
        return "sparse-" + kept() + "-" + groupSize;
      }
      StringBuilder id = new StringBuilder(kind.id() + "-" + String.format(Locale.ROOT, "%.2f", amount));
      layerAmounts.forEach((layer, f) -> id.append('-').append(layer).append('=').append(String.format(Locale.ROOT, "%.3f", f)));
      return id.toString();
    }

    /**
     * Reads a {@code --prune} value: {@code unstructured:0.8} (or {@code unstructured:80%}),
     * optionally {@code unstructured:0.8:global}; {@code 2:4} (N:M); {@code channel:0.3}, optionally with a
     * non-uniform plan {@code channel:0.2:LAYER=0,LAYER=0.5,...} (a channel space named by a producing layer
     * or weight at its own fraction; the base amount, which the others get, may then be 0).
     */
    public static Pruning parse(String spec) {
      String[] p = spec.trim().split(":");
      if (p.length == 2 && p[0].matches("\\d{1,3}") && p[1].matches("\\d{1,3}")) {
        int n = Integer.parseInt(p[0]);
        int m = Integer.parseInt(p[1]);
        if (n < 1 || n >= m) {
          throw new BadInputException("--prune '" + spec + "': N:M needs 1 <= N < M (e.g. 2:4)");
        }
        return nOfM(n, m);
      }
      Kind kind = null;
      for (Kind k : Kind.values()) {
        if (k != Kind.N_M && k.id().equalsIgnoreCase(p[0])) {
          kind = k;
        }
      }
      if (kind == null) {
        throw new BadInputException("--prune '" + spec + "': unknown kind '" + p[0] + "' (known: unstructured:AMOUNT, channel:AMOUNT, N:M such as 2:4)");
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
      boolean plan = p.length == 3 && kind == Kind.CHANNEL;
      if (!(amount > 0 && amount < 1) && !(plan && amount == 0)) {
        throw new BadInputException("--prune '" + spec + "': amount must be between 0 and 1 (exclusive), got " + p[1]);
      }
      if (plan) {
        Map<String, Double> layers = new TreeMap<>();
        for (String item : p[2].split(",")) {
          String[] kv = item.trim().split("=");
          double f;
          try {
            f = kv.length == 2 && !kv[0].isBlank() ? Double.parseDouble(kv[1]) : Double.NaN;
          } catch (NumberFormatException e) {
            f = Double.NaN;
          }
          if (!(f >= 0 && f < 1)) {
            throw new BadInputException("--prune '" + spec + "': '" + item + "' is not LAYER=AMOUNT with AMOUNT in [0, 1) "
                + "(channel:AMOUNT:LAYER=AMOUNT,LAYER=AMOUNT,...)");
          }
          if (layers.put(kv[0].trim(), f) != null) {
            throw new BadInputException("--prune '" + spec + "': layer '" + kv[0].trim() + "' is named twice");
          }
        }
        return new Pruning(kind, amount, null, null, 0, layers);
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

package dev.hwc.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hwc.common.BadInputException;
import dev.hwc.common.SafeFiles;
import dev.hwc.profiles.ArtifactFormat;
import dev.hwc.profiles.Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The candidates a sweep builds: pairs of a precision (with its int8 scheme) and a {@link Compression}.
 * The default per target is every legal precision (fp32, fp16, int8) times unstructured magnitude
 * pruning at {@link #DEFAULT_LEVELS}; a YAML grid file ({@code --grid}) lists its own:
 *
 * <pre>
 * precisions: [fp32, int8]                   # fp32, fp16, int8, int8-static, int8-dynamic
 * compression: [none, unstructured:0.1, unstructured:0.5]
 * candidates:                                # extra single entries
 *   - {precision: int8, compression: "unstructured:0.3:global"}
 *   - {precision: int8, compression: "channel:0.2+distill:400"}   # pruned, then distilled
 * train: train-strips                        # fine-tuning inputs (default: the calibration set)
 * </pre>
 *
 * A compression spelled in a way this hwc does not know is kept as an entry that is "not built: unknown
 * compression" (so grids written for newer kinds still run the rest).
 */
public final class SweepGrid {
  private SweepGrid() {}

  /** Default unstructured pruning levels: finer where thin outputs usually break. */
  public static final double[] DEFAULT_LEVELS = {0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};

  /**
   * Default low-rank levels (the kept energy of each factorized MatMul/Gemm weight), added to the
   * default grid of a MatMul/Gemm-heavy model ({@link #matMulHeavy}): on a convolutional model
   * low-rank factorization has little to factorize.
   */
  public static final double[] DEFAULT_LOW_RANK = {0.99, 0.95, 0.9, 0.8};

  /**
   * One grid entry.
   *
   * @param precision the weights' precision
   * @param scheme the int8 scheme (AUTO for float precisions)
   * @param compression the compression, or null when {@code spec} did not parse
   * @param spec the compression as written ("none", "unstructured:0.5")
   * @param problem why it cannot be built (unknown compression), or null
   */
  public record Entry(Precision precision, Scheme scheme, Compression compression, String spec, String problem) {
    /** fp32, fp16, int8, int8-static, int8-dynamic. */
    public String precisionId() {
      return precision.id() + (scheme == Scheme.AUTO ? "" : "-" + scheme.id());
    }

    /** The candidate's id: precision and compression, e.g. {@code int8/unstructured-0.50}. */
    public String id() {
      return precisionId() + "/" + (compression != null ? compression.id() : spec);
    }

    /** The series a candidate belongs to along the compression axis: precision and compression kind. */
    public String series() {
      return precisionId() + " " + kindOf(compression, spec);
    }

    /** How far along its series: the pruning amount (0 for none), or for low-rank alone the energy dropped. */
    public double level() {
      return compression == null ? Double.NaN : SweepGrid.level(compression);
    }
  }

  /**
   * The compression's place on its series' axis: 0 for none, the pruned fraction for pruning (with or
   * without low-rank on top: low-rank at a fixed energy then names the series), 1 - kept energy for
   * low-rank alone (more compression further along, as for pruning).
   */
  static double level(Compression c) {
    if (c.isNone()) {
      return 0;
    }
    return c.prune() != null ? c.prune().amount() : 1 - c.lowRank();
  }

  static String kindOf(Compression c, String spec) {
    if (c == null) {
      return spec.split(":")[0];
    }
    // one series per kind of pruning, each along its own amount; level 0 (none) starts the unstructured
    // series, the default grid's; low-rank alone is a series along its dropped energy, pruning with
    // low-rank on top a series per kept energy along the pruned amount
    if (c.isNone()) {
      return "pruning";
    }
    if (c.prune() == null) {
      return c.fineTune() == null ? "low-rank" : "low-rank + " + c.fineTune().id();
    }
    String kind = c.prune().kind() == Compression.Kind.UNSTRUCTURED ? "pruning"
        : c.prune().kind() == Compression.Kind.N_M ? "n:m pruning" : "channel pruning";
    kind = c.lowRank() == 0 ? kind : kind + String.format(Locale.ROOT, " + low-rank %.2f", c.lowRank());
    // fine-tuned candidates are a series of their own, from the same uncompressed start
    return c.fineTune() == null ? kind : kind + " + " + c.fineTune().id();
  }

  /** One entry from a precision and a compression spec. */
  public static Entry entry(String precision, String compressionSpec) {
    String p = precision.trim().toLowerCase(Locale.ROOT);
    Scheme scheme = Scheme.AUTO;
    if (p.startsWith("int8-")) {
      scheme = Scheme.of(p.substring(5));
      p = "int8";
    }
    Precision prec = Precision.of(p);
    String spec = compressionSpec == null ? "none" : compressionSpec.trim();
    try {
      return new Entry(prec, scheme, parseCompression(spec), spec, null);
    } catch (BadInputException e) {
      return new Entry(prec, scheme, null, spec, "unknown compression '" + spec + "' (" + e.getMessage() + ")");
    }
  }

  /** An entry with a compression made in code (e.g. pruning with its own protected layers). */
  public static Entry entry(Precision p, Scheme s, Compression c) {
    return new Entry(p, s == null ? Scheme.AUTO : s, c, c.id(), null);
  }

  /**
   * "none", a {@code --prune} value, {@code lowrank:E} (a {@code --low-rank} value: the kept energy),
   * or a pruning and a low-rank joined by {@code +} ({@code unstructured:0.3+lowrank:0.9}), either followed
   * by fine-tuning, {@code +distill:STEPS} (from the float model, no labels) or {@code +finetune:STEPS}
   * (the model's own loss); the one place a grid spells compression.
   */
  static Compression parseCompression(String spec) {
    if (spec.isEmpty() || spec.equalsIgnoreCase("none") || spec.equals("0")) {
      return Compression.NONE;
    }
    Compression.Pruning prune = null;
    double lowRank = 0;
    Compression.FineTune fineTune = null;
    for (String part : spec.split("\\+")) {
      String p = part.trim();
      String[] kv = p.split(":", 2);
      String head = kv[0].toLowerCase(Locale.ROOT);
      if (head.equals("distill") || head.equals("finetune") || head.equals("fine-tune")) {
        if (fineTune != null) {
          throw new BadInputException("'" + spec + "': one fine-tuning per candidate");
        }
        int steps = Compression.FineTune.DEFAULT_STEPS;
        if (kv.length == 2) {
          try {
            steps = Integer.parseInt(kv[1].trim());
          } catch (NumberFormatException e) {
            throw new BadInputException("'" + spec + "': fine-tuning steps '" + kv[1] + "' is not a whole number");
          }
        }
        fineTune = Compression.FineTune.distill(steps).withDistill(head.equals("distill"));
      } else if (head.equals("lowrank") || head.equals("low-rank")) {
        if (lowRank != 0 || kv.length < 2) {
          throw new BadInputException("'" + spec + "': expected one lowrank:E (E the kept energy, e.g. lowrank:0.9)");
        }
        try {
          lowRank = Double.parseDouble(kv[1].trim());
        } catch (NumberFormatException e) {
          throw new BadInputException("'" + spec + "': kept energy '" + kv[1] + "' is not a number");
        }
        if (!(lowRank > 0 && lowRank <= 1)) {
          throw new BadInputException("'" + spec + "': kept energy must be in (0, 1], got " + kv[1]);
        }
      } else {
        if (prune != null) {
          throw new BadInputException("'" + spec + "': one pruning per candidate");
        }
        prune = Compression.Pruning.parse(p);
      }
    }
    if (fineTune != null && prune == null && lowRank == 0) {
      throw new BadInputException("'" + spec + "': fine-tuning follows a pruning or a low-rank (e.g. channel:0.2+distill:400)");
    }
    return new Compression(prune, lowRank, fineTune);
  }

  /**
   * Whether most of the model's weights (by parameter count) are constant 2-D MatMul/Gemm weights,
   * the ones low-rank factorization can split (a transformer's projections and FFNs; not a CNN's kernels).
   */
  static boolean matMulHeavy(dev.hwc.compiler.ir.Graph g) {
    long matmul = 0;
    long all = 0;
    for (dev.hwc.compiler.prune.PrunableWeights.Weight w : dev.hwc.compiler.prune.PrunableWeights.of(g)) {
      long n = w.tensor().numElements();
      all += n;
      String op = w.layer().op();
      if (w.tensor().rank() == 2 && (op.equals("MatMul") || op.equals("Gemm"))) {
        matmul += n;
      }
    }
    return all > 0 && 2 * matmul >= all;
  }

  /** Every precision the target may take (fp16 on TFLite where the target runs float), in fp32, fp16, int8 order. */
  public static List<Precision> legalPrecisions(Profile profile) {
    List<Precision> out = new ArrayList<>();
    for (Precision p : Precision.values()) {
      if (illegal(profile, p) == null) {
        out.add(p);
      }
    }
    return out;
  }

  /** Why the target cannot take the precision, or null when it can (the build's own rule). */
  static String illegal(Profile profile, Precision p) {
    List<String> legal = profile.precisions().weights();
    boolean fp16Tflite = p == Precision.FP16 && profile.artifact() == ArtifactFormat.TFLITE && profile.allowsFloat();
    if (legal.contains(p.id()) || fp16Tflite) {
      return null;
    }
    return "target '" + profile.id() + "' takes " + String.join("/", legal) + " weights, not " + p.id();
  }

  /**
   * The default grid for a model: {@link #defaults(Profile)}, and for a MatMul/Gemm-heavy model every
   * legal precision times low-rank at {@link #DEFAULT_LOW_RANK} too.
   */
  public static List<Entry> defaults(Profile profile, dev.hwc.compiler.ir.Graph model) {
    List<Entry> out = defaults(profile);
    if (model != null && matMulHeavy(model)) {
      for (Precision p : Precision.values()) {
        if (illegal(profile, p) == null) {
          Scheme s = p == Precision.INT8 ? Scheme.STATIC : Scheme.AUTO;
          for (double e : DEFAULT_LOW_RANK) {
            out.add(new Entry(p, s, new Compression(null, e), String.format(Locale.ROOT, "lowrank:%.2f", e), null));
          }
        }
      }
    }
    return out;
  }

  /** The default grid: fp32, fp16 and int8 (illegal ones kept, to be reported) times {@link #DEFAULT_LEVELS}. */
  public static List<Entry> defaults(Profile profile) {
    List<Entry> out = new ArrayList<>();
    for (Precision p : Precision.values()) {
      // int8 static on every target: the smallest artifact, and the only int8 the Edge TPU runs
      Scheme s = p == Precision.INT8 ? Scheme.STATIC : Scheme.AUTO;
      if (illegal(profile, p) != null) {
        out.add(new Entry(p, s, Compression.NONE, "none", null));
        continue;
      }
      for (double level : DEFAULT_LEVELS) {
        out.add(new Entry(p, s, level == 0 ? Compression.NONE
            : new Compression(new Compression.Pruning(Compression.Kind.UNSTRUCTURED, level, null, null)),
            level == 0 ? "none" : String.format(Locale.ROOT, "unstructured:%.2f", level), null));
      }
    }
    return out;
  }

  /** A grid file (YAML); errors name the file. */
  public static List<Entry> load(Path file) {
    if (!Files.exists(file)) {
      throw new BadInputException("grid file not found: " + file);
    }
    String text = SafeFiles.readString(file, "cannot read grid file", 1 << 20);
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(text);
    } catch (java.io.IOException e) {
      throw new BadInputException(file + ": not YAML: " + e.getMessage().lines().findFirst().orElse(""));
    } catch (IndexOutOfBoundsException e) {
      // SnakeYAML's stream reader can overrun its buffer on some malformed input
      throw new BadInputException(file + ": not readable as YAML");
    }
    if (root == null || !root.isObject()) {
      throw new BadInputException(file + ": expected a mapping with precisions, compression and/or candidates");
    }
    List<Entry> out = new ArrayList<>();
    root.fieldNames().forEachRemaining(f -> {
      if (!List.of("precisions", "compression", "candidates", "train").contains(f)) {
        throw new BadInputException(file + ": unknown field '" + f + "' (known: precisions, compression, candidates, train)");
      }
    });
    List<String> precisions = strings(root.get("precisions"), file, "precisions");
    List<String> compression = strings(root.get("compression"), file, "compression");
    if (!precisions.isEmpty() || !compression.isEmpty()) {
      for (String p : precisions.isEmpty() ? List.of("fp32") : precisions) {
        for (String c : compression.isEmpty() ? List.of("none") : compression) {
          out.add(entry(p, c));
        }
      }
    }
    JsonNode cands = root.get("candidates");
    if (cands != null) {
      if (!cands.isArray()) {
        throw new BadInputException(file + ": candidates must be a list of {precision, compression}");
      }
      for (JsonNode c : cands) {
        if (!c.isObject() || !c.hasNonNull("precision")) {
          throw new BadInputException(file + ": every candidate needs a precision");
        }
        out.add(entry(c.get("precision").asText(), c.hasNonNull("compression") ? c.get("compression").asText() : "none"));
      }
    }
    if (out.isEmpty()) {
      throw new BadInputException(file + ": the grid is empty");
    }
    JsonNode train = root.get("train");
    if (train != null && !train.isNull()) {
      // the fine-tuned candidates' training inputs, relative to the grid file (default: the calibration set)
      Path dir = file.toAbsolutePath().getParent().resolve(train.asText()).normalize();
      if (!Files.isDirectory(dir)) {
        throw new BadInputException(file + ": train: " + dir + " is not a folder of .npz inputs");
      }
      return withTrain(out, dir);
    }
    return out;
  }

  /** The entries with every fine-tuning trained on the inputs in {@code dir}. */
  public static List<Entry> withTrain(List<Entry> grid, Path dir) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : grid) {
      Compression c = e.compression();
      out.add(c == null || c.fineTune() == null ? e
          : new Entry(e.precision(), e.scheme(), c.withFineTune(c.fineTune().withTrain(dir)), e.spec(), e.problem()));
    }
    return out;
  }

  private static List<String> strings(JsonNode n, Path file, String field) {
    List<String> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isArray()) {
      throw new BadInputException(file + ": " + field + " must be a list");
    }
    n.forEach(x -> out.add(x.asText()));
    return out;
  }
}

package dev.hwc.compiler.data;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.common.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An ordered set of model input samples, for calibration and evaluation: sample {@code i} is one
 * value per model input, loaded on demand (only the file holding the sample being read is kept in
 * memory).
 *
 * <h2>Folder layout ({@link #load})</h2>
 *
 * Each of these is an <em>entry</em>; a folder may mix them:
 *
 * <ul>
 *   <li>{@code NAME.npz} (the main layout): one array per model input, keyed by the input's name
 *       ({@code numpy.savez("s001.npz", image=x)}).
 *   <li>{@code NAME/} a sub-folder holding {@code <input>.npy} for every model input.
 *   <li>top-level {@code <input>_<k>.npy}: the files with the same {@code k} form one entry; a
 *       top-level {@code <input>.npy} (no {@code _k}) forms one more.
 * </ul>
 *
 * Entries are read in natural order of their names ({@code s2} before {@code s10}). Arrays and
 * files that name no model input (labels for an evaluation, notes) are ignored, as are hidden files.
 *
 * <h2>Batches</h2>
 *
 * With a model input of rank r whose leading dim is L (a static size, or 1 when symbolic), an array
 * of rank r holds dim0 / L samples (split along the leading dim), an array of rank r + 1 is a stack of
 * samples of the input's full rank, and an array of rank r − 1 is one sample without its batch dim
 * (when L is 1). All inputs of an entry must hold the same number of samples.
 *
 * <h2>Checks</h2>
 *
 * Element types must equal the model's (a float64 array for a float32 input is refused, with the
 * numpy call that fixes it); static dims must match; a symbolic dim may differ from sample to sample
 * (each sentence its own length) but must have one size within a sample. Every violation is a
 * one-line {@link BadInputException} naming the file, the input and the expected type and shape; all
 * files are read once by {@link #load} to check them, so a bad file fails before any calibration.
 */
public final class SampleSet {
  /** Sample {@code i} on demand. */
  private interface Source {
    int size();

    Map<String, Tensor> get(int i);

    String label(int i);
  }

  /** Two disjoint parts of a set: samples to calibrate on, samples held out to evaluate on. */
  public record Split(SampleSet calibration, SampleSet heldOut) {}

  private final Source source;
  private final int[] index;

  private SampleSet(Source source, int[] index) {
    this.source = source;
    this.index = index;
  }

  /** Loads and checks a folder (or a single .npz file) against the model's inputs; see the class comment. */
  public static SampleSet load(Path dir, List<Value> modelInputs) {
    FolderSource s = new FolderSource(dir, modelInputs);
    return new SampleSet(s, identity(s.size()));
  }

  /**
   * {@code n} seeded random samples, sample {@code i} drawn with seed {@code seed + i} by the same
   * generator as hwtests' {@code SampleInputs} ({@link RandomInputs}); made on demand.
   */
  public static SampleSet random(List<Value> inputs, int n, long seed) {
    return random(inputs, Map.of(), n, seed);
  }

  /**
   * {@code n} seeded random samples of {@code g}'s inputs, each within what it indexes or masks
   * ({@link InputBounds#of}: token-type ids within their embedding's rows, masks in {0, 1}).
   *
   * @throws BadInputException when an input indexes something hwc cannot size (real samples needed)
   */
  public static SampleSet random(dev.hwc.compiler.ir.Graph g, int n, long seed) {
    return random(g.inputs(), InputBounds.of(g), n, seed);
  }

  private static SampleSet random(List<Value> inputs, Map<String, InputBounds.Bound> bounds, int n, long seed) {
    List<Value> in = List.copyOf(inputs);
    Map<String, InputBounds.Bound> b = Map.copyOf(bounds);
    in.forEach(RandomInputs::concreteShape); // unknown ranks fail now, not at the first get
    RandomInputs.checkKnown(in, b);
    Source s = new Source() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public Map<String, Tensor> get(int i) {
        return RandomInputs.random(in, b, seed + i);
      }

      @Override
      public String label(int i) {
        return "random sample " + i + " (seed " + (seed + i) + ")";
      }
    };
    return new SampleSet(s, identity(n));
  }

  /** Samples already in memory (unchecked), for tests and generated data. */
  public static SampleSet of(List<Map<String, Tensor>> samples) {
    List<Map<String, Tensor>> copy = samples.stream()
        .map(m -> java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m))).toList();
    Source s = new Source() {
      @Override
      public int size() {
        return copy.size();
      }

      @Override
      public Map<String, Tensor> get(int i) {
        return copy.get(i);
      }

      @Override
      public String label(int i) {
        return "sample " + i;
      }
    };
    return new SampleSet(s, identity(copy.size()));
  }

  public int size() {
    return index.length;
  }

  /** Sample {@code i}: one tensor per model input, keyed by input name. */
  public Map<String, Tensor> get(int i) {
    return source.get(index[i]);
  }

  /** Where sample {@code i} comes from, for messages: {@code calib/s003.npz}, {@code calib/batch.npz[5]}. */
  public String label(int i) {
    return source.label(index[i]);
  }

  /**
   * Splits deterministically: sample {@code i} is held out when {@code floor((i+1)·f) >
   * floor(i·f)}, which spreads about {@code size·f} held-out samples evenly (f = 0.25 holds out
   * samples 3, 7, 11, ...).
   */
  public Split split(double heldOutFraction) {
    if (!(heldOutFraction >= 0 && heldOutFraction <= 1)) {
      throw new IllegalArgumentException("held-out fraction must be in [0, 1], got " + heldOutFraction);
    }
    List<Integer> keep = new ArrayList<>();
    List<Integer> held = new ArrayList<>();
    for (int i = 0; i < index.length; i++) {
      boolean out = Math.floor((i + 1) * heldOutFraction) > Math.floor(i * heldOutFraction);
      (out ? held : keep).add(index[i]);
    }
    return new Split(
        new SampleSet(source, keep.stream().mapToInt(Integer::intValue).toArray()),
        new SampleSet(source, held.stream().mapToInt(Integer::intValue).toArray()));
  }

  /** The first {@code n} samples (all of them when there are fewer). */
  public SampleSet limit(int n) {
    return new SampleSet(source, java.util.Arrays.copyOf(index, Math.min(Math.max(n, 0), index.length)));
  }

  private static int[] identity(int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = i;
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Folders of .npy / .npz files

  /** One file, folder or group of files holding one or more samples; {@code files} maps input → file. */
  private record Entry(String label, Path npz, Map<String, Path> files) {
    String where(String input) {
      return npz != null ? npz.toString() : files.containsKey(input) ? files.get(input).toString() : label;
    }
  }

  private static final class FolderSource implements Source {
    private final List<Value> inputs;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Integer> firstSample = new ArrayList<>();
    private final int size;
    private int cachedEntry = -1;
    private List<Map<String, Tensor>> cached;

    FolderSource(Path dir, List<Value> inputs) {
      this.inputs = List.copyOf(inputs);
      if (this.inputs.isEmpty()) {
        throw new IllegalArgumentException("the model has no inputs to load samples for");
      }
      if (Files.isRegularFile(dir) && dir.getFileName().toString().endsWith(".npz")) {
        entries.add(new Entry(dir.toString(), dir, Map.of()));
      } else if (Files.isDirectory(dir)) {
        scan(dir);
      } else {
        throw new BadInputException("sample folder " + dir + " does not exist (expected a folder of .npz files or an .npz file)");
      }
      if (entries.isEmpty()) {
        throw new BadInputException("no samples in " + dir + ": expected <sample>.npz files with one array per input ("
            + names() + "), <sample>/<input>.npy folders, or <input>_<k>.npy files");
      }
      int total = 0;
      for (int e = 0; e < entries.size(); e++) {
        firstSample.add(total);
        List<Map<String, Tensor>> samples = read(entries.get(e)); // checks every file once
        total = Math.addExact(total, samples.size());
        cachedEntry = e;
        cached = samples;
      }
      size = total;
    }

    private String names() {
      return String.join(", ", inputs.stream().map(Value::name).toList());
    }

    private void scan(Path dir) {
      List<Path> children;
      try (Stream<Path> s = Files.list(dir)) {
        children = s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
      } catch (IOException e) {
        throw new BadInputException("cannot list sample folder " + dir + ": " + e.getMessage());
      }
      Map<String, Map<String, Path>> groups = new TreeMap<>(NATURAL);
      for (Path p : children) {
        String name = p.getFileName().toString();
        if (Files.isDirectory(p)) {
          Map<String, Path> files = new LinkedHashMap<>();
          for (Value v : inputs) {
            Path f = p.resolve(v.name() + ".npy");
            if (Files.isRegularFile(f)) {
              files.put(v.name(), f);
            }
          }
          entries.add(new Entry(p + "/", null, files));
        } else if (name.endsWith(".npz")) {
          entries.add(new Entry(p.toString(), p, Map.of()));
        } else if (name.endsWith(".npy")) {
          String stem = name.substring(0, name.length() - 4);
          for (Value v : inputs) {
            String group = null;
            if (stem.equals(v.name())) {
              group = "";
            } else if (stem.startsWith(v.name() + "_") && DIGITS.matcher(stem.substring(v.name().length() + 1)).matches()
                && inputs.stream().noneMatch(w -> w.name().equals(stem))) {
              group = stem.substring(v.name().length() + 1);
            }
            if (group != null) {
              groups.computeIfAbsent(group, k -> new LinkedHashMap<>()).put(v.name(), p);
              break;
            }
          }
        }
      }
      groups.forEach((k, files) -> entries.add(new Entry(
          dir.resolve(k.isEmpty() ? "<input>.npy" : "<input>_" + k + ".npy").toString(), null, files)));
      entries.sort(Comparator.comparing(Entry::label, NATURAL));
    }

    @Override
    public int size() {
      return size;
    }

    private int entryOf(int sample) {
      if (sample < 0 || sample >= size) {
        throw new IndexOutOfBoundsException("sample " + sample + " of " + size);
      }
      int lo = 0;
      int hi = firstSample.size() - 1;
      while (lo < hi) {
        int mid = (lo + hi + 1) >>> 1;
        if (firstSample.get(mid) <= sample) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      return lo;
    }

    @Override
    public synchronized Map<String, Tensor> get(int i) {
      int e = entryOf(i);
      if (e != cachedEntry) {
        cached = read(entries.get(e));
        cachedEntry = e;
      }
      return cached.get(i - firstSample.get(e));
    }

    @Override
    public String label(int i) {
      int e = entryOf(i);
      int next = e + 1 < firstSample.size() ? firstSample.get(e + 1) : size;
      String label = entries.get(e).label();
      return next - firstSample.get(e) > 1 ? label + "[" + (i - firstSample.get(e)) + "]" : label;
    }

    private List<Map<String, Tensor>> read(Entry entry) {
      Map<String, Tensor> raw = new LinkedHashMap<>();
      try {
        if (entry.npz() != null) {
          raw.putAll(Npy.readNpz(entry.npz()));
        } else {
          for (Map.Entry<String, Path> f : entry.files().entrySet()) {
            raw.put(f.getKey(), Npy.read(f.getValue()));
          }
        }
      } catch (IOException e) {
        throw new BadInputException("cannot read " + entry.label() + ": " + dev.hwc.common.IoProblem.describe(e), e);
      }
      return samples(raw, inputs, entry);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Checking and splitting one entry's arrays

  private static final Pattern DIGITS = Pattern.compile("\\d+");

  /** Splits an entry's arrays into samples, checking each against its model input. */
  private static List<Map<String, Tensor>> samples(Map<String, Tensor> raw, List<Value> inputs, Entry entry) {
    Map<String, List<Tensor>> split = new LinkedHashMap<>();
    int count = -1;
    String countedBy = null;
    for (Value v : inputs) {
      Tensor t = raw.get(v.name());
      if (t == null) {
        List<String> have = raw.keySet().stream().toList();
        throw new BadInputException(entry.label() + ": missing input '" + v.name() + "' (expected " + expected(v) + ")"
            + (have.isEmpty() ? "" : "; it holds " + String.join(", ", have)));
      }
      List<Tensor> parts = splitInput(t, v, entry.where(v.name()));
      if (count >= 0 && parts.size() != count) {
        throw new BadInputException(entry.label() + ": inputs hold different numbers of samples ('" + countedBy + "' "
            + count + ", '" + v.name() + "' " + parts.size() + ")");
      }
      count = parts.size();
      countedBy = v.name();
      split.put(v.name(), parts);
    }
    List<Map<String, Tensor>> out = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      Map<String, Tensor> sample = new LinkedHashMap<>();
      Map<String, Long> bound = new HashMap<>();
      Map<String, String> boundBy = new HashMap<>();
      for (Value v : inputs) {
        Tensor t = split.get(v.name()).get(k);
        checkSymbols(t, v, bound, boundBy, entry.where(v.name()) + (count > 1 ? "[" + k + "]" : ""));
        sample.put(v.name(), t);
      }
      out.add(java.util.Collections.unmodifiableMap(sample));
    }
    return out;
  }

  private static List<Tensor> splitInput(Tensor t, Value v, String where) {
    if (v.dtype() != DType.UNDEFINED && t.dtype() != v.dtype()) {
      throw new BadInputException(where + ": input '" + v.name() + "' is " + t.dtype().shortName() + Shape.format(t.shape())
          + ", expected " + expected(v) + " (save it with .astype(numpy." + numpyName(v.dtype()) + "))");
    }
    Shape want = v.shape();
    long[] have = t.shape();
    if (!want.hasRank()) {
      return List.of(t);
    }
    int r = want.rank();
    long per = r > 0 && want.dim(0).isStatic() ? want.dim(0).size() : 1;
    List<Tensor> out = new ArrayList<>();
    if (have.length == r && r > 0) {
      checkDims(t, v, where, 1, 1);
      if (have[0] == 0 || have[0] % per != 0) {
        throw new BadInputException(where + ": input '" + v.name() + "' has shape " + Shape.format(have) + ", expected "
            + expected(v) + " (a leading dim that is a multiple of " + per + ")");
      }
      for (long a = 0; a < have[0]; a += per) {
        long[] s = have.clone();
        s[0] = per;
        out.add(rows(t, a, per, s));
      }
    } else if (have.length == r + 1) {
      checkDims(t, v, where, 1, 0);
      if (have[0] == 0) {
        throw new BadInputException(where + ": input '" + v.name() + "' holds no samples (shape " + Shape.format(have) + ")");
      }
      long[] s = java.util.Arrays.copyOfRange(have, 1, have.length);
      for (long a = 0; a < have[0]; a++) {
        out.add(rows(t, a, 1, s));
      }
    } else if (have.length == r - 1 && per == 1) {
      checkDims(t, v, where, 0, 1);
      long[] s = new long[r];
      s[0] = 1;
      System.arraycopy(have, 0, s, 1, have.length);
      out.add(t.reshape(s));
    } else {
      throw new BadInputException(where + ": input '" + v.name() + "' has rank " + have.length + " "
          + Shape.format(have) + ", expected " + expected(v) + " (rank " + r + ", " + (r + 1) + " for a stack of samples"
          + (per == 1 && r > 0 ? ", or " + (r - 1) + " for one sample without its batch dim" : "") + ")");
    }
    return out;
  }

  /** Static model dims from {@code fromModel} on must equal the array's dims from {@code fromArray} on. */
  private static void checkDims(Tensor t, Value v, String where, int fromArray, int fromModel) {
    long[] have = t.shape();
    List<Dim> dims = v.shape().dims();
    for (int i = fromModel, j = fromArray; i < dims.size(); i++, j++) {
      if (dims.get(i).isStatic() && dims.get(i).size() != have[j]) {
        throw new BadInputException(where + ": input '" + v.name() + "' has shape " + Shape.format(have)
            + ", expected " + expected(v) + " (dim " + i + " must be " + dims.get(i).size() + ")");
      }
    }
  }

  private static void checkSymbols(Tensor t, Value v, Map<String, Long> bound, Map<String, String> boundBy, String where) {
    if (!v.shape().hasRank()) {
      return;
    }
    long[] have = t.shape();
    for (int i = 0; i < have.length; i++) {
      Dim d = v.shape().dim(i);
      if (d.isSymbolic()) {
        Long size = bound.putIfAbsent(d.symbol(), have[i]);
        boundBy.putIfAbsent(d.symbol(), v.name());
        if (size != null && size != have[i]) {
          throw new BadInputException(where + ": input '" + v.name() + "' has shape " + Shape.format(have) + ", expected "
              + expected(v) + ": '" + d.symbol() + "' is " + size + " in input '" + boundBy.get(d.symbol()) + "'");
        }
      }
    }
  }

  /** Rows [first, first + n) along dim 0, as a tensor of shape {@code shape}. */
  private static Tensor rows(Tensor t, long first, long n, long[] shape) {
    long[] s = t.shape();
    long rowBytes = s[0] == 0 ? 0 : t.byteSize() / s[0];
    byte[] b = new byte[Math.toIntExact(rowBytes * n)];
    ByteBuffer buf = t.buffer();
    buf.position(Math.toIntExact(rowBytes * first));
    buf.get(b);
    return Tensor.ofBytes(t.dtype(), shape, b);
  }

  private static String expected(Value v) {
    return v.dtype().shortName() + v.shape();
  }

  private static String numpyName(DType t) {
    return switch (t) {
      case FLOAT -> "float32";
      case FLOAT16 -> "float16";
      case DOUBLE -> "float64";
      case BOOL -> "bool_";
      default -> t.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static final Pattern CHUNK = Pattern.compile("\\d+|\\D+");

  /** Natural order: runs of digits compare as numbers, so {@code s2 < s10}. */
  static final Comparator<String> NATURAL = (a, b) -> {
    Matcher ma = CHUNK.matcher(a);
    Matcher mb = CHUNK.matcher(b);
    while (ma.find() && mb.find()) {
      String x = ma.group();
      String y = mb.group();
      int c;
      if (Character.isDigit(x.charAt(0)) && Character.isDigit(y.charAt(0))) {
        c = new java.math.BigInteger(x).compareTo(new java.math.BigInteger(y));
      } else {
        c = x.compareTo(y);
      }
      if (c != 0) {
        return c;
      }
    }
    int c = Integer.compare(a.length(), b.length());
    return c != 0 ? c : a.compareTo(b);
  };

}

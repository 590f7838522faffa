package dev.hwc.backends.tflite;

import dev.hwc.common.BadInputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.tensorflow.lite.schema.TensorType;

/**
 * A segmented Edge TPU deployment of one full-integer TFLite model: the Edge TPU compiler maps a
 * model up to its first unmappable op only, so the ops (in execution order) are cut into maximal runs
 * that map entirely ({@link EdgeTpuReport}'s per-op reasons empty) and the CPU islands between them.
 * At most {@code maxSegments} runs become TPU segments, those with the most MACs (a run without MACs
 * is not worth two boundaries); every other op joins the CPU part around it. Each part is a model of
 * its own with the single file's tensors, int8 params included, so a chain of parts computes exactly
 * what the single file computes. The host carries each boundary tensor from the part that writes it
 * to every later part that reads it.
 */
public final class EdgeTpuSegments {
  private EdgeTpuSegments() {}

  /** Default bound on TPU segments. */
  public static final int DEFAULT_MAX_SEGMENTS = 3;

  /**
   * A tensor crossing a boundary (or a graph input or output).
   *
   * @param producer the part that writes it, -1 for a graph input
   * @param bytes bytes per inference
   * @param layout for graph inputs and outputs, how the source model's tensor is held ("NHWC": permuted
   *     from the source's NCHW; "IR": as in the source); null for tensors between parts
   */
  public record Binding(String name, int[] shape, String dtype, Float scale, Long zeroPoint, long bytes, int producer,
      String layout) {}

  /**
   * One part in run order.
   *
   * @param runtime "edgetpu" (maps entirely) or "cpu"
   * @param firstOp the single file's index of its first op
   * @param paramBytes bytes of the constants it reads, each once
   * @param cached for a TPU segment, whether its parameters fit the on-chip cache
   */
  public record Part(int index, String runtime, int firstOp, int ops, long macs, long paramBytes, boolean cached,
      List<Binding> inputs, List<Binding> outputs) {
    public long bytesIn() {
      return inputs.stream().mapToLong(Binding::bytes).sum();
    }

    public long bytesOut() {
      return outputs.stream().mapToLong(Binding::bytes).sum();
    }

    public boolean onTpu() {
      return runtime.equals("edgetpu");
    }
  }

  /**
   * The cut.
   *
   * @param tpuMacShare MACs in TPU segments over all MACs (1 when there are none and all map)
   * @param singleFileTpuMacShare the single file's share (up to its one split)
   */
  public record Plan(String target, int maxSegments, List<Part> parts, long macsTotal, long macsOnTpu, double tpuMacShare,
      double singleFileTpuMacShare, long onChipBytes, List<Binding> inputs, List<Binding> outputs) {
    public int tpuSegments() {
      return (int) parts.stream().filter(Part::onTpu).count();
    }

    /** Bytes the host moves per inference between parts (each boundary tensor counted once per reading part). */
    public long boundaryBytes() {
      long graphIn = inputs.stream().mapToLong(Binding::bytes).sum();
      return parts.stream().mapToLong(Part::bytesIn).sum() - graphIn;
    }

    /** The segment table, one line per part. */
    public String table() {
      StringBuilder s = new StringBuilder();
      s.append(String.format(Locale.ROOT, "segmented deployment: %d part%s, %d TPU segment%s (--max-segments %d); "
          + "MACs in TPU segments %.1f%% (single file %.1f%%)%n", parts.size(), parts.size() == 1 ? "" : "s",
          tpuSegments(), tpuSegments() == 1 ? "" : "s", maxSegments, 100 * tpuMacShare, 100 * singleFileTpuMacShare));
      s.append(String.format(Locale.ROOT, "%-4s  %-7s  %4s  %-9s  %13s  %6s  %-24s  %10s  %10s%n", "part", "runtime",
          "ops", "op range", "MACs", "share", "param bytes", "in bytes", "out bytes"));
      for (Part p : parts) {
        String params = String.format(Locale.ROOT, "%,d", p.paramBytes())
            + (p.onTpu() && onChipBytes >= 0 ? (p.cached() ? " (cached on chip)" : " (> on-chip cache)") : "");
        s.append(String.format(Locale.ROOT, "%-4d  %-7s  %4d  %-9s  %,13d  %5.1f%%  %-24s  %,10d  %,10d%n", p.index(),
            p.runtime(), p.ops(), "#" + p.firstOp() + "-" + (p.firstOp() + p.ops() - 1), p.macs(),
            macsTotal == 0 ? 0.0 : 100.0 * p.macs() / macsTotal, params, p.bytesIn(), p.bytesOut()));
      }
      s.append(String.format(Locale.ROOT, "host moves %,d bytes per inference between parts", boundaryBytes()));
      return s.toString();
    }
  }

  /** Cuts a model as its Edge TPU report judges its ops. */
  public static Plan plan(TflModel m, EdgeTpuReport.Report r, int maxSegments) {
    if (maxSegments < 1) {
      throw new BadInputException("--max-segments must be at least 1, not " + maxSegments);
    }
    int n = m.ops.size();
    // maximal runs of mappable ops
    List<int[]> runs = new ArrayList<>(); // {first, endExclusive}
    for (int i = 0; i < n; ) {
      if (!r.ops().get(i).reasons().isEmpty()) {
        i++;
        continue;
      }
      int j = i;
      while (j < n && r.ops().get(j).reasons().isEmpty()) {
        j++;
      }
      runs.add(new int[] {i, j});
      i = j;
    }
    List<int[]> chosen = runs.stream().filter(run -> macs(r, run[0], run[1]) > 0)
        .sorted(Comparator.comparingLong((int[] run) -> -macs(r, run[0], run[1])).thenComparingInt(run -> run[0]))
        .limit(maxSegments).sorted(Comparator.comparingInt(run -> run[0])).toList();
    if (chosen.isEmpty() && runs.size() == 1 && runs.get(0)[0] == 0 && runs.get(0)[1] == n) {
      chosen = runs; // everything maps, no MACs at all
    }
    // parts: chosen runs, and the CPU ops between them
    List<int[]> cuts = new ArrayList<>(); // {first, end, tpu}
    int at = 0;
    for (int[] run : chosen) {
      if (run[0] > at) {
        cuts.add(new int[] {at, run[0], 0});
      }
      cuts.add(new int[] {run[0], run[1], 1});
      at = run[1];
    }
    if (at < n) {
      cuts.add(new int[] {at, n, 0});
    }
    int[] partOf = new int[n];
    for (int k = 0; k < cuts.size(); k++) {
      for (int i = cuts.get(k)[0]; i < cuts.get(k)[1]; i++) {
        partOf[i] = k;
      }
    }
    Map<Integer, Integer> producedBy = new HashMap<>();
    for (int i = 0; i < n; i++) {
      for (int t : m.ops.get(i).outputs()) {
        producedBy.put(t, partOf[i]);
      }
    }
    Map<Integer, String> names = bindingNames(m);
    Map<String, String> layouts = ioLayouts(m);
    List<Part> parts = new ArrayList<>();
    long total = r.macsTotal();
    long onTpu = 0;
    for (int k = 0; k < cuts.size(); k++) {
      int[] c = cuts.get(k);
      List<Integer> ins = partInputs(m, c[0], c[1]);
      List<Integer> outs = partOutputs(m, c[0], c[1]);
      Set<Integer> constants = new LinkedHashSet<>();
      for (int i = c[0]; i < c[1]; i++) {
        for (int t : m.ops.get(i).inputs()) {
          if (t >= 0 && m.tensor(t).isConstant()) {
            constants.add(t);
          }
        }
      }
      long params = constants.stream().mapToLong(t -> m.tensor(t).data.length).sum();
      long macs = macs(r, c[0], c[1]);
      boolean tpu = c[2] == 1;
      if (tpu) {
        onTpu += macs;
      }
      int part = k;
      parts.add(new Part(k, tpu ? "edgetpu" : "cpu", c[0], c[1] - c[0], macs, params,
          tpu && r.onChipBytes() >= 0 && params <= r.onChipBytes(),
          ins.stream().map(t -> binding(m, t, names, producedBy.getOrDefault(t, -1), layouts)).toList(),
          outs.stream().map(t -> binding(m, t, names, part, layouts)).toList()));
    }
    double share = total == 0 ? (parts.stream().allMatch(Part::onTpu) ? 1 : 0) : (double) onTpu / total;
    return new Plan(r.target(), maxSegments, List.copyOf(parts), total, onTpu, share, r.tpuMacShare(), r.onChipBytes(),
        m.inputs.stream().map(t -> binding(m, t, names, -1, layouts)).toList(),
        m.outputs.stream().map(t -> binding(m, t, names, producedBy.getOrDefault(t, -1), layouts)).toList());
  }

  /** Part k of a plan as a model of its own: its ops, their tensors, boundary tensors as its IO. */
  public static TflModel slice(TflModel m, Plan plan, int k) {
    Part p = plan.parts().get(k);
    Map<Integer, String> names = bindingNames(m);
    TflModel s = new TflModel();
    Map<Integer, Integer> index = new HashMap<>();
    java.util.function.IntUnaryOperator map = t -> t < 0 ? t : index.computeIfAbsent(t, key -> {
      TflModel.Tensor x = m.tensor(key);
      String name = names.getOrDefault(key, x.name);
      return x.isConstant() ? s.constant(name, x.type, x.shape, x.quant, x.data) : s.activation(name, x.type, x.shape, x.quant);
    });
    for (int t : partInputs(m, p.firstOp(), p.firstOp() + p.ops())) {
      s.inputs.add(map.applyAsInt(t));
    }
    for (int i = p.firstOp(); i < p.firstOp() + p.ops(); i++) {
      TflModel.Op op = m.ops.get(i);
      int[] ins = java.util.Arrays.stream(op.inputs()).map(map).toArray();
      int[] outs = java.util.Arrays.stream(op.outputs()).map(map).toArray();
      s.add(new TflModel.Op(op.builtin(), op.version(), ins, outs, op.options(), op.fusedActivation(), op.origin(), op.role()));
    }
    for (int t : partOutputs(m, p.firstOp(), p.firstOp() + p.ops())) {
      s.outputs.add(map.applyAsInt(t));
    }
    s.metadata.putAll(m.metadata);
    s.metadata.put("hwc_part", k + "/" + plan.parts().size() + " " + p.runtime());
    s.description = m.description + " (part " + k + " of " + plan.parts().size() + ", " + p.runtime() + ")";
    return s;
  }

  /** The manifest's schema id ({@code docs/deploy.schema.json}). */
  public static final String SCHEMA = "hwc-deploy/1";

  /**
   * deploy.json: the parts in run order and how tensors flow between them.
   *
   * @param source the single-file artifact the parts are cut from
   * @param boundaryBytes bytes the host moves between parts per inference
   */
  public record Manifest(String schema, String target, String source, int maxSegments, int tpuSegments, long macsTotal,
      long macsOnTpu, double tpuMacShare, double singleFileTpuMacShare, long onChipParamBytes, long boundaryBytes,
      List<Binding> inputs, List<Binding> outputs, List<ManifestPart> parts) {}

  /**
   * One part's entry in deploy.json.
   *
   * @param edgetpuCompiler the Edge TPU compiler command for a TPU segment (null for a CPU part)
   * @param compiledFile what that command writes (null for a CPU part)
   */
  public record ManifestPart(int index, String file, String runtime, int firstOp, int ops, long macs, long paramBytes,
      Boolean cached, long bytesIn, long bytesOut, List<Binding> inputs, List<Binding> outputs, String edgetpuCompiler,
      String compiledFile) {}

  /** The file name of part k: {@code STEM_partK.tflite}. */
  public static String partFile(String stem, int k) {
    return stem + "_part" + k + ".tflite";
  }

  /**
   * Writes every part as {@code STEM_partK.tflite} into {@code dir} and returns the manifest (the
   * caller writes it as deploy.json beside them).
   *
   * @param source the single-file artifact's name, for the manifest
   */
  public static Manifest write(TflModel m, Plan plan, java.nio.file.Path dir, String stem, String source)
      throws java.io.IOException {
    List<ManifestPart> parts = new ArrayList<>();
    for (Part p : plan.parts()) {
      String file = partFile(stem, p.index());
      java.nio.file.Files.write(dir.resolve(file), TflWriter.write(slice(m, plan, p.index())));
      String compiled = p.onTpu() ? file.replace(".tflite", "_edgetpu.tflite") : null;
      parts.add(new ManifestPart(p.index(), file, p.runtime(), p.firstOp(), p.ops(), p.macs(), p.paramBytes(),
          p.onTpu() ? p.cached() : null, p.bytesIn(), p.bytesOut(), p.inputs(), p.outputs(),
          p.onTpu() ? "edgetpu_compiler -s " + file : null, compiled));
    }
    return new Manifest(SCHEMA, plan.target(), source, plan.maxSegments(), plan.tpuSegments(), plan.macsTotal(),
        plan.macsOnTpu(), plan.tpuMacShare(), plan.singleFileTpuMacShare(), plan.onChipBytes(), plan.boundaryBytes(),
        plan.inputs(), plan.outputs(), List.copyOf(parts));
  }

  /** Non-constant tensors its ops read that no op of the range writes: graph inputs first, then by first use. */
  static List<Integer> partInputs(TflModel m, int from, int to) {
    Set<Integer> written = new HashSet<>();
    LinkedHashSet<Integer> ins = new LinkedHashSet<>();
    for (int i = from; i < to; i++) {
      for (int t : m.ops.get(i).inputs()) {
        if (t >= 0 && !m.tensor(t).isConstant() && !written.contains(t)) {
          ins.add(t);
        }
      }
      for (int t : m.ops.get(i).outputs()) {
        written.add(t);
      }
    }
    List<Integer> out = new ArrayList<>();
    m.inputs.stream().filter(ins::contains).forEach(out::add);
    ins.stream().filter(t -> !out.contains(t)).forEach(out::add);
    return out;
  }

  /** Tensors the range writes that a later op reads or the graph outputs: graph outputs in order first. */
  static List<Integer> partOutputs(TflModel m, int from, int to) {
    Set<Integer> readLater = new HashSet<>();
    for (int i = to; i < m.ops.size(); i++) {
      for (int t : m.ops.get(i).inputs()) {
        readLater.add(t);
      }
    }
    LinkedHashSet<Integer> written = new LinkedHashSet<>();
    for (int i = from; i < to; i++) {
      for (int t : m.ops.get(i).outputs()) {
        written.add(t);
      }
    }
    List<Integer> out = new ArrayList<>();
    m.outputs.stream().filter(written::contains).forEach(out::add);
    written.stream().filter(t -> readLater.contains(t) && !out.contains(t)).forEach(out::add);
    return out;
  }

  /** Names for the tensors that cross parts: the tensor's own, made unique with "#index" where two share one. */
  private static Map<Integer, String> bindingNames(TflModel m) {
    Map<String, Integer> count = new HashMap<>();
    for (TflModel.Tensor t : m.tensors) {
      count.merge(t.name, 1, Integer::sum);
    }
    Map<Integer, String> out = new HashMap<>();
    for (int i = 0; i < m.tensors.size(); i++) {
      TflModel.Tensor t = m.tensor(i);
      boolean io = m.inputs.contains(i) || m.outputs.contains(i);
      out.put(i, count.get(t.name) > 1 && !io ? t.name + "#" + i : t.name);
    }
    return out;
  }

  /** Graph IO name to layout, from the lowering's {@value TfliteLowering#IO_METADATA} metadata. */
  private static Map<String, String> ioLayouts(TflModel m) {
    Map<String, String> out = new HashMap<>();
    for (String entry : m.metadata.getOrDefault(TfliteLowering.IO_METADATA, "").split(";")) {
      int eq = entry.lastIndexOf('=');
      if (eq > 0) {
        out.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    return out;
  }

  private static Binding binding(TflModel m, int t, Map<Integer, String> names, int producer, Map<String, String> layouts) {
    TflModel.Tensor x = m.tensor(t);
    boolean q = x.quant != null && x.quant.scale().length == 1;
    int elem = switch (x.type) {
      case TensorType.INT8, TensorType.UINT8, TensorType.BOOL -> 1;
      case TensorType.INT16, TensorType.FLOAT16 -> 2;
      case TensorType.INT64 -> 8;
      default -> 4;
    };
    return new Binding(names.get(t), x.shape.clone(), TflModel.typeName(x.type).toLowerCase(Locale.ROOT),
        q ? x.quant.scale()[0] : null, q ? x.quant.zeroPoint()[0] : null, x.elements() * elem, producer,
        m.inputs.contains(t) || m.outputs.contains(t) ? layouts.getOrDefault(x.name, "IR") : null);
  }

  private static long macs(EdgeTpuReport.Report r, int from, int to) {
    long s = 0;
    for (int i = from; i < to; i++) {
      s += r.ops().get(i).macs();
    }
    return s;
  }
}

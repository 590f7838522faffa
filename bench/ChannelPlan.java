// Issue 12: a non-uniform channel-pruning plan for the bundled well-log example, by measured sensitivity.
// Greedy (in the spirit of Li et al., "Pruning Filters for Efficient ConvNets", https://arxiv.org/abs/1608.08710,
// section 3.4): starting from the unpruned model, each round tries removing one more eighth of every channel
// space (lowest-L2 groups first, as the pass removes them), runs each candidate on ONNX Runtime over unlabelled
// training strips (not the eval strips that judge the build), and keeps the one that costs the weakest mask
// the least IoU (against the float model, argmax per pixel; losses under 1e-4 count as 1e-4) per MAC removed; until the MACs removed reach TARGET.
// Prints each round and the final `--prune channel:0:LAYER=AMOUNT,...` spec, checked against the pass itself.
// Run: java -cp cli/target/hwc.jar bench/ChannelPlan.java STRIPS.npz [TARGET=0.31] [N=6] [STEP=0.25]
import dev.hwc.backends.SessionOptions;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.onnx.OrtSession;
import dev.hwc.compiler.analysis.ModelStats;
import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.frontend.Frontends;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.prune.ChannelPruning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

public class ChannelPlan {
  static Path tmp;

  static List<float[]> run(Graph g, List<Map<String, Tensor>> xs) throws Exception {
    Path p = tmp.resolve("m.onnx");
    new OnnxEmitter().emit(g, p);
    List<float[]> out = new ArrayList<>();
    try (OrtSession o = OrtSession.open(p, SessionOptions.DEFAULT)) {
      for (Map<String, Tensor> x : xs) {
        out.add(o.run(x).get("masks").toFloats());
      }
    }
    return out;
  }

  /** IoU per mask channel of the argmax, candidate vs reference, over all strips ([1, C, H, W] each). */
  static double[] iou(List<float[]> ref, List<float[]> cand, int c) {
    double[] inter = new double[c];
    double[] union = new double[c];
    for (int s = 0; s < ref.size(); s++) {
      float[] a = ref.get(s);
      float[] b = cand.get(s);
      int hw = a.length / c;
      for (int i = 0; i < hw; i++) {
        int ra = 0;
        int rb = 0;
        for (int k = 1; k < c; k++) {
          ra = a[k * hw + i] > a[ra * hw + i] ? k : ra;
          rb = b[k * hw + i] > b[rb * hw + i] ? k : rb;
        }
        for (int k = 0; k < c; k++) {
          inter[k] += ra == k && rb == k ? 1 : 0;
          union[k] += ra == k || rb == k ? 1 : 0;
        }
      }
    }
    double[] r = new double[c];
    for (int k = 0; k < c; k++) {
      r[k] = union[k] == 0 ? 1 : inter[k] / union[k];
    }
    return r;
  }

  static double min(double[] v) {
    return java.util.Arrays.stream(v).min().orElse(1);
  }

  public static void main(String[] args) throws Exception {
    Path strips = Path.of(args[0]);
    double target = args.length > 1 ? Double.parseDouble(args[1]) : 0.31;
    int n = args.length > 2 ? Integer.parseInt(args[2]) : 6;
    double step = args.length > 3 ? Double.parseDouble(args[3]) : 0.25;
    tmp = Files.createTempDirectory("channel-plan");
    Graph g = Pipeline.standard().run(Frontends.read(Path.of("examples/welllog/welllog.onnx")), PassContext.defaults());
    Tensor all = Npy.readNpz(strips).get("image");
    long[] s = all.shape();
    float[] v = all.toFloats();
    int per = (int) (s[1] * s[2] * s[3]);
    List<Map<String, Tensor>> xs = new ArrayList<>();
    for (int i = 0; i < Math.min(n, s[0]); i++) {
      xs.add(Map.of("image", Tensor.ofFloats(new long[] {1, s[1], s[2], s[3]},
          java.util.Arrays.copyOfRange(v, i * per, (i + 1) * per))));
    }
    List<float[]> ref = run(g, xs);
    long macs0 = ModelStats.of(g).macs();
    ChannelPruning.Analysis a = ChannelPruning.analyze(g, Set.of());
    Map<String, List<ChannelPruning.Group>> spaces = new LinkedHashMap<>();
    Map<String, Integer> size = new LinkedHashMap<>();
    for (ChannelPruning.Group gr : a.groups()) {
      size.merge(gr.space(), 1, Integer::sum);
      if (gr.prunable()) {
        spaces.computeIfAbsent(gr.space(), k -> new ArrayList<>()).add(gr);
      }
    }
    spaces.values().forEach(l -> l.sort(Comparator.comparingDouble(ChannelPruning.Group::score)
        .thenComparingInt(ChannelPruning.Group::index)));
    Map<String, Integer> count = new LinkedHashMap<>();
    spaces.keySet().forEach(k -> count.put(k, 0));
    // one space at a time: the weakest mask's IoU loss at each step (one round of candidates, measured once;
    // the losses are taken as additive, and the combined plan is measured at the end)
    Map<String, double[]> loss = new LinkedHashMap<>();
    Map<String, long[]> gain = new LinkedHashMap<>();
    Map<String, int[]> counts = new LinkedHashMap<>();
    for (String space : spaces.keySet()) {
      int max = Math.min(spaces.get(space).size(), size.get(space) - 1);
      List<Integer> cs = new ArrayList<>();
      for (int k = 1; k * step < 1; k++) {
        int c = Math.min(max, (int) Math.round(k * step * size.get(space)));
        if (c > (cs.isEmpty() ? 0 : cs.get(cs.size() - 1))) {
          cs.add(c);
        }
      }
      double[] l = new double[cs.size()];
      long[] m = new long[cs.size()];
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cs.size(); i++) {
        Map<String, Integer> trial = new LinkedHashMap<>(count);
        trial.put(space, cs.get(i));
        Graph p = a.prune(remove(spaces, trial));
        m[i] = macs0 - ModelStats.of(p).macs();
        double[] per3 = iou(ref, run(p, xs), 3);
        l[i] = 1 - min(per3);
        line.append(String.format(Locale.ROOT, "  %d: -%.2f%% MACs, weakest IoU %.4f", cs.get(i), 100.0 * m[i] / macs0, min(per3)));
      }
      loss.put(space, l);
      gain.put(space, m);
      counts.put(space, cs.stream().mapToInt(Integer::intValue).toArray());
      System.out.printf(Locale.ROOT, "%-28s %3d channels%s%n", space, size.get(space), line);
    }
    Map<String, Integer> level = new LinkedHashMap<>();
    spaces.keySet().forEach(k -> level.put(k, -1));
    long saved = 0;
    double sumLoss = 0;
    while (saved < target * macs0) {
      String best = null;
      double bestRatio = Double.MAX_VALUE;
      long bestSaved = 0;
      for (String space : spaces.keySet()) {
        int i = level.get(space) + 1;
        if (i >= counts.get(space).length) {
          continue;
        }
        double dl = loss.get(space)[i] - (i == 0 ? 0 : loss.get(space)[i - 1]);
        Map<String, Integer> trial = new LinkedHashMap<>(count);
        trial.put(space, counts.get(space)[i]);
        long sv = macs0 - ModelStats.of(a.prune(remove(spaces, trial))).macs(); // MACs of the combined plan
        // IoU changes below 1e-4 are noise on a few strips: among those, the most MACs removed wins
        double ratio = Math.max(dl, 1e-4) / Math.max(1, sv - saved);
        if (ratio < bestRatio) {
          bestRatio = ratio;
          best = space;
          bestSaved = sv;
        }
      }
      if (best == null) {
        break;
      }
      int i = level.get(best) + 1;
      level.put(best, i);
      count.put(best, counts.get(best)[i]);
      saved = bestSaved;
      sumLoss += loss.get(best)[i] - (i == 0 ? 0 : loss.get(best)[i - 1]);
      System.out.printf(Locale.ROOT, "plan: %-28s %2d/%-3d MACs removed %5.1f%%, summed IoU loss %.4f%n", best,
          count.get(best), size.get(best), 100.0 * saved / macs0, sumLoss);
    }
    Graph planned0 = a.prune(remove(spaces, count));
    saved = macs0 - ModelStats.of(planned0).macs();
    double[] all3 = iou(ref, run(planned0, xs), 3);
    System.out.printf(Locale.ROOT, "the whole plan, measured: IoU %.4f %.4f %.4f (no fine-tuning)%n", all3[0], all3[1], all3[2]);
    Map<String, Double> plan = new java.util.TreeMap<>();
    count.forEach((space, c) -> {
      String weight = java.util.Arrays.stream(space.split(",")).filter(w -> !w.startsWith("b_")).findFirst().orElse(space);
      plan.put(weight, Math.floor(1000.0 * (c + 0.5) / size.get(space)) / 1000.0);
    });
    // the pass, given the printed plan, removes exactly the planned groups
    Set<Integer> planned = remove(spaces, count);
    if (!a.lowestScoring(0, plan).equals(planned)) {
      throw new IllegalStateException("the printed plan does not reproduce the planned groups");
    }
    StringBuilder spec = new StringBuilder("channel:0:");
    plan.forEach((w, f) -> spec.append(spec.toString().endsWith(":") ? "" : ",").append(w).append('=')
        .append(String.format(Locale.ROOT, "%.3f", f)));
    System.out.printf(Locale.ROOT, "MACs removed %.1f%% (%d -> %d)%n--prune %s%n", 100.0 * saved / macs0, macs0,
        macs0 - saved, spec);
  }

  static Set<Integer> remove(Map<String, List<ChannelPruning.Group>> spaces, Map<String, Integer> count) {
    Set<Integer> out = new TreeSet<>();
    count.forEach((space, c) -> spaces.get(space).subList(0, c).forEach(gr -> out.add(gr.index())));
    return out;
  }
}

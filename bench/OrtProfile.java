// Where ONNX Runtime spends a model's time, per node: runs it with the session profiler on (all
// optimizations, as hwc's speed check runs it), seeded random float inputs, and prints per op type and
// per node the median over the runs of each kernel's time (slowest first, or --in-order: as run) with its
// output shape. Several models are profiled interleaved
// (A B A B ...) so load on a shared machine hits them alike.
// (--quantile Q: the Q-quantile of each node's times instead of the median; 0.1 is less disturbed by load.)
// Run: java -cp cli/target/hwc.jar bench/OrtProfile.java [--runs N] [--threads T] [--top K] [--quantile Q] MODEL.onnx...
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class OrtProfile {
  public static void main(String[] args) throws Exception {
    int runs = 60;
    int threads = 1;
    int top = 15;
    boolean inOrder = false;
    double quantile = 0.5;
    List<String> models = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--top" -> top = Integer.parseInt(args[++i]);
        case "--in-order" -> inOrder = true;
        case "--quantile" -> quantile = Double.parseDouble(args[++i]);
        default -> models.add(args[i]);
      }
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    List<OrtSession> sessions = new ArrayList<>();
    List<Map<String, OnnxTensor>> feeds = new ArrayList<>();
    for (String m : models) {
      OrtSession.SessionOptions o = new OrtSession.SessionOptions();
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      o.setIntraOpNumThreads(threads);
      o.enableProfiling(Files.createTempDirectory("ortprof").resolve("p").toString());
      OrtSession s = env.createSession(m, o);
      sessions.add(s);
      Map<String, OnnxTensor> feed = new HashMap<>();
      Random r = new Random(1);
      for (Map.Entry<String, NodeInfo> e : s.getInputInfo().entrySet()) {
        long[] shape = ((TensorInfo) e.getValue().getInfo()).getShape();
        int n = 1;
        for (long d : shape) {
          n *= (int) Math.max(1, d);
        }
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
          x[i] = (float) r.nextGaussian();
        }
        feed.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape));
      }
      feeds.add(feed);
    }
    for (int i = 0; i < runs + 10; i++) {
      for (int k = 0; k < sessions.size(); k++) {
        sessions.get(k).run(feeds.get(k)).close();
      }
    }
    Pattern dur = Pattern.compile("\"dur\" ?: ?(\\d+)");
    Pattern name = Pattern.compile("\"name\" ?: ?\"([^\"]+)_kernel_time\"");
    Pattern op = Pattern.compile("\"op_name\" ?: ?\"([^\"]+)\"");
    Pattern idx = Pattern.compile("\"node_index\" ?: ?\"(\\d+)\"");
    Pattern outShape = Pattern.compile("\"output_type_shape\" ?: ?\\[\\{\"[a-z0-9]+\" ?: ?\\[([0-9,]*)\\]");
    for (int k = 0; k < sessions.size(); k++) {
      Map<String, List<Long>> durs = new LinkedHashMap<>();
      Map<String, String> opOf = new HashMap<>();
      Map<String, String> shapeOf = new HashMap<>();
      for (String line : Files.readAllLines(Path.of(sessions.get(k).endProfiling()))) {
        Matcher n = name.matcher(line);
        if (!line.contains("\"cat\" : \"Node\"") || !n.find()) {
          continue;
        }
        Matcher d = dur.matcher(line);
        Matcher o = op.matcher(line);
        Matcher x = idx.matcher(line);
        d.find();
        o.find();
        String key = n.group(1) + (x.find() ? "#" + x.group(1) : "");
        durs.computeIfAbsent(key, z -> new ArrayList<>()).add(Long.parseLong(d.group(1)));
        opOf.put(key, o.group(1));
        Matcher sh = outShape.matcher(line);
        shapeOf.put(key, sh.find() ? sh.group(1) : "?");
      }
      Map<String, Double> byOp = new java.util.TreeMap<>();
      Map<String, Integer> countOp = new java.util.TreeMap<>();
      List<Map.Entry<String, Double>> nodes = new ArrayList<>();
      double total = 0;
      for (var e : durs.entrySet()) {
        List<Long> d = e.getValue();
        // the last runs only (the first 10 are warm-up), median
        List<Long> tail = new ArrayList<>(d.subList(Math.min(10, d.size() - 1), d.size()));
        tail.sort(null);
        double med = tail.get((int) Math.min(tail.size() - 1, Math.floor(quantile * tail.size())));
        nodes.add(Map.entry(e.getKey(), med));
        byOp.merge(opOf.get(e.getKey()), med, Double::sum);
        countOp.merge(opOf.get(e.getKey()), 1, Integer::sum);
        total += med;
      }
      System.out.printf("%s: %d kernels, sum of per-node %s %.3f ms (%d threads, %d runs)%n", models.get(k), durs.size(),
          quantile == 0.5 ? "medians" : "q" + quantile, total / 1000, threads, runs);
      byOp.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
          .forEach(e -> System.out.printf("  %-28s %3d  %8.3f ms%n", e.getKey(), countOp.get(e.getKey()), e.getValue() / 1000));
      if (!inOrder) {
        nodes.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
      }
      for (var e : nodes.subList(0, Math.min(top, nodes.size()))) {
        System.out.printf("    %-44s %-24s %-16s %8.3f ms%n", e.getKey(), opOf.get(e.getKey()), shapeOf.get(e.getKey()),
            e.getValue() / 1000);
      }
    }
  }
}

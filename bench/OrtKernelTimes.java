// Where ONNX Runtime spends a model's time, per op type, read from its own profiler: the model runs
// RUNS times on one .npz sample (inputs keyed by name, int64 or float32) with THREADS intra-op threads,
// and each node's time is its MINIMUM over the runs (then summed per op type). Minima are what a loaded
// machine disturbs least: a run that lost the CPU to another process shows up in the mean, rarely in
// every run of the same node. Not a replacement for `hwc bench` (interleaved end-to-end ratios); it says
// which kernels an artifact runs and roughly what each costs.
// Run: java -cp cli/target/hwc.jar bench/OrtKernelTimes.java MODEL.onnx INPUTS.npz [THREADS=1] [RUNS=60] [nodes]
// (nodes: also every node's minimum, in the order the session ran them)
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Tensor;
import java.nio.LongBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class OrtKernelTimes {
  public static void main(String[] args) throws Exception {
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    int runs = args.length > 3 ? Integer.parseInt(args[3]) : 60;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> feed = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : Npy.readNpz(Path.of(args[1])).entrySet()) {
      Tensor t = e.getValue();
      feed.put(e.getKey(), t.dtype() == DType.FLOAT
          ? OnnxTensor.createTensor(env, FloatBuffer.wrap(t.toFloats()), t.shape())
          : OnnxTensor.createTensor(env, LongBuffer.wrap(t.toLongs()), t.shape()));
    }
    Path dir = Files.createTempDirectory("ort-kernel-times");
    String json;
    long t0;
    long t1;
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(threads);
      o.enableProfiling(dir.resolve("profile").toString());
      try (OrtSession s = env.createSession(args[0], o)) {
        for (int i = 0; i < 10; i++) {
          s.run(feed).close();
        }
        t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
          s.run(feed).close();
        }
        t1 = System.nanoTime();
        Path f = Path.of(s.endProfiling());
        json = Files.readString(f);
        Files.delete(f);
      }
    }
    Files.delete(dir);
    Pattern p = Pattern.compile("\"dur\"\\s*:\\s*(\\d+).*?\"name\"\\s*:\\s*\"([^\"]+)_kernel_time\".*?\"op_name\"\\s*:\\s*\"([^\"]+)\"");
    Matcher m = p.matcher(json);
    Map<String, Long> nodeMin = new LinkedHashMap<>();
    Map<String, String> nodeOp = new HashMap<>();
    while (m.find()) {
      nodeMin.merge(m.group(2), Long.parseLong(m.group(1)), Math::min);
      nodeOp.put(m.group(2), m.group(3));
    }
    Map<String, long[]> perOp = new TreeMap<>();
    nodeMin.forEach((node, us) -> {
      long[] a = perOp.computeIfAbsent(nodeOp.get(node), k -> new long[2]);
      a[0] += us;
      a[1]++;
    });
    long total = nodeMin.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf("%s: %d threads, mean %.3f ms per run over %d runs; sum of per-node minima %.3f ms%n", args[0],
        threads, (t1 - t0) / 1e6 / runs, runs, total / 1000.0);
    perOp.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
        .forEach(e -> System.out.printf("  %-32s %3d nodes  %8.3f ms%n", e.getKey(), e.getValue()[1], e.getValue()[0] / 1000.0));
    if (args.length > 4 && args[4].equals("nodes")) {
      nodeMin.forEach((node, us) -> System.out.printf("    %-56s %-28s %8.3f ms%n", node, nodeOp.get(node), us / 1000.0));
    }
  }
}

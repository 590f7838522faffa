// The reference the harness is checked against: a plain timed loop over one ONNX Runtime session in
// this JVM, written straight against ONNX Runtime's Java API (no hwc code on the timed path; hwc's
// Npy only reads the input file). Default session options and threads, inputs made into OnnxTensors
// once, System.nanoTime around each run. Prints one line: p50, mean, runs, and this JVM's VmHWM.
// Run: java -cp cli/target/hwc.jar bench/PlainLoop.java MODEL.onnx INPUTS.npz SECONDS WARMUP [THREADS]
// (THREADS: intra-op threads; absent or 0 keeps ONNX Runtime's default, as hwc does.) Inputs: int64 arrays.
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.ir.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

public class PlainLoop {
  public static void main(String[] args) throws Exception {
    double seconds = Double.parseDouble(args[2]);
    int warmup = Integer.parseInt(args[3]);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int threads = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    if (threads > 0) {
      so.setIntraOpNumThreads(threads);
    }
    try (so; OrtSession session = env.createSession(args[0], so)) {
      Map<String, OnnxTensor> feed = new HashMap<>();
      for (Map.Entry<String, Tensor> e : Npy.readNpz(Path.of(args[1])).entrySet()) {
        ByteBuffer b = ByteBuffer.allocateDirect((int) e.getValue().byteSize()).order(ByteOrder.nativeOrder());
        b.put(e.getValue().buffer()).rewind();
        feed.put(e.getKey(), OnnxTensor.createTensor(env, b.asLongBuffer(), e.getValue().shape()));
      }
      for (int i = 0; i < 1 + warmup; i++) {
        session.run(feed).close();
      }
      long[] ns = new long[1 << 20];
      int n = 0;
      long end = System.nanoTime() + (long) (seconds * 1e9);
      while (System.nanoTime() < end && n < ns.length) {
        long t = System.nanoTime();
        session.run(feed).close();
        ns[n++] = System.nanoTime() - t;
      }
      long[] s = Arrays.copyOf(ns, n);
      Arrays.sort(s);
      double p50 = (n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0) / 1e6;
      double mean = Arrays.stream(s).average().orElse(0) / 1e6;
      long hwm = -1;
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmHWM:")) {
          hwm = Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        }
      }
      System.out.printf(java.util.Locale.ROOT, "plain-loop p50_ms=%.4f mean_ms=%.4f runs=%d peak_rss_bytes=%d%n", p50, mean, n, hwm);
    }
  }
}

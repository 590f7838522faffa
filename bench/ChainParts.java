// Issue 11's probe of the ONNX Runtime check in parts: cuts a model (bench/MakeChain.java's chain) into
// parts of P nodes and runs S seeded random samples through them with the given optimization level and
// number of parts created ahead, printing the process CPU seconds and wall seconds of the cut and of the run.
// Run: java -cp cli/target/hwc.jar bench/ChainParts.java MODEL.onnx P ALL|NO AHEAD [S] [REPEATS]
import dev.hwc.backends.SessionOptions;
import dev.hwc.backends.onnx.OrtChain;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.frontend.Frontends;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ops.ShapeInference;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public class ChainParts {
  static double cpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    int partNodes = Integer.parseInt(args[1]);
    SessionOptions opts = new SessionOptions(0, args[2].equals("ALL"), false);
    int ahead = Integer.parseInt(args[3]);
    int samples = args.length > 4 ? Integer.parseInt(args[4]) : 4;
    int repeats = args.length > 5 ? Integer.parseInt(args[5]) : 1;
    Graph g = ShapeInference.run(Frontends.read(model));
    SampleSet s = SampleSet.random(g, samples, 0);
    List<Map<String, Tensor>> feeds = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      feeds.add(s.get(i));
    }
    for (int r = 0; r < repeats; r++) {
      double c0 = cpu();
      long w0 = System.nanoTime();
      OrtChain chain = OrtChain.cut(model, g::type, partNodes);
      double c1 = cpu();
      long w1 = System.nanoTime();
      chain.runAll(feeds, opts, ahead);
      double c2 = cpu();
      long w2 = System.nanoTime();
      System.out.printf("%s: %d nodes, %d parts of %d, %s_OPT, %d ahead, %d samples: cut %.2f s CPU %.2f s wall; run %.2f s CPU %.2f s wall%n",
          model.getFileName(), g.nodes().size(), chain.parts(), partNodes, args[2], ahead, samples, c1 - c0, (w1 - w0) / 1e9,
          c2 - c1, (w2 - w1) / 1e9);
    }
  }
}

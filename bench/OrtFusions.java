// Which kernels ONNX Runtime actually runs for a model: saves the session's optimized graph
// (extended level, the fusions that decide int8 speed: DynamicQuantizeMatMul, QLinearConv, QGemm...)
// and prints its op histogram. Run: java -cp cli/target/hwc.jar bench/OrtFusions.java MODEL.onnx [OUT.onnx]
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;

public class OrtFusions {
  public static void main(String[] args) throws Exception {
    Path out = args.length > 1 ? Path.of(args[1]) : Files.createTempFile("ort-optimized", ".onnx");
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
      o.setOptimizedModelFilePath(out.toString());
      OrtEnvironment.getEnvironment().createSession(args[0], o).close();
    }
    OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(out));
    TreeMap<String, Integer> ops = new TreeMap<>();
    for (OnnxMl.NodeProto n : m.getGraph().getNodeList()) {
      ops.merge((n.getDomain().isEmpty() ? "" : n.getDomain() + ":") + n.getOpType(), 1, Integer::sum);
    }
    System.out.println(args[0] + ": " + m.getGraph().getNodeCount() + " nodes after ONNX Runtime's extended optimizations");
    ops.forEach((op, c) -> System.out.printf("  %-40s %d%n", op, c));
  }
}

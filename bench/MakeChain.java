// Writes a long chain model as ONNX: x -> Relu -> Add(c) -> Relu -> Add(c) -> ... (N nodes in all, one
// shared [1, 16] constant), the shape of a graph whose size, not its compute, is what a build pays for.
// Run: java -cp cli/target/hwc.jar bench/MakeChain.java OUT.onnx N
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Tensor;
import java.nio.file.Path;

public class MakeChain {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[1]);
    GraphBuilder b = new GraphBuilder("chain" + n, 1);
    String x = b.input("x", 1, 16);
    float[] half = new float[16];
    java.util.Arrays.fill(half, 0.5f);
    String c = b.constant("c", Tensor.ofFloats(new long[] {1, 16}, half));
    for (int i = 0; i < n; i++) {
      x = i % 2 == 0 ? b.node("Relu", Attributes.EMPTY, x) : b.node("Add", Attributes.EMPTY, x, c);
    }
    b.output(x);
    new OnnxEmitter().emit(b.build(), Path.of(args[0]));
  }
}

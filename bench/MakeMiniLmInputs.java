// Writes a tokenized-text-shaped sample for all-MiniLM-L6-v2 as .npz (input_ids, attention_mask,
// token_type_ids; int64 [1, N]): [CLS] + N-2 seeded word-piece ids + [SEP], every position attended,
// one segment. Timing does not depend on which words they are, but the values must be legal (random
// ints in the token_type_ids would index past its 2-row embedding).
// Run: java -cp cli/target/hwc.jar bench/MakeMiniLmInputs.java OUT.npz [N=128] [SEED=1]
import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.ir.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

public class MakeMiniLmInputs {
  public static void main(String[] args) throws Exception {
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    Random r = new Random(args.length > 2 ? Long.parseLong(args[2]) : 1);
    long[] ids = new long[n];
    long[] mask = new long[n];
    long[] types = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = i == 0 ? 101 : i == n - 1 ? 102 : 1000 + r.nextInt(29000); // [CLS] ... [SEP] in BERT's uncased vocab
      mask[i] = 1;
    }
    long[] shape = {1, n};
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("input_ids", Tensor.ofLongs(shape, ids));
    m.put("attention_mask", Tensor.ofLongs(shape, mask));
    m.put("token_type_ids", Tensor.ofLongs(shape, types));
    Npy.writeNpz(Path.of(args[0]), m);
  }
}

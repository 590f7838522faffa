// Zero-pads the committed MiniLM sentences (.npz per sentence, int64 [1, len]) to one static length,
// for targets that need static shapes (TFLite): ids, mask and segment ids padded with 0, so padded
// positions are masked out exactly as a tokenizer's padding would be.
// Run: java -cp cli/target/hwc.jar bench/PadMiniLmCorpus.java IN_DIR OUT_DIR [LEN=128] [MAX_FILES=all]
import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.ir.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class PadMiniLmCorpus {
  public static void main(String[] args) throws Exception {
    Path out = Files.createDirectories(Path.of(args[1]));
    int len = args.length > 2 ? Integer.parseInt(args[2]) : 128;
    long max = args.length > 3 ? Long.parseLong(args[3]) : Long.MAX_VALUE;
    List<Path> files;
    try (var s = Files.list(Path.of(args[0]))) {
      files = s.filter(f -> f.toString().endsWith(".npz")).sorted().limit(max).toList();
    }
    for (Path f : files) {
      Map<String, Tensor> padded = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : Npy.readNpz(f).entrySet()) {
        long[] v = e.getValue().toLongs();
        if (v.length > len) {
          throw new IllegalArgumentException(f + ": " + e.getKey() + " has " + v.length + " tokens, more than " + len);
        }
        padded.put(e.getKey(), Tensor.ofLongs(new long[] {1, len}, Arrays.copyOf(v, len)));
      }
      Npy.writeNpz(out.resolve(f.getFileName()), padded);
    }
  }
}

// Writes unlabelled well-log training inputs for `hwc build --fine-tune --distill --train DIR`:
// N generated strips (seeds from the training range of data seed 1, disjoint from the calib and eval
// strips and from the committed model's own training strips), as DIR/strips.npz keyed by `image`.
// Run: java -cp cli/target/hwc.jar bench/MakeWellLogTrain.java OUT_DIR [N=64]
import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.hwtests.welllog.WellLogExamples;
import dev.hwc.hwtests.welllog.WellLogGenerator;
import dev.hwc.hwtests.welllog.WellLogSets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

public class MakeWellLogTrain {
  public static void main(String[] args) throws Exception {
    Path dir = Files.createDirectories(Path.of(args[0]));
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    Map<String, Tensor> a = WellLogExamples.arrays(new WellLogGenerator(), WellLogSets.TRAIN_BASE + WellLogSets.TRAIN_SPAN, n);
    Npy.writeNpz(dir.resolve("strips.npz"), Map.of("image", a.get("image")));
    System.out.println("wrote " + n + " strips to " + dir.resolve("strips.npz"));
  }
}

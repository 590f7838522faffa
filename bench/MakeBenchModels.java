// Writes the models hwc's speed measurements use, as ONNX, into a folder:
//   conv_stack_64.onnx  SmallModels.convStack64(1): six 3x3 convs, 64 channels, 56x56 (compute bound)
//   unet_like.onnx      SmallModels.unetLike(7): the small segmenter (overhead bound)
//   mobilenet_v3_like.onnx  MobileNetV3Like.build(3): as a converter exports it (HardSigmoid, x*relu6(x+3)/6, SE), 64x64
//   mobilenet_v3_like_224.onnx  the same network on 224x224 (MobileNetV3's input size)
// Run: java -cp cli/target/hwc.jar bench/MakeBenchModels.java OUT_DIR
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.compiler.zoo.MobileNetV3Like;
import dev.hwc.compiler.zoo.SmallModels;
import java.nio.file.Files;
import java.nio.file.Path;

public class MakeBenchModels {
  public static void main(String[] args) throws Exception {
    Path dir = Files.createDirectories(Path.of(args[0]));
    new OnnxEmitter().emit(SmallModels.convStack64(1), dir.resolve("conv_stack_64.onnx"));
    new OnnxEmitter().emit(SmallModels.unetLike(7), dir.resolve("unet_like.onnx"));
    new OnnxEmitter().emit(MobileNetV3Like.build(3), dir.resolve("mobilenet_v3_like.onnx"));
    new OnnxEmitter().emit(MobileNetV3Like.build(3, 224), dir.resolve("mobilenet_v3_like_224.onnx"));
  }
}

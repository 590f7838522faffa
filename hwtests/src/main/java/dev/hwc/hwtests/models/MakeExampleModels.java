package dev.hwc.hwtests.models;

import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.compiler.zoo.SmallModels;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the example models committed under examples/: {@code examples/smallcnn/smallcnn.onnx} is
 * {@link SmallModels#smallCnn()} (the UNet-like segmenter, seed 7, random weights).
 * {@code MakeExampleModelsTest} regenerates the bytes and checks them against the committed file;
 * to rewrite the file after changing the model, run from the repository root:
 *
 * <pre>mvn -B -pl hwtests -am test -Dtest=MakeExampleModelsTest -Dsurefire.failIfNoSpecifiedTests=false -Dhwc.regenerate=true</pre>
 */
public final class MakeExampleModels {
  private MakeExampleModels() {}

  public static byte[] smallCnnBytes() {
    return new OnnxEmitter().toBytes(SmallModels.smallCnn());
  }

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : ".");
    Path file = root.resolve("examples/smallcnn/smallcnn.onnx");
    Files.createDirectories(file.getParent());
    Files.write(file, smallCnnBytes());
    System.out.println("wrote " + file + " (" + Files.size(file) + " bytes)");
  }
}

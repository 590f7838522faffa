package dev.hwc.cli.fuzz;

import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.cli.HostileFiles;
import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.backends.tflite.TflWriter;
import dev.hwc.backends.tflite.TfliteLowering;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.zoo.SmallModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Writes the committed seed corpora of the fuzz tests (run by hand when the generators change):
 * {@code java -cp ... dev.hwc.cli.fuzz.WriteSeeds cli/src/test/resources/dev/hwc/cli/fuzz}.
 */
public final class WriteSeeds {
  private WriteSeeds() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    Path onnx = Files.createDirectories(root.resolve("OnnxReaderFuzzTestInputs/fuzz"));
    Files.write(onnx.resolve("relu"), HostileFiles.relu());
    Files.write(onnx.resolve("external-w"), HostileFiles.externalWeights("w.bin", 0));
    Files.write(onnx.resolve("external-offset"), HostileFiles.externalWeights("w.bin", 32));
    Files.write(onnx.resolve("nan-weights"), HostileFiles.nonFiniteWeights());
    Files.write(onnx.resolve("hostile-no-nodes"), HostileFiles.noNodes());
    Files.write(onnx.resolve("hostile-no-inputs"), HostileFiles.noInputs());
    Files.write(onnx.resolve("hostile-no-outputs"), HostileFiles.noOutputs());
    Files.write(onnx.resolve("hostile-big-dims"), HostileFiles.hugeInput(1L << 31, 1L << 31));
    Files.write(onnx.resolve("hostile-overflow-dims"), HostileFiles.hugeInput(1L << 32, 1L << 32, 1L << 32));
    Files.write(onnx.resolve("hostile-mac-overflow"), HostileFiles.hugeMatMul());
    Files.write(onnx.resolve("hostile-shadowed-input"), HostileFiles.inputShadowedByInitializer());
    Files.write(onnx.resolve("hostile-external-escape"), HostileFiles.externalWeights("../w.bin", 0));
    Files.write(onnx.resolve("hostile-external-far"), HostileFiles.externalWeights("w.bin", 1000));

    Path npy = Files.createDirectories(root.resolve("NpyReaderFuzzTestInputs/fuzz"));
    Tensor t = Tensor.ofFloats(new long[] {2, 3}, 1, 2, 3, 4, 5, 6);
    Path tmp = Files.createTempFile("seed", ".npy");
    Npy.write(tmp, t);
    Files.copy(tmp, npy.resolve("f32-2x3"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Map<String, Tensor> two = new java.util.LinkedHashMap<>();
    two.put("x", t);
    two.put("ids", Tensor.ofLongs(new long[] {4}, 1, 2, 3, 4));
    Npy.writeNpz(tmp, two);
    Files.copy(tmp, npy.resolve("npz-two"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.delete(tmp);
    Files.write(npy.resolve("hostile-shape-overflow"), HostileFiles.npyHeader("<f4", "4294967296, 4294967296, 4294967296"));
    Files.write(npy.resolve("hostile-huge-shape"), HostileFiles.npyHeader("<f8", "1073741824, 1073741824"));
    Files.write(npy.resolve("scalar-i8"), HostileFiles.npyHeader("|i1", ""));

    Path prof = Files.createDirectories(root.resolve("ProfileLoaderFuzzTestInputs/fuzz"));
    Files.writeString(prof.resolve("mine-cpu"), HostileFiles.profileText("mine-cpu"));
    Files.writeString(prof.resolve("small"), "id: small\nartifact: onnx\nruntime: onnxruntime\n"
        + "precisions: {weights: [fp32], activations: [fp32], io: [fp32]}\nops:\n  Relu: {}\n  Softmax: {limits: [{maxElements: 100}]}\n");
    Files.writeString(prof.resolve("hostile-builtin-id"), HostileFiles.profileText(null));
    Files.writeString(prof.resolve("hostile-unknown-op"), HostileFiles.profileText("typo").replace("  Relu: {}", "  Relux: {}"));
    Files.writeString(prof.resolve("hostile-control-id"), HostileFiles.profileText("\"a\\e[2Jb\""));
    try (var in = WriteSeeds.class.getClassLoader().getResourceAsStream("profiles/edgetpu.yaml")) {
      Files.writeString(prof.resolve("edgetpu-copy"),
          new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("id: edgetpu", "id: my-tpu"));
    }

    Path tfl = Files.createDirectories(root.resolve("TfliteReaderFuzzTestInputs/fuzz"));
    for (var e : Map.of("depthwise", SmallModels.depthwiseSeparable(3), "residual", SmallModels.residualAdd(4),
        "unet", SmallModels.unetLike(5)).entrySet()) {
      Graph g = Pipeline.standard().run(TfliteLowering.prepare(e.getValue()));
      Files.write(tfl.resolve(e.getKey() + "-f32"), TflWriter.write(TfliteLowering.lower(g, TfliteLowering.Options.FLOAT).model()));
    }

    Path cli = Files.createDirectories(root.resolve("CliArgsFuzzTestInputs/fuzz"));
    Random r = new Random(11);
    for (int i = 0; i < 6; i++) {
      byte[] b = new byte[48];
      r.nextBytes(b);
      Files.write(cli.resolve("random-" + i), b);
    }
  }
}

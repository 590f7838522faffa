package dev.hwc.cli;

import dev.hwc.backends.tflite.TfliteLowering;
import dev.hwc.build.BuildRequest;
import dev.hwc.build.Compression;
import dev.hwc.build.BuildResult;
import dev.hwc.build.CheckFailedException;
import dev.hwc.build.Compiler;
import dev.hwc.build.ModelInput;
import dev.hwc.build.Precision;
import dev.hwc.build.SampleSource;
import dev.hwc.build.Scheme;
import dev.hwc.compiler.quant.calib.Calibration;
import dev.hwc.profiles.Profile;
import java.io.PrintWriter;
import dev.hwc.hwtests.OutputKind;
import dev.hwc.common.BadInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code hwc build --target T MODEL -o DIR}: optimize, compress, emit and check an artifact for a target. */
@Command(name = "build", mixinStandardHelpOptions = true,
    description = {"Compile a model for a target: optimize it, quantize it as the target allows, emit the artifact,",
        "and check it against the input model on a real runtime, per output. Without MODEL, builds the bundled example."})
final class BuildCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MODEL", arity = "0..1", description = "The model file (.onnx). Default: the bundled example.")
  Path model;

  @Option(names = "--target", paramLabel = "ID", description = "Target id (see 'hwc targets').")
  String target;

  @Option(names = {"-o", "--output"}, paramLabel = "DIR",
      description = "Output folder (default: hwc-out/<model>-<target>). Written whole at the end, or not at all.")
  Path output;

  @Option(names = "--force", description = "Replace the output folder if it exists.")
  boolean force;

  @Option(names = "--shape", paramLabel = "NAME=AxB", description = "Fix an input's shape, e.g. input_ids=1x128 (repeatable).")
  List<String> shapes = new ArrayList<>();

  @Option(names = "--precision", paramLabel = "P",
      description = "fp32, fp16 or int8 (default: the target's first legal weight precision).")
  String precision;

  @Option(names = "--calib", paramLabel = "DIR",
      description = "Calibration samples: .npz files keyed by input name (default: calib/ beside the model). "
          + "'random' uses seeded random data and says so loudly.")
  String calib;

  @Option(names = "--eval", paramLabel = "DIR",
      description = "Held-out samples for the accuracy check (default: every 5th calibration sample, held out).")
  Path eval;

  @Option(names = "--calibration", paramLabel = "METHOD", defaultValue = "percentile",
      description = "minmax, percentile[:99.99], entropy or mse (default: ${DEFAULT-VALUE}).")
  String calibration;

  @Option(names = "--scheme", paramLabel = "S", defaultValue = "auto",
      description = "int8 scheme: static (calibrated QDQ), dynamic (MatMuls quantized per run), or auto: "
          + "both where legal, the faster one that passes the gate (default: ${DEFAULT-VALUE}).")
  String scheme;

  @Option(names = "--min-cosine", paramLabel = "C", description = "Gate: lowest cosine for the weakest output (default: the profile's).")
  Double minCosine;

  @Option(names = "--min-iou", paramLabel = "I", description = "Gate: lowest IoU for the weakest mask channel or class (default: the profile's).")
  Double minIoU;

  @Option(names = "--output-kind", paramLabel = "NAME=KIND",
      description = "What an output is: mask, labels, embedding or regression (default: inferred from a trailing Sigmoid/Softmax).")
  List<String> outputKinds = new ArrayList<>();

  @Option(names = "--keep-float", paramLabel = "NODE", split = ",", description = "Node names kept in float.")
  List<String> keepFloat = new ArrayList<>();

  @Option(names = "--require-speedup", description = "Fail (exit 1) when the artifact is not faster than fp32 here"
      + " (with --prune: than the unpruned model at the same precision).")
  boolean requireSpeedup;

  @Option(names = "--prune", paramLabel = "SPEC",
      description = "Prune before quantizing: unstructured:0.8 (80%% of each Conv/Gemm/MatMul weight zeroed; "
          + "unstructured:0.8:global for one threshold; first and last weighted layers kept whole), "
          + "2:4 (2 of every 4 weights along the reduction axis zeroed: pays on TensorRT sparse tensor cores only), "
          + "channel:0.3 (30%% of each channel group removed from every coupled layer: really smaller); "
          + "channel:0.2:conv_2=0,w_4=0.5 (a non-uniform plan: the channel space a layer or weight produces at its own "
          + "fraction, 0 keeps it whole, the others at the first amount, which may then be 0).")
  String prune;

  @Option(names = "--low-rank", paramLabel = "E",
      description = "After pruning, factorize MatMul/Gemm weights by truncated SVD into two layers, keeping the fraction E"
          + " of each weight's energy (e.g. 0.9); weights it would not shrink stay; first and last layers kept whole.")
  Double lowRank;

  @Option(names = "--fine-tune", paramLabel = "KEY=VALUE", arity = "0..1", fallbackValue = "",
      description = "After pruning, train the pruned model with its zeros held at zero (prune -> fine-tune -> quantize); "
          + "optional steps=N,seconds=S,seed=K,lr=X,batch=B (default steps=300). Needs the training module "
          + "(TensorFlow Java), which ./hwc puts on the class path.")
  String fineTune;

  @Option(names = "--fine-tune-steps", paramLabel = "N", description = "Fine-tuning step budget (implies --fine-tune).")
  Integer fineTuneSteps;

  @Option(names = "--distill",
      description = "Fine-tune by distillation: match the float model's outputs on unlabelled inputs (implies --fine-tune).")
  boolean distill;

  @Option(names = "--train", paramLabel = "DIR",
      description = "Inputs to fine-tune on: .npz files keyed by input name (default: the calibration set).")
  Path train;

  @Option(names = "--bench-seconds", paramLabel = "S", defaultValue = "3",
      description = "Timed seconds per artifact in the speed check of compressed builds; 0 skips it (default: ${DEFAULT-VALUE}).")
  double benchSeconds;

  @Option(names = "--samples", paramLabel = "N", defaultValue = "8",
      description = "Seeded random samples for the fidelity check of float builds without --eval (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--io-layout", paramLabel = "L", defaultValue = "nhwc",
      description = "Rank-4 graph IO of TFLite artifacts: nhwc (TFLite's own, no Transpose anywhere) or nchw "
          + "(the source's; one TRANSPOSE at each such input and output) (default: ${DEFAULT-VALUE}).")
  String ioLayout;

  @Option(names = "--io-type", paramLabel = "T",
      description = "Graph IO of quantized TFLite artifacts: int8, uint8 or fp32 (default: the profile's first).")
  String ioType;

  @Option(names = "--max-segments", paramLabel = "N", defaultValue = "3",
      description = "Targets that partition once (the Edge TPU): the most TPU segments of the segmented deployment "
          + "(deploy.json and one .tflite per part) written beside the single file (default: ${DEFAULT-VALUE}).")
  int maxSegments;

  @Mixin TargetOptions targets = new TargetOptions();

  private java.util.Map<String, OutputKind> kinds() {
    java.util.Map<String, OutputKind> m = new java.util.LinkedHashMap<>();
    outputKinds.forEach(k -> {
      var e = OutputKind.parse(k);
      m.put(e.getKey(), e.getValue());
    });
    return m;
  }

  @Spec CommandSpec spec;

  private Compression compression() {
    boolean tune = fineTune != null || fineTuneSteps != null || distill || train != null;
    Compression.FineTune f = null;
    if (tune) {
      f = Compression.FineTune.parse(fineTune, distill);
      if (fineTuneSteps != null) {
        f = f.withSteps(fineTuneSteps);
      }
      if (train != null) {
        f = f.withTrain(train);
      }
    }
    if (prune == null && lowRank == null) {
      if (tune) {
        throw new dev.hwc.common.BadInputException("--fine-tune needs --prune (or --low-rank): it trains a compressed model to recover what compression cost");
      }
      return Compression.NONE;
    }
    return new Compression(prune == null ? null : Compression.Pruning.parse(prune), lowRank == null ? 0 : lowRank, f);
  }

  @Override
  public Integer call() throws Exception {
    if (samples < 1) {
      throw new BadInputException("--samples must be at least 1");
    }
    Scheme s = Scheme.of(scheme);
    Precision p = precision == null ? null : Precision.of(precision);
    if (minCosine != null && !(minCosine > 0 && minCosine <= 1)) {
      throw new BadInputException("--min-cosine must be in (0, 1], got " + minCosine);
    }
    if (ioType != null && !List.of("int8", "uint8", "fp32").contains(ioType)) {
      throw new BadInputException("--io-type must be int8, uint8 or fp32, got '" + ioType + "'");
    }
    if (!List.of("nhwc", "nchw").contains(ioLayout)) {
      throw new BadInputException("--io-layout must be nhwc or nchw, got '" + ioLayout + "'");
    }
    if (benchSeconds < 0) {
      throw new BadInputException("--bench-seconds must not be negative");
    }
    if (maxSegments < 1) {
      throw new BadInputException("--max-segments must be at least 1, got " + maxSegments);
    }
    var shapeMap = ShapeOption.parse(shapes);
    Calibration method = Calibration.parse(calibration);
    Profile profile = targets.resolve(target);
    ModelInput input = model == null ? ModelInput.bundledExample() : ModelInput.file(model);
    Path out = output != null ? output : Path.of("hwc-out", input.stem() + "-" + profile.id());
    BuildRequest request = BuildRequest.builder(input, profile)
        .precision(p)
        .scheme(s)
        .calibration(calib == null ? null : calib.equals("random") ? SampleSource.random()
            : SampleSource.folder(Path.of(calib), calib))
        .eval(eval == null ? null : SampleSource.folder(eval))
        .calibrationMethod(method)
        .minCosine(minCosine)
        .minIoU(minIoU)
        .outputKinds(kinds())
        .keepFloat(keepFloat)
        .shapes(shapeMap)
        .randomSamples(samples)
        .benchSeconds(benchSeconds)
        .maxSegments(maxSegments)
        .requireSpeedup(requireSpeedup)
        .nchwIo(ioLayout.equals("nchw"))
        .ioType(ioType == null ? null : TfliteLowering.IoType.of(ioType))
        .output(out)
        .replaceOutput(force)
        .compression(compression())
        .build();
    PrintWriter w = spec.commandLine().getOut();
    BuildResult result;
    try {
      result = Compiler.build(request, new BuildPrinter(w));
    } catch (CheckFailedException e) {
      BuildPrinter.print(w, e.result());
      throw e;
    }
    BuildPrinter.print(w, result);
    w.printf("wrote %s, %s%s%n", out.resolve(result.artifact().fileName()), out.resolve("report.json"),
        result.edgeTpu().isPresent() ? " and " + out.resolve("edgetpu-report.json") : "");
    result.segments().ifPresent(seg -> w.printf("wrote %s and its %d part%s (run it: hwc run %s)%n",
        out.resolve("deploy.json"), seg.parts().size(), seg.parts().size() == 1 ? "" : "s", out.resolve("deploy.json")));
    return Hwc.OK;
  }
}

package dev.hwc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hwc.backends.HwcVersion;
import dev.hwc.backends.Runtime;
import dev.hwc.backends.Emitter;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.tflite.EdgeTpuReport;
import dev.hwc.backends.tflite.TfliteEmitter;
import dev.hwc.backends.tflite.TfliteLowering;
import dev.hwc.compiler.analysis.Legality;
import dev.hwc.compiler.analysis.ModelStats;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.frontend.Frontends;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.compiler.passes.LowerHardActivations;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.PassRecord;
import dev.hwc.compiler.passes.PassRecorder;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.passes.UpgradeOpset;
import dev.hwc.compiler.quant.ConvertToFp16;
import dev.hwc.compiler.quant.QuantScheme;
import dev.hwc.hwtests.CurveFidelity;
import dev.hwc.hwtests.CurveResult;
import dev.hwc.hwtests.Evaluation;
import dev.hwc.hwtests.MaskSpec;
import dev.hwc.hwtests.Fidelity;
import dev.hwc.hwtests.OutputFidelity;
import dev.hwc.hwtests.OutputKind;
import dev.hwc.hwtests.bench.Bench;
import dev.hwc.hwtests.bench.BenchOptions;
import dev.hwc.hwtests.bench.BenchResult;
import dev.hwc.hwtests.bench.BenchTarget;
import dev.hwc.common.BadInputException;
import dev.hwc.profiles.Profile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * One {@code hwc build}: read, optimize, compress as the target allows, emit, check per output,
 * measure, report. Everything is written into a temporary folder beside the output and moved into
 * place only when every step succeeded, so a failed build leaves nothing behind and an existing
 * folder is replaced only with --force.
 */
final class BuildJob {
  private final Profile profile;
  private final Path model;
  private final boolean bundled;
  /** Mask outputs the model names (metadata), and the per-curve figures of the chosen artifact. */
  private List<MaskSpec> masks = List.of();
  private List<CurveResult> curves = List.of();
  private final BuildOptions o;
  private final Path output;
  private final PrintWriter out;
  private final List<String> notes = new ArrayList<>();
  /** The Edge TPU mapping summary, for targets that partition once. */
  private String edgeTpuSummary;
  /** Operators of the TFLite artifact (-1 for other formats). */
  private int tfliteOps = -1;
  /** Whether the target's artifact is TFLite (its own lowering, emitter, runtime and reports). */
  private final boolean tflite;
  /** Every plan judged, fallback steps included, for the report. */
  private final List<Int8Search.Candidate> judged = new ArrayList<>();

  BuildJob(Profile profile, Path model, boolean bundled, BuildOptions options, PrintWriter out) {
    this.profile = profile;
    this.model = model;
    this.bundled = bundled;
    this.o = options;
    this.output = options.output() != null ? options.output()
        : Path.of("hwc-out", ModelSource.stem(model) + "-" + profile.id());
    this.out = out;
    this.tflite = profile.artifact().equals("tflite");
  }

  int run() throws Exception {
    String precision = precision();
    checkBuildable(precision);
    Path target = output.toAbsolutePath().normalize();
    if (Files.exists(target) && !o.force()) {
      throw new BadInputException("output folder " + output + " exists; pass --force to replace it");
    }
    Graph source = GraphValidator.check(ShapeInference.run(Frontends.read(model)));
    if (!o.shapes().isEmpty()) {
      source = ShapeInference.bindInputs(source, o.shapes());
    }
    Runtime runtime = checkingRuntime();
    out.printf("hwc build: %s -> %s (%s %s, checked on %s)%n", bundled ? "bundled example " + model.getFileName() : model,
        profile.id(), precision, profile.artifact(), runtime.id());

    PassRecorder passes = new PassRecorder();
    Graph optimized = Pipeline.standard().run(source, PassContext.defaults().withInstruments(passes));
    // ops the target lacks but can compute from ops it has (HardSwish on the Edge TPU) are spelled out
    optimized = ShapeInference.run(PassContext.defaults().withInstruments(passes)
        .run(LowerHardActivations.forTarget(profile::supports), optimized));
    if (tflite) {
      optimized = TfliteLowering.prepare(optimized);
    } else {
      checkLegal(optimized);
    }

    Files.createDirectories(target.getParent());
    Path staging = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp-");
    Path work = Files.createDirectories(staging.resolve(".work"));
    try {
      Path fp32 = work.resolve("fp32." + extension());
      try { // for TFLite this is the lowering: it fails here, before calibration, naming every op it cannot lower
        floatEmitter(false).emit(optimized, fp32);
      } catch (BadInputException e) {
        throw new BadInputException("target '" + profile.id() + "': " + e.getMessage());
      }
      Samples s = samples(source, precision);
      Map<String, OutputKind> kinds = OutputKind.infer(source, o.outputKinds());
      // the source model is the reference, on its own runtime (a .tflite source on the TFLite interpreter)
      Evaluation eval = new Evaluation(find(source.metadata().containsKey("tflite.source") ? "tflite" : "onnxruntime"),
          model, runtime, s.eval(), kinds);
      Int8Search.Gate gate = new Int8Search.Gate(Double.isNaN(o.minCosine()) ? profile.gate().minCosine() : o.minCosine(),
          profile.gate().maxRelativeL2(), Double.isNaN(o.minIoU()) ? profile.gate().minIoU() : o.minIoU());
      List<Int8Search.Candidate> tried = candidates(precision, optimized, fp32, eval, s, gate, work);
      List<Int8Search.Candidate> passing = tried.stream().filter(Int8Search.Candidate::passed).toList();
      Measured m = measure(fp32, passing.isEmpty() ? List.of(best(tried)) : passing, s, source);
      Int8Search.Candidate chosen = m.chosen();
      curves = CurveFidelity.measure(eval, runtime, chosen.artifact(), masks = MaskSpec.of(source));

      String suffix = precision.equals("fp32") ? "" : "_" + precision;
      Path artifact = staging.resolve(ModelSource.stem(model) + suffix + "." + extension());
      Files.copy(chosen.artifact(), artifact);
      if (tflite) {
        tfliteReports(chosen, staging, artifact);
      }
      BuildReport report = report(source, chosen, passes.records(), artifact, fp32, runtime, precision, judged, eval,
          s.description(), gate, m.speed());
      deleteRecursively(work);
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(staging.resolve("report.json").toFile(), report);
      print(report);
      if (!chosen.passed()) {
        throw new CheckFailedException(gateFailure(chosen.fidelity(), gate) + "; no plan passed, no artifact written");
      }
      if (o.requireSpeedup() && m.speed().measured() && !(m.speed().speedup() > 1)) {
        throw new CheckFailedException(m.speed().note() + "; --require-speedup: no artifact written");
      }
      moveIntoPlace(staging, target);
      out.printf("wrote %s, %s%s%n", output.resolve(artifact.getFileName()), output.resolve("report.json"),
          edgeTpuSummary != null ? " and " + output.resolve("edgetpu-report.json") : "");
      return Hwc.OK;
    } finally {
      deleteRecursively(staging);
    }
  }

  /** One line on what failed the gate: the weakest output, and the weakest mask channel when it is the culprit. */
  static String gateFailure(List<OutputFidelity> f, Int8Search.Gate gate) {
    OutputFidelity weak = Fidelity.weakest(f);
    var mask = Fidelity.weakestMask(f);
    if (mask.isPresent() && mask.get().minIoU() < gate.minIoU()) {
      OutputFidelity m = mask.get();
      return "output '" + m.output() + "' channel " + m.weakestChannel() + " has IoU " + Format.num(m.minIoU())
          + " (gate: IoU >= " + gate.minIoU() + "; its cosine is " + Format.num(m.cosine()) + ")";
    }
    return "weakest output '" + weak.output() + "' has cosine " + Format.num(weak.cosine()) + " and relative L2 "
        + Format.num(weak.relativeL2()) + " (gate: cosine >= " + gate.minCosine() + ", relative L2 <= "
        + gate.maxRelativeL2() + ")";
  }

  /** The precision to build: asked for, or the target's first legal weight precision. */
  private String precision() {
    List<String> legal = profile.precisions().weights();
    String p = o.precision() != null ? o.precision() : legal.get(0);
    boolean fp16Tflite = p.equals("fp16") && tflite && profile.allowsFloat();
    if (!legal.contains(p) && !fp16Tflite) {
      throw new BadInputException("target '" + profile.id() + "' takes " + String.join("/", legal)
          + " weights, not " + p);
    }
    return p;
  }

  /** Artifacts this hwc makes: ONNX (fp32, fp16, int8 QDQ), also as the input a TensorRT engine is built from. */
  private void checkBuildable(String precision) {
    if (profile.artifact().equals("tensorrt")) {
      notes.add("TensorRT engine not built: this machine has no CUDA device; the artifact is the ONNX file TensorRT "
          + "builds its engine from (" + precision + ("int8".equals(precision) ? ", explicit symmetric QDQ" : "") + ")");
    }
  }

  /** The runtime that checks the artifact: the profile's, or ONNX Runtime CPU for ONNX-based artifacts when it is missing. */
  private Runtime checkingRuntime() {
    Runtime wanted = find(profile.runtime());
    if (wanted != null && wanted.unavailableReason().isEmpty()) {
      return wanted;
    }
    String why = wanted == null ? "not registered" : wanted.unavailableReason().get();
    Runtime ort = find("onnxruntime");
    if (ort == null || ort.unavailableReason().isPresent()) {
      throw new BadInputException("no runtime can check this artifact here: " + profile.runtime() + " " + why);
    }
    notes.add("checked on ONNX Runtime CPU instead of " + profile.runtime() + " (" + why + ")");
    return ort;
  }

  private void checkLegal(Graph g) {
    Legality.Report r = Legality.check(g, profile);
    if (!r.allSupported() && !profile.partitioning().mode().equals("per-op-fallback")) {
      Legality.Verdict v = r.firstUnsupported().orElseThrow();
      throw new BadInputException(v.node().describe() + " cannot run on " + profile.id() + ": " + v.reasons().get(0));
    }
  }

  /** Calibration and eval samples. */
  record Samples(SampleSet calib, SampleSet eval, String description) {}

  private Samples samples(Graph source, String precision) throws IOException {
    // the bundled example is checked on its own eval strips (with ground truth), not on random data
    Path evalDir = o.eval() != null ? o.eval() : bundled ? ModelSource.bundledEval(model) : null;
    SampleSet evalSet = evalDir == null ? null : SampleSet.load(evalDir, source.inputs());
    String evalName = o.eval() != null ? o.eval().toString() : "the bundled example's eval strips";
    if (!precision.equals("int8")) {
      if (evalSet != null) {
        return new Samples(null, evalSet, evalName);
      }
      return new Samples(null, SampleSet.random(source.inputs(), o.samples(), 0), o.samples() + " seeded random samples");
    }
    SampleSet calib;
    String from;
    Path beside = model.toAbsolutePath().getParent().resolve("calib");
    if ("random".equals(o.calib())) {
      String warn = "WARNING: calibrating on seeded random data (--calib random): int8 ranges will not match real "
          + "inputs; use this only to try the pipeline";
      out.println(warn);
      notes.add(warn);
      calib = SampleSet.random(source.inputs(), 64, 0);
      from = "seeded random data";
    } else if (o.calib() != null) {
      calib = SampleSet.load(Path.of(o.calib()), source.inputs());
      from = o.calib();
    } else if (Files.isDirectory(beside)) {
      calib = SampleSet.load(beside, source.inputs());
      from = beside.toString();
      notes.add("calibration data from " + beside + " (found beside the model)");
      out.println("using calibration data found beside the model: " + beside);
    } else {
      throw new BadInputException("int8 needs calibration data: pass --calib DIR (a folder of .npz files keyed by input "
          + "name, one sample each), or put it in calib/ beside the model; --calib random only to try the pipeline");
    }
    if (evalSet != null) {
      return new Samples(calib, evalSet, evalName);
    }
    SampleSet.Split split = calib.split(0.2);
    if (split.heldOut().size() == 0) {
      throw new BadInputException("too few calibration samples (" + calib.size() + ") to hold some out for the check; pass --eval DIR");
    }
    return new Samples(split.calibration(), split.heldOut(),
        split.heldOut().size() + " samples held out of " + from + " (calibrated on the other " + split.calibration().size() + ")");
  }

  private List<Int8Search.Candidate> candidates(String precision, Graph optimized, Path fp32, Evaluation eval, Samples s,
      Int8Search.Gate gate, Path work) throws Exception {
    if (precision.equals("fp32")) {
      List<OutputFidelity> f = eval.compare(fp32);
      judged.add(new Int8Search.Candidate("fp32", optimized, fp32, f, gate.passes(f), List.of(), 0));
      return List.copyOf(judged);
    }
    if (precision.equals("fp16") && tflite) {
      notes.add("fp16 TFLite: fp16 weights behind DEQUANTIZE, computed in fp32 by CPU kernels (XNNPACK folds them at load)");
      Path p = work.resolve("fp16.tflite");
      floatEmitter(true).emit(optimized, p);
      List<OutputFidelity> f = eval.compare(p);
      judged.add(new Int8Search.Candidate("fp16", optimized, p, f, gate.passes(f), List.of(), 0));
      return List.copyOf(judged);
    }
    if (precision.equals("fp16")) {
      Graph half = fp16(optimized);
      Path p = work.resolve("fp16.onnx");
      new OnnxEmitter().emit(half, p);
      List<OutputFidelity> f = eval.compare(p);
      judged.add(new Int8Search.Candidate("fp16", half, p, f, gate.passes(f), List.copyOf(profile.keepHigherPrecision()), 0));
      return List.copyOf(judged);
    }
    QuantScheme scheme = QuantScheme.of(profile);
    Int8Search search = new Int8Search(scheme, gate, eval, s.calib(), o.calibration(), work, out, floatEmitter(false));
    LinkedHashSet<String> keep = new LinkedHashSet<>(o.keepFloat());
    List<Int8Search.Candidate> out = new ArrayList<>();
    // dynamic int8: ONNX Runtime's DynamicQuantizeLinear/MatMulInteger, or TFLite's dynamic range
    // (int8 weights, float activations) where the target runs float; not TensorRT, not the Edge TPU
    boolean dynamicLegal = profile.runtime().equals("onnxruntime") || tflite && profile.allowsFloat();
    if (o.scheme().equals("dynamic") && !dynamicLegal) {
      throw new BadInputException("--scheme dynamic is not legal on " + profile.id()
          + (tflite ? " (integer-only: no float activations)" : " (TensorRT takes explicit QDQ only)"));
    }
    if (!o.scheme().equals("dynamic")) {
      out.add(search.staticPlan(UpgradeOpset.to(optimized, UpgradeOpset.QDQ_PER_AXIS_OPSET), keep));
    }
    if (!o.scheme().equals("static") && dynamicLegal) {
      List<Int8Search.Candidate> d = search.dynamicPlans(optimized, keep);
      if (!d.isEmpty()) {
        out.addAll(d);
      } else if (o.scheme().equals("dynamic")) {
        throw new BadInputException("--scheme dynamic: the model has no MatMul with constant weights to quantize dynamically");
      }
    }
    judged.addAll(search.log());
    return out;
  }

  private String extension() {
    return tflite ? "tflite" : "onnx";
  }

  /** IO of TFLite artifacts: --io-type, else the profile's first IO precision (int8 for the Edge TPU). */
  private TfliteLowering.Options tfliteOptions(boolean fp16) {
    List<String> legal = profile.precisions().io();
    String io = o.ioType() != null ? o.ioType() : legal.isEmpty() ? "fp32" : legal.get(0);
    if (!legal.isEmpty() && !legal.contains(io)) {
      throw new BadInputException("target '" + profile.id() + "' takes " + String.join("/", legal) + " graph IO, not " + io);
    }
    // TRANSPOSE_CONV with a bias input is version 3; a profile that allows only v2 gets the bias as an ADD
    boolean biasInput = profile.op("ConvTranspose").map(r -> r.opVersion() == null || r.opVersion() >= 3).orElse(true);
    return new TfliteLowering.Options(fp16, fp16 ? TfliteLowering.IoType.FLOAT : TfliteLowering.IoType.of(io), o.nchwIo(),
        biasInput);
  }

  /**
   * Writes a graph as the target's artifact: ONNX (fp32, or the QDQ/dynamic plans), or TFLite (fp32 or
   * fp16 weights for a float graph, full-integer or dynamic range for a quantized plan).
   */
  private Emitter floatEmitter(boolean fp16) {
    return tflite ? new TfliteEmitter(tfliteOptions(fp16)) : new OnnxEmitter();
  }

  /**
   * For TFLite artifacts: the lowering's findings as notes, and on a target that partitions once (the
   * Edge TPU) the mapping report, written as edgetpu-report.json and printed as a summary.
   */
  private void tfliteReports(Int8Search.Candidate chosen, Path staging, Path artifact) throws IOException {
    TfliteLowering.Result lowered = TfliteLowering.lower(chosen.graph(), tfliteOptions(chosen.scheme().equals("fp16")));
    tfliteOps = lowered.model().ops.size();
    notes.addAll(lowered.notes());
    if (lowered.internalTransposes() > 0) {
      notes.add(lowered.internalTransposes() + " TRANSPOSE op(s) kept inside the graph (reshapes whose element order "
          + "differs between NCHW and NHWC)");
    }
    boolean ioTranspose = lowered.model().ops.stream()
        .anyMatch(op -> op.builtin() == org.tensorflow.lite.schema.BuiltinOperator.TRANSPOSE && op.role().equals("io"));
    if (ioTranspose && profile.partitioning().mode().equals("first-unsupported-to-cpu")) {
      notes.add("--io-layout nchw put a TRANSPOSE at the graph's edge, which the Edge TPU cannot run; feed NHWC to keep "
          + "the model on the TPU");
    }
    if (profile.partitioning().mode().equals("first-unsupported-to-cpu")) {
      EdgeTpuReport.Report r = EdgeTpuReport.analyze(lowered.model(), chosen.graph(), profile);
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(staging.resolve("edgetpu-report.json").toFile(), r);
      edgeTpuSummary = r.summary();
    }
  }

  private Graph fp16(Graph g) {
    notes.add("fp16 with fp32 graph inputs and outputs; kept in fp32: " + String.join(", ", profile.keepHigherPrecision()));
    return ConvertToFp16.convert(g, true, profile.keepHigherPrecision());
  }

  private static Int8Search.Candidate best(List<Int8Search.Candidate> tried) {
    return tried.stream().max(Comparator.comparingDouble(c -> Fidelity.weakest(c.fidelity()).cosine())).orElseThrow();
  }

  record Measured(Int8Search.Candidate chosen, BuildReport.Speed speed) {}

  /** Times fp32 against the candidates, interleaved, and picks the fastest (the only one when one). */
  private Measured measure(Path fp32, List<Int8Search.Candidate> candidates, Samples s, Graph source) throws IOException {
    // not timed: the most faithful plan (the weakest output's cosine decides)
    Int8Search.Candidate first = candidates.stream()
        .max(Comparator.comparingDouble(c -> Fidelity.weakest(c.fidelity()).cosine())).orElseThrow();
    if (first.scheme().equals("fp32") || o.benchSeconds() == 0) {
      String why = first.scheme().equals("fp32") ? "fp32 build: nothing to compare" : "skipped (--bench-seconds 0)";
      return new Measured(first, new BuildReport.Speed(false, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, why));
    }
    out.printf("timing fp32 against %s, interleaved (%s s each)...%n",
        String.join(", ", candidates.stream().map(Int8Search.Candidate::scheme).toList()), o.benchSeconds());
    List<BenchTarget> targets = new ArrayList<>();
    String rt = tflite ? "tflite" : "onnxruntime";
    targets.add(new BenchTarget("fp32", fp32, rt, 0));
    for (Int8Search.Candidate c : candidates) {
      targets.add(new BenchTarget(c.scheme(), c.artifact(), rt, 0));
    }
    BenchOptions opts = BenchOptions.defaults().withSeconds(o.benchSeconds()).withBaseline(false).withWarmup(10)
        .withShapes(o.shapes());
    // real data where every artifact takes the source model's inputs as they are (ONNX; TFLite with
    // token ids and other non-image inputs); an NHWC or int8 TFLite input gets seeded random data of
    // its own shape and type from the harness
    boolean sourceInputs = rt.equals("onnxruntime") || targets.stream().allMatch(t -> takesSourceInputs(t.artifact(), source));
    Path inputs = s.eval() != null && sourceInputs ? firstSampleFile(s) : null;
    if (inputs != null) {
      opts = opts.withInputs(inputs);
    }
    BenchResult r = Bench.compare(targets, opts);
    Int8Search.Candidate fastest = first;
    double bestSpeedup = -1;
    for (Int8Search.Candidate c : candidates) {
      double sp = r.ratio(c.scheme()).map(BenchResult.Ratio::speedup).orElse(Double.NaN);
      if (sp > bestSpeedup) {
        bestSpeedup = sp;
        fastest = c;
      }
    }
    BenchResult.Ratio ratio = r.ratio(fastest.scheme()).orElseThrow();
    double fp32P50 = r.find("fp32").orElseThrow().latencyMs().p50();
    double p50 = r.find(fastest.scheme()).orElseThrow().latencyMs().p50();
    double speedup = ratio.speedup();
    String note = speedup > 1
        ? String.format(java.util.Locale.ROOT, "%s is %.2fx faster than fp32 here (p50 %.3f ms vs %.3f ms)", fastest.scheme(), speedup, p50, fp32P50)
        : String.format(java.util.Locale.ROOT, "%s is NOT faster than fp32 on this machine: %.2fx (p50 %.3f ms vs %.3f ms)", fastest.scheme(), speedup, p50, fp32P50);
    return new Measured(fastest, new BuildReport.Speed(true, fp32P50, p50, speedup, 1 / ratio.max(), 1 / ratio.min(), note));
  }

  /** Whether a TFLite artifact's inputs are the source model's: same names, types and shapes. */
  private static boolean takesSourceInputs(Path artifact, Graph source) {
    try (var s = new dev.hwc.backends.tflite.TfliteRuntime().open(artifact, dev.hwc.backends.SessionOptions.DEFAULT)) {
      return s.inputs().size() == source.inputs().size() && s.inputs().stream().allMatch(v -> source.inputs().stream()
          .anyMatch(w -> w.name().equals(v.name()) && w.dtype() == v.dtype() && w.shape().equals(v.shape())));
    }
  }

  /** The eval set's first sample written as an .npz the harness reads (real data for timing). */
  private Path firstSampleFile(Samples s) throws IOException {
    Path f = Files.createTempFile("hwc-bench-input", ".npz");
    f.toFile().deleteOnExit();
    dev.hwc.compiler.data.Npy.writeNpz(f, s.eval().get(0));
    return f;
  }

  private BuildReport report(Graph source, Int8Search.Candidate chosen, List<PassRecord> passes, Path artifact, Path fp32,
      Runtime runtime, String precision, List<Int8Search.Candidate> tried, Evaluation eval, String sampleSource,
      Int8Search.Gate gate, BuildReport.Speed speed) throws IOException {
    ModelStats before = ModelStats.of(source);
    ModelStats after = ModelStats.of(chosen.graph());
    List<BuildReport.Candidate> cands = new ArrayList<>();
    for (Int8Search.Candidate c : tried) {
      OutputFidelity w = Fidelity.weakest(c.fidelity());
      cands.add(new BuildReport.Candidate(c.scheme(), c.passed(), w.output(), w.cosine(),
          c.fidelity().stream().mapToDouble(OutputFidelity::minIoU).min().orElse(1), c.quantizedLayers(),
          c.keptFloat(), Files.size(c.artifact()), c.fidelity()));
    }
    OutputFidelity weakest = Fidelity.weakest(chosen.fidelity());
    return new BuildReport(HwcVersion.VALUE, profile.id(), profile.source(), precision, notes,
        new BuildReport.Input(bundled ? "bundled:" + ModelSource.EXAMPLE_RESOURCE : model.toString(), sha256(model),
            Files.size(model), source.opset(), before.nodes(), before.parameters(), bundled),
        passes, before.opHistogram(), after.opHistogram(), cands,
        new BuildReport.Artifact(artifact.getFileName().toString(), extension(), chosen.scheme(), sha256(artifact),
            Files.size(artifact), (double) Files.size(artifact) / Files.size(fp32),
            tfliteOps >= 0 ? tfliteOps : after.nodes(), runtime.id(),
            runtime.version()),
        new BuildReport.Fidelity(eval.size(), sampleSource, chosen.fidelity(), weakest.output(), gate.minCosine(),
            gate.maxRelativeL2(), gate.minIoU(), chosen.passed(), curves),
        speed);
  }

  private void print(BuildReport r) {
    Table passes = new Table("pass", "nodes before", "nodes after", "ms");
    r.passes().forEach(p -> passes.row(p.name(), p.nodesBefore(), p.nodesAfter(),
        String.format(java.util.Locale.ROOT, "%.1f", p.millis())));
    passes.print(out);
    out.printf("%nnodes %d -> %d%s, artifact %s (%s, %.0f%% of fp32; input %s)%n", r.input().nodes(), r.artifact().nodes(),
        tfliteOps >= 0 ? " TFLite ops" : "",
        Format.bytes(r.artifact().bytes()), r.artifact().scheme(), 100 * r.artifact().sizeRatioToFp32(),
        Format.bytes(r.input().bytes()));
    if (r.candidates().size() > 1 || r.precision().equals("int8")) {
      Table c = new Table("plan", "passed", "weakest output", "cosine", "weakest IoU", "int8 layers", "kept float", "bytes");
      r.candidates().forEach(x -> c.row(x.scheme(), x.passed() ? "yes" : "no", x.weakestOutput(),
          Format.num(x.weakestCosine()), Format.num(x.weakestIoU()), x.quantizedLayers(), x.keptFloat().size(),
          Format.bytes(x.bytes())));
      out.println();
      c.print(out);
    }
    out.printf("%nfidelity on %s %s vs the input model, %d samples (%s); gate: cosine >= %s, rel L2 <= %s, IoU >= %s:%n",
        r.artifact().checkedOn(), r.artifact().runtimeVersion(), r.fidelity().samples(), r.fidelity().sampleSource(),
        r.fidelity().minCosine(), r.fidelity().maxRelativeL2(), r.fidelity().minIoU());
    Table t = new Table("output", "kind", "max abs", "mean abs", "rel L2", "cosine", "SNR dB", "IoU per channel", "note");
    for (OutputFidelity f : r.fidelity().outputs()) {
      StringBuilder iou = new StringBuilder();
      for (double v : f.iou()) {
        iou.append(iou.length() == 0 ? "" : " ").append(String.format(java.util.Locale.ROOT, "%.3f", v));
      }
      t.row(f.output(), f.kind().name().toLowerCase(java.util.Locale.ROOT), Format.num(f.maxAbs()), Format.num(f.meanAbs()),
          Format.num(f.relativeL2()), Format.num(f.cosine()), Format.num(f.snrDb()), iou.length() == 0 ? "-" : iou,
          f.output().equals(r.fidelity().weakestOutput()) ? "<- weakest" : "");
    }
    t.print(out);
    MaskTable.print(out, masks, r.fidelity().outputs(), r.fidelity().curves());
    if (r.speed().measured()) {
      out.println("speed: " + r.speed().note());
    }
    r.notes().forEach(n -> out.println("note: " + n));
    if (edgeTpuSummary != null) {
      out.println();
      out.print(edgeTpuSummary.endsWith("\n") ? edgeTpuSummary : edgeTpuSummary + "\n");
      out.flush(); // print() does not flush: a failed gate exits right after this
    }
  }

  private void moveIntoPlace(Path staging, Path target) throws IOException {
    if (Files.exists(target)) {
      Path old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
      Files.delete(old);
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      deleteRecursively(old);
    } else {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static Runtime find(String id) {
    for (Runtime r : ServiceLoader.load(Runtime.class)) {
      if (r.id().equals(id)) {
        return r;
      }
    }
    return null;
  }

  static String sha256(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }
}

package dev.hwc.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hwc.backends.HwcVersion;
import dev.hwc.backends.Runtime;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.tflite.EdgeTpuReport;
import dev.hwc.common.BadInputException;
import dev.hwc.backends.TargetBackend;
import dev.hwc.backends.TargetLegality;
import dev.hwc.profiles.ArtifactFormat;
import dev.hwc.compiler.analysis.ModelStats;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.frontend.Frontends;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.ops.ShapeInference;
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
import dev.hwc.hwtests.Fidelity;
import dev.hwc.hwtests.MaskSpec;
import dev.hwc.hwtests.OutputFidelity;
import dev.hwc.hwtests.OutputKind;
import dev.hwc.hwtests.bench.Bench;
import dev.hwc.hwtests.bench.BenchOptions;
import dev.hwc.hwtests.bench.BenchResult;
import dev.hwc.hwtests.bench.BenchTarget;
import dev.hwc.profiles.Profile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.ServiceLoader;

/**
 * One build: read, optimize, compress as the target allows, emit, check per output, measure,
 * report. Artifacts are written into a staging folder ({@link OutputStaging}) moved into place only
 * when every step succeeded; an in-memory build writes only to a temporary folder it deletes.
 */
final class BuildJob {
  private final BuildRequest o;
  private final Profile profile;
  private final BuildListener listener;
  private final ModelInput input;
  private final List<String> notes = new ArrayList<>();
  /** Whether the target's artifact is TFLite (its own lowering, emitter, runtime and reports). */
  private final boolean tflite;
  /** The backend of the target's artifact format (its own rewrites, its integer scheme). */
  private final TargetBackend backend;
  /** Every plan judged, fallback steps included, for the report. */
  private final List<Int8Search.Candidate> judged = new ArrayList<>();
  /** The build's evaluation once made; closed when the build ends (see {@link Evaluation#close}). */
  private Evaluation evaluation;
  /** Wall seconds per build phase (report.json). */
  private final PhaseTimer phases = new PhaseTimer();
  /** The static search's reasons for float nodes, and the scheme, for the report's stayedFloat. */
  private Map<String, String> floatReasons = Map.of();
  private QuantScheme quantScheme;
  private ArtifactWriter writer;
  /** Found before any work when the compression fine-tunes. */
  private FineTuner fineTuner;
  /** The model file the artifact is checked against (the user's, the bundled copy, or the in-memory graph as ONNX). */
  private Path model;

  BuildJob(BuildRequest request, BuildListener listener) {
    this.o = request;
    this.profile = request.profile();
    this.listener = listener == null ? BuildListener.NONE : listener;
    this.input = request.model();
    this.tflite = profile.artifact() == ArtifactFormat.TFLITE;
    this.backend = TargetBackend.of(profile);
  }

  BuildResult run() throws Exception {
    if (input.graph() == null) {
      model = input.resolveFile(); // bad input first when the file is missing
    }
    Precision precision = precision();
    checkBuildable(precision);
    FineTuner tuner = o.compression().fineTune() == null ? null : FineTuner.load(); // before any work
    fineTuner = tuner;
    OutputStaging staging = OutputStaging.check(o.output(), o.replaceOutput(), protectedFolders());
    Path referenceDir = null;
    Graph source;
    if (input.graph() != null) {
      source = GraphValidator.check(ShapeInference.run(input.graph()));
      referenceDir = Files.createTempDirectory("hwc-model-");
      model = referenceDir.resolve(input.stem() + ".onnx");
      new OnnxEmitter().emit(source, model);
    } else {
      source = GraphValidator.check(ShapeInference.run(Frontends.read(model)));
    }
    try {
      return build(source, precision, staging);
    } finally {
      if (evaluation != null) {
        evaluation.close();
      }
      if (referenceDir != null) {
        OutputStaging.deleteRecursively(referenceDir);
      }
    }
  }

  private BuildResult build(Graph source, Precision precision, OutputStaging staging) throws Exception {
    if (!o.shapes().isEmpty()) {
      source = ShapeInference.bindInputs(source, o.shapes());
    }
    boolean quantizes = !dev.hwc.profiles.Precisions.FLOAT_DTYPES.contains(precision.id());
    if (quantizes) { // before any work: a NaN/Inf weight has no quantization range
      dev.hwc.compiler.analysis.WeightCheck.requireFinite(source, "target '" + profile.id() + "' quantizes to " + precision.id());
    }
    Runtime runtime = checkingRuntime();
    String modelName = input.isBundledExample() ? "bundled example " + model.getFileName()
        : input.graph() != null ? "in-memory graph '" + input.stem() + "'" : model.toString();
    listener.started(new BuildListener.Started(modelName, profile.id(), precision, profile.artifact().id(), runtime.id()));
    String nonFinite = quantizes ? null : dev.hwc.compiler.analysis.WeightCheck.warning(source);
    if (nonFinite != null) {
      listener.info(nonFinite);
    }

    // the samples before any work (bad eval or calibration data is refused first); the evaluation's reference
    // outputs are computed when first judged, or, for a model checked in parts, from here on beside the passes
    Graph src = source;
    Samples s = phases.time("samples", () -> samples(src, precision));
    warnNonFinite(s);
    if (s.eval().size() < FEW_EVAL_SAMPLES) {
      String warn = "WARNING: the gate is judged on only " + s.eval().size() + " held-out sample"
          + (s.eval().size() == 1 ? "" : "s") + " (" + s.description() + "); pass --eval DIR with at least "
          + FEW_EVAL_SAMPLES + " for figures that mean something";
      listener.info(warn);
      notes.add(warn);
    }
    Map<String, OutputKind> kinds = OutputKind.infer(source, o.outputKinds());
    // the source model is the reference, on its own runtime (a .tflite source on the TFLite interpreter)
    Runtime referenceRuntime = find(source.metadata().containsKey("tflite.source") ? "tflite" : "onnxruntime");
    Evaluation eval = new Evaluation(referenceRuntime, model,
        referenceRuntime.id().equals("onnxruntime") ? src : null, runtime, s.eval(), kinds);
    evaluation = eval; // closed when the build ends: a reference still computed beside it is stopped

    PassRecorder passes = new PassRecorder();
    long optimizeStart = System.nanoTime();
    Graph optimized = Pipeline.standard().run(source, PassContext.defaults().withInstruments(passes));
    // prune, then quantize: the compression runs on the optimized float graph, before the target's own rewrites
    if (fineTuner != null) { // an op the training backend cannot lower fails here, before any training
      fineTuner.requireTrainable(optimized);
    }
    Graph uncompressedFloat = optimized;
    optimized = o.compression().apply(optimized, PassContext.defaults().withInstruments(passes));
    long fineTuneNanos = 0;
    if (o.compression().fineTune() != null) { // prune -> fine-tune -> quantize; the uncompressed graph teaches
      long t = System.nanoTime();
      optimized = fineTune(uncompressedFloat, optimized, source, quantizes ? FineTuner.Int8.of(profile) : null);
      fineTuneNanos = System.nanoTime() - t;
    }
    Graph compressedFloat = optimized;
    optimized = backend.prepare(optimized, profile);
    phases.add("optimize", System.nanoTime() - optimizeStart - fineTuneNanos);
    if (fineTuneNanos > 0) {
      phases.add("fine-tune", fineTuneNanos);
    }
    if (!tflite) {
      checkLegal(optimized);
    }
    writer = ArtifactWriter.forTarget(profile, o.nchwIo(), o.ioType(), listener);

    try (staging) { // removes the staging folder unless committed (and on SIGINT/SIGTERM)
      Path work = Files.createDirectories(staging.dir().resolve(".work"));
      Path fp32 = work.resolve("fp32." + writer.extension());
      ArtifactWriter.Written fp32Written;
      try { // for TFLite this is the lowering: it fails here, before calibration, naming every op it cannot lower
        Graph opt = optimized;
        fp32Written = phases.time("emit-fp32", () -> writer.write(opt, fp32));
      } catch (BadInputException e) {
        throw new BadInputException("target '" + profile.id() + "': " + e.getMessage());
      }
      Gate gate = Gate.of(profile, o.minCosine(), o.minIoU());
      // a whole model's reference is computed here; one in parts has been running beside the passes
      phases.time("reference-outputs", () -> eval.computeReference());
      List<Int8Search.Candidate> tried = candidates(precision, optimized, fp32Written, eval, s, gate, work);
      if (eval.referenceParts() > 1 || eval.candidateParts() > 1) {
        String parts = "the ONNX Runtime check ran the input model in " + eval.referenceParts() + " part"
            + (eval.referenceParts() == 1 ? "" : "s") + " and the artifact in " + eval.candidateParts() + " part"
            + (eval.candidateParts() == 1 ? "" : "s") + " (a model of more than "
            + dev.hwc.backends.onnx.OrtChain.THRESHOLD_NODES + " nodes runs as sub-models cut where one tensor is live,"
            + " its boundary tensors fed forward: the same computation, without ONNX Runtime's superlinear session creation)";
        listener.info(parts);
        notes.add(parts);
      }
      List<Int8Search.Candidate> passing = tried.stream().filter(Int8Search.Candidate::passed).toList();
      // the reference is built as the plan it is compared with: same precision, scheme and kept-float layers
      long referenceStart = System.nanoTime();
      Uncompressed reference = o.compression().isNone() ? null
          : uncompressed(precision, passing.isEmpty() ? mostFaithful(tried) : preferred(passing));
      if (reference != null) {
        phases.add("uncompressed-reference-build", System.nanoTime() - referenceStart);
      }
      Path baseline = fp32;
      String baselineName = "fp32";
      if (reference != null) { // the speed check's reference: the uncompressed model at the same precision
        baseline = work.resolve("uncompressed." + writer.extension());
        Files.write(baseline, reference.artifact());
        baselineName = "uncompressed " + precision.id();
      }
      Path speedBaseline = baseline;
      String speedBaselineName = baselineName;
      Measured m = phases.time("speed-check", () -> measure(speedBaseline, speedBaselineName,
          passing.isEmpty() ? List.of(mostFaithful(tried)) : passing, s, src));
      Int8Search.Candidate chosen = m.chosen();
      List<MaskSpec> masks = MaskSpec.of(source);
      List<CurveResult> curves = phases.time("curves", () -> CurveFidelity.measure(eval, runtime, chosen.artifact(), masks));

      String suffix = precision == Precision.FP32 ? "" : "_" + precision.id();
      Path artifact = staging.dir().resolve(input.stem() + suffix + "." + writer.extension());
      Files.copy(chosen.artifact(), artifact);
      EdgeTpuReport.Report edgeTpu = tflite ? tfliteNotes(chosen.written().tflite()) : null;
      BuildReport.CompressionReport compression = reference == null ? null
          : compressionReport(chosen, artifact, reference, m.speed(), uncompressedFloat, compressedFloat);
      if (compression != null) {
        listener.info(compression.statement());
        notes.add(compression.statement());
      }
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      ArtifactWriter.Segments segments = null;
      BuildReport.Segmented segmented = null;
      if (edgeTpu != null) { // a target that partitions once: the segmented deployment beside the single file
        String stem = artifact.getFileName().toString().replaceFirst("\\.tflite$", "");
        segments = ArtifactWriter.writeSegments(edgeTpu, artifact, staging.dir(), stem, o.maxSegments());
        Path deploy = staging.dir().resolve(DEPLOY_MANIFEST);
        json.writeValue(deploy.toFile(), segments.manifest());
        segmented = segmented(segments, artifact, deploy, eval, s.eval());
      }
      BuildReport report = report(source, chosen, passes.records(), artifact, fp32, runtime, precision, eval,
          s.description(), gate, m.speed(), curves, compression, segmented);
      OutputStaging.deleteRecursively(work);
      json.writeValue(staging.dir().resolve("report.json").toFile(), report);
      if (edgeTpu != null) {
        json.writeValue(staging.dir().resolve("edgetpu-report.json").toFile(), edgeTpu);
      }
      List<Plan> plans = judged.stream().map(c -> c.plan(gate)).toList();
      Plan chosenPlan = null;
      for (int i = 0; i < judged.size(); i++) {
        if (judged.get(i) == chosen) {
          chosenPlan = plans.get(i);
        }
      }
      Path folder = staging.writes() ? o.output() : null;
      BuildResult.Artifact a = new BuildResult.Artifact(artifact.getFileName().toString(), writer.format(),
          folder == null ? null : folder.resolve(artifact.getFileName()),
          folder == null ? Files.readAllBytes(artifact) : null, report.artifact().sha256(), report.artifact().bytes());
      BuildResult result = new BuildResult(report, chosenPlan, plans, a, Optional.ofNullable(edgeTpu), masks, gate, folder,
          Optional.ofNullable(segments).map(ArtifactWriter.Segments::plan));
      if (!chosen.passed()) {
        throw new CheckFailedException(gate.failure(chosen.fidelity()) + "; no plan passed, no artifact written", result);
      }
      if (o.requireSpeedup() && m.speed().measured() && !(m.speed().speedup() > 1)) {
        throw new CheckFailedException(m.speed().note() + "; --require-speedup: no artifact written", result);
      }
      staging.commit();
      return result;
    }
  }

  /** The segmented deployment's manifest, beside the single-file artifact. */
  static final String DEPLOY_MANIFEST = "deploy.json";

  /**
   * The segmented deployment's facts: its chain run against the single file on every eval sample
   * (the same int8 kernels: every output byte must agree) and judged against the input model per output.
   */
  private BuildReport.Segmented segmented(ArtifactWriter.Segments seg, Path artifact, Path deploy, Evaluation eval,
      SampleSet samples) throws Exception {
    boolean identical = true;
    try (var one = new dev.hwc.backends.tflite.TfliteRuntime().open(artifact, dev.hwc.backends.SessionOptions.DEFAULT);
        var chain = dev.hwc.backends.tflite.Deployment.load(deploy)) {
      for (int i = 0; i < samples.size(); i++) {
        var feed = chain.fromSource(samples.get(i));
        var want = one.run(feed);
        var got = chain.run(feed);
        for (String out : want.keySet()) {
          identical &= java.util.Arrays.equals(want.get(out).bytes(), got.get(out).bytes());
        }
      }
    }
    if (!identical) {
      String warn = "WARNING: the segmented deployment's outputs differ from the single file's on this machine's TFLite";
      listener.info(warn);
      notes.add(warn);
    }
    List<OutputFidelity> f = eval.compare(deploy);
    var plan = seg.plan();
    List<String> commands = seg.manifest().parts().stream().filter(p -> p.edgetpuCompiler() != null)
        .map(dev.hwc.backends.tflite.EdgeTpuSegments.ManifestPart::edgetpuCompiler).toList();
    return new BuildReport.Segmented(DEPLOY_MANIFEST, plan.maxSegments(), plan.parts().size(), plan.tpuSegments(),
        plan.singleFileTpuMacShare(), plan.tpuMacShare(), plan.boundaryBytes(), commands, identical, samples.size(), f);
  }

  /** Folders an output folder must never be or contain: the model's, and the calibration and eval folders. */
  private Map<String, Path> protectedFolders() {
    Map<String, Path> m = new java.util.LinkedHashMap<>();
    if (model != null) {
      Path folder = model.toAbsolutePath().getParent();
      m.put("the model's folder", folder);
      m.put("the calibration folder beside the model", folder.resolve("calib"));
      m.put("the eval folder beside the model", folder.resolve("eval"));
    }
    if (o.calibration() != null && o.calibration().folder() != null) {
      m.put("the calibration folder", o.calibration().folder());
    }
    if (o.eval() != null && o.eval().folder() != null) {
      m.put("the eval folder", o.eval().folder());
    }
    return m;
  }

  /** The precision to build: asked for, or the target's first legal weight precision. */
  private Precision precision() {
    List<String> legal = profile.precisions().weights();
    String p = o.precision() != null ? o.precision().id() : legal.get(0);
    boolean fp16Tflite = p.equals("fp16") && tflite && profile.allowsFloat();
    if (!legal.contains(p) && !fp16Tflite) {
      throw new BadInputException("target '" + profile.id() + "' takes " + String.join("/", legal)
          + " weights, not " + p);
    }
    return Precision.of(p);
  }

  /** Artifacts this hwc makes: ONNX (fp32, fp16, int8 QDQ), also as the input a TensorRT engine is built from. */
  private void checkBuildable(Precision precision) {
    if (profile.artifact() == ArtifactFormat.TENSORRT) {
      notes.add("TensorRT engine not built: this machine has no CUDA device; the artifact is the ONNX file TensorRT "
          + "builds its engine from (" + precision.id()
          + (precision == Precision.INT8 ? ", explicit symmetric QDQ" : "") + ")");
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
    TargetLegality.Result r = TargetLegality.check(g, profile);
    if (!r.allSupported() && !profile.partitioning().isPerOpFallback()) {
      TargetLegality.Verdict v = r.firstUnsupported().orElseThrow();
      throw new BadInputException(v.describe(r.unit()) + " cannot run on " + profile.id() + ": " + v.reasons().get(0));
    }
  }

  /** One warning line per sample set that holds NaN/Inf (int8 calibration then refuses, naming the sample). */
  private void warnNonFinite(Samples s) {
    for (var w : List.of(dev.hwc.compiler.data.NonFinite.warning(s.eval(), s.description())
            .map(x -> x + ": the check's figures on them are NaN"),
        s.calib() == null ? java.util.Optional.<String>empty()
            : dev.hwc.compiler.data.NonFinite.warning(s.calib(), "the calibration set"))) {
      w.ifPresent(line -> {
        listener.info(line);
        notes.add(line);
      });
    }
  }

  /** Below this many held-out samples the build warns that the gate's figures say little. */
  static final int FEW_EVAL_SAMPLES = 8;

  /** Calibration and eval samples. */
  record Samples(SampleSet calib, SampleSet eval, String description) {}

  private Samples samples(Graph source, Precision precision) throws IOException {
    // the bundled example is checked on its own eval strips (with ground truth), not on random data
    Path evalBeside = input.graph() != null || input.isBundledExample() ? null
        : model.toAbsolutePath().getParent().resolve("eval");
    SampleSet evalSet;
    String evalName;
    if (o.eval() != null) {
      evalSet = o.eval().load(source.inputs());
      evalName = o.eval().description();
    } else if (input.isBundledExample()) {
      evalSet = SampleSet.load(ModelInput.bundledEval(model), source.inputs());
      evalName = "the bundled example's eval strips";
    } else if (evalBeside != null && Files.isDirectory(evalBeside)) { // found like calib/: the held-out set
      evalSet = SampleSet.load(evalBeside, source.inputs());
      evalName = evalBeside.toString();
      notes.add("eval data from " + evalBeside + " (found beside the model)");
      listener.info("using eval data found beside the model: " + evalBeside);
    } else {
      evalSet = null;
      evalName = null;
    }
    if (precision != Precision.INT8) {
      if (evalSet != null) {
        return new Samples(null, evalSet, evalName);
      }
      return new Samples(null, SampleSet.random(source, o.randomSamples(), 0),
          o.randomSamples() + " seeded random samples");
    }
    SampleSet calib;
    String from;
    Path beside = input.graph() != null ? null : model.toAbsolutePath().getParent().resolve("calib");
    if (o.calibration() != null && o.calibration().isRandom()) {
      String warn = "WARNING: calibrating on seeded random data (--calib random): int8 ranges will not match real "
          + "inputs; use this only to try the pipeline";
      listener.info(warn);
      notes.add(warn);
      calib = SampleSet.random(source, 64, 0);
      from = "seeded random data";
    } else if (o.calibration() != null) {
      calib = o.calibration().load(source.inputs());
      from = o.calibration().description();
    } else if (beside != null && Files.isDirectory(beside)) {
      calib = SampleSet.load(beside, source.inputs());
      from = beside.toString();
      notes.add("calibration data from " + beside + " (found beside the model)");
      listener.info("using calibration data found beside the model: " + beside);
    } else if (dynamicNeedsNoCalibration(source)) {
      // dynamic int8 measures its activation ranges at run time: a MatMul-only model (a transformer)
      // needs no calibration data; smoothing and the static plans do, and are not built
      String why = "no calibration data (--calib or calib/ beside the model): dynamic int8 only, which measures its"
          + " activation ranges at run time; the smoothed and static plans need calibration data and were not built";
      listener.info(why);
      notes.add(why);
      if (evalSet != null) {
        return new Samples(null, evalSet, evalName);
      }
      return new Samples(null, SampleSet.random(source, o.randomSamples(), 0),
          o.randomSamples() + " seeded random samples");
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

  /**
   * Whether this int8 build can do without calibration data: ONNX Runtime, scheme auto or dynamic,
   * and the dynamic plans make every weighted layer integer ({@link
   * dev.hwc.compiler.quant.DynamicQuantizer#coversWeightedLayers}).
   */
  private boolean dynamicNeedsNoCalibration(Graph g) {
    return profile.runtime().equals("onnxruntime") && !tflite && o.scheme() != Scheme.STATIC
        && dev.hwc.compiler.quant.DynamicQuantizer.coversWeightedLayers(g);
  }

  private List<Int8Search.Candidate> candidates(Precision precision, Graph optimized, ArtifactWriter.Written fp32,
      Evaluation eval, Samples s, Gate gate, Path work) throws Exception {
    if (precision == Precision.FP32) {
      judged.add(judge(PlanKind.FP32, optimized, fp32, eval, gate, List.of()));
      return List.copyOf(judged);
    }
    if (precision == Precision.FP16 && tflite) {
      notes.add("fp16 TFLite: fp16 weights behind DEQUANTIZE, computed in fp32 by CPU kernels (XNNPACK folds them at load)");
      ArtifactWriter.Written w = writer.write(optimized, work.resolve("fp16.tflite"), true);
      judged.add(judge(PlanKind.FP16, optimized, w, eval, gate, List.of()));
      return List.copyOf(judged);
    }
    if (precision == Precision.FP16) {
      Graph half = fp16(optimized, s.calib() != null ? s.calib() : s.eval());
      ArtifactWriter.Written w = writer.write(half, work.resolve("fp16.onnx"));
      judged.add(judge(PlanKind.FP16, half, w, eval, gate, List.copyOf(profile.keepHigherPrecision())));
      return List.copyOf(judged);
    }
    QuantScheme scheme = backend.quantScheme(profile);
    quantScheme = scheme;
    Int8Search search = new Int8Search(scheme, gate, eval, s.calib(), o.calibrationMethod(), work, listener, writer);
    if (!tflite && profile.offersContrib(dev.hwc.compiler.ops.ContribOps.DOMAIN + ":QAttention")) {
      search.fusingQAttention();
    }
    if (!tflite && profile.offersContrib(dev.hwc.compiler.ops.ContribOps.DOMAIN + ":FastGelu")) {
      search.fastGelu();
    }
    LinkedHashSet<String> keep = new LinkedHashSet<>(o.keepFloat());
    List<Int8Search.Candidate> out = new ArrayList<>();
    // dynamic int8: ONNX Runtime's DynamicQuantizeLinear/MatMulInteger, or TFLite's dynamic range
    // (int8 weights, float activations) where the target runs float; not TensorRT, not the Edge TPU
    boolean dynamicLegal = profile.runtime().equals("onnxruntime") || tflite && profile.allowsFloat();
    if (o.scheme() == Scheme.DYNAMIC && !dynamicLegal) {
      throw new BadInputException("--scheme dynamic is not legal on " + profile.id()
          + (tflite ? " (integer-only: no float activations)" : " (TensorRT takes explicit QDQ only)"));
    }
    // static first (its calibration also measures what dynamic smoothing needs), then dynamic; the
    // static layer-by-layer fallback only when no dynamic plan passed (issue 15: on all-MiniLM-L6-v2
    // it was half the build, for a plan the speed check then did not pick)
    boolean tryDynamic = o.scheme() != Scheme.STATIC && dynamicLegal;
    // auto, where the dynamic plans make every weighted layer integer (a transformer's MatMuls on ONNX
    // Runtime): dynamic first, and the static plan (its calibration is most of the build) only when no
    // dynamic plan passes; static int8 MatMuls run the same integer GEMM there, without QAttention
    if (s.calib() == null) { // no calibration data: dynamicNeedsNoCalibration
      List<Int8Search.Candidate> d = search.dynamicPlans(optimized, keep);
      judged.addAll(search.log());
      phases.addAll(search.timer);
      floatReasons = search.floatReasons();
      return d;
    }
    if (o.scheme() == Scheme.AUTO && tryDynamic && !tflite && dev.hwc.compiler.quant.DynamicQuantizer.coversWeightedLayers(optimized)) {
      List<Int8Search.Candidate> d = search.dynamicPlans(optimized, keep);
      if (d.stream().anyMatch(Int8Search.Candidate::passed)) {
        String why = "static plan not built: the dynamic plans make every weighted layer (MatMul) integer and one"
            + " passed the gate; ONNX Runtime runs static int8 MatMuls with the same integer GEMM, and without"
            + " QAttention (--scheme static builds it)";
        listener.info(why);
        notes.add(why);
        judged.addAll(search.log());
        phases.addAll(search.timer);
        floatReasons = search.floatReasons();
        return d;
      }
      out.addAll(d);
      tryDynamic = false; // judged: the static search below falls back layer by layer if it fails
    }
    Int8Search.Candidate st = null;
    if (o.scheme() != Scheme.DYNAMIC) {
      if (tryDynamic && !tflite) {
        search.sharingSmoothingStatistics();
      }
      st = search.staticPlan(UpgradeOpset.to(optimized, UpgradeOpset.QDQ_PER_AXIS_OPSET), keep, !tryDynamic);
    }
    boolean dynamicPassed = false;
    if (tryDynamic) {
      List<Int8Search.Candidate> d = search.dynamicPlans(optimized, keep);
      if (!d.isEmpty()) {
        out.addAll(d);
        dynamicPassed = d.stream().anyMatch(Int8Search.Candidate::passed);
      } else if (o.scheme() == Scheme.DYNAMIC) {
        throw new BadInputException("--scheme dynamic: the model has no MatMul with constant weights to quantize dynamically");
      }
    }
    if (st != null) {
      if (!st.passed() && tryDynamic && !dynamicPassed) {
        st = search.staticFallback(st);
      } else if (!st.passed() && dynamicPassed) {
        listener.info("static plan fails the gate and a dynamic plan passes: the static layer-by-layer fallback is not "
            + "searched (--scheme static searches it)");
        notes.add("static plan failed the gate; a dynamic plan passed, so the static layer-by-layer fallback was not searched"
            + " (--scheme static searches it)");
      }
      out.add(0, st);
      // ONNX Runtime runs some input convs slower in int8 than in float: the speed check decides
      if (st.passed() && o.benchSeconds() > 0 && search.staticGraph() != null) {
        Set<String> slow = new LinkedHashSet<>(OrtConvSpeed.slowerInInt8(search.staticGraph(), scheme));
        slow.removeAll(st.keptFloat());
        if (!slow.isEmpty()) {
          out.add(1, search.staticVariant(st, slow, PlanKind.STATIC_FLOAT_INPUT_CONV,
              OrtConvSpeed.REASON + " (this plan was timed against the all-int8 one)"));
        }
      }
    }
    judged.addAll(search.log());
    phases.addAll(search.timer);
    floatReasons = search.floatReasons();
    return out;
  }

  private Int8Search.Candidate judge(PlanKind kind, Graph g, ArtifactWriter.Written w, Evaluation eval, Gate gate,
      List<String> kept) throws Exception {
    List<OutputFidelity> f = eval.compare(w.file(), tflite ? null : g, Integer.MAX_VALUE); // an ONNX artifact is g emitted
    Int8Search.Candidate c = new Int8Search.Candidate(kind, g, w, f, gate.passes(f), kept, 0);
    listener.planJudged(c.plan(gate));
    return c;
  }

  /**
   * For TFLite artifacts: the lowering's findings as notes (from the chosen plan's own lowering),
   * and on a target that partitions once (the Edge TPU) its mapping report.
   */
  private EdgeTpuReport.Report tfliteNotes(TfliteFacts lowered) {
    notes.addAll(lowered.notes());
    return lowered.edgeTpu();
  }

  private Graph fp16(Graph g, SampleSet ranges) throws Exception {
    notes.add("fp16 with fp32 graph inputs and outputs; kept in fp32: " + String.join(", ", profile.keepHigherPrecision()));
    List<dev.hwc.compiler.quant.Fp16Ranges.Kept> kept = dev.hwc.backends.calib.Fp16Calibration.keepInFp32(g, ranges);
    if (!kept.isEmpty()) {
      notes.add("kept in fp32 by their ranges on " + ranges.size() + " samples: " + kept);
    }
    return ConvertToFp16.convert(g, true, profile.keepHigherPrecision(), dev.hwc.compiler.quant.Fp16Ranges.names(kept));
  }

  record Measured(Int8Search.Candidate chosen, BuildReport.Speed speed) {}

  /**
   * Trains the pruned float graph with its zeros held (see {@link FineTuner}) on the fine-tuning
   * inputs: {@code --train DIR}, else the calibration set (--calib DIR or calib/ beside the model);
   * never the eval set, which judges the result.
   */
  private Graph fineTune(Graph teacher, Graph student, Graph source, FineTuner.Int8 int8) throws IOException {
    Compression.FineTune f = o.compression().fineTune();
    if (f.qat() > 0 && int8 == null) {
      throw new BadInputException("--fine-tune qat=" + f.qat() + ": target '" + profile.id() + "' does not "
          + "quantize, so there is no int8 rounding to simulate; drop qat or pick an int8 target");
    }
    FineTuner tuner = fineTuner;
    SampleSet inputs;
    String from;
    Path beside = input.graph() != null ? null : model.toAbsolutePath().getParent().resolve("calib");
    if (f.train() != null) {
      if (!Files.isDirectory(f.train())) {
        throw new BadInputException("--train " + f.train() + ": no such folder");
      }
      inputs = SampleSet.load(f.train(), source.inputs());
      from = f.train().toString();
    } else if (o.calibration() != null && !o.calibration().isRandom()) {
      inputs = o.calibration().load(source.inputs());
      from = o.calibration().description();
    } else if (beside != null && Files.isDirectory(beside)) {
      inputs = SampleSet.load(beside, source.inputs());
      from = input.isBundledExample() ? "the bundled example's calibration strips" : beside.toString();
    } else {
      throw new BadInputException("--fine-tune needs inputs to train on: pass --train DIR (a folder of .npz files keyed "
          + "by input name) or --calib DIR, or put calib/ beside the model (the eval set is never trained on)");
    }
    String on = f.distill() ? "distillation from the float model on " + inputs.size() + " samples from " + from
        : "supervised, on the model's own labelled data";
    listener.info(String.format(java.util.Locale.ROOT, "fine-tuning %s (%s): %d steps%s, seed %d",
        o.compression().prune().id(), on, f.steps(), f.seconds() > 0 ? String.format(java.util.Locale.ROOT, " or %.0f s", f.seconds()) : "", f.seed()));
    FineTuner.Result r = tuner.fineTune(new FineTuner.Request(student, teacher, inputs, f, listener, f.qat() > 0 ? int8 : null));
    listener.info(r.summary());
    notes.add(r.summary());
    return r.graph();
  }

  /** The speed check's name for the reference artifact (never a plan's id). */
  private static final String REFERENCE = "reference";

  /**
   * The uncompressed model built the same way (same precision, same samples), as the compression's reference.
   *
   * @param plan the reference's chosen plan
   * @param keptFloat what that plan kept in float
   * @param asked the plan asked for (the compressed plan it is compared with)
   */
  record Uncompressed(byte[] artifact, String plan, List<String> keptFloat, String asked, List<String> askedKept) {
    /** Whether the reference is the same plan kind with the same kept-float layers as asked. */
    boolean samePlan() {
      return plan.equals(asked) && new java.util.HashSet<>(keptFloat).equals(new java.util.HashSet<>(askedKept));
    }

    /**
     * The same reference, compared with the plan the speed check chose (the reference is built before
     * that check, as the {@linkplain #preferred preferred} passing plan, which the check may not choose).
     */
    Uncompressed comparedWith(Int8Search.Candidate chosen) {
      return new Uncompressed(artifact, plan, keptFloat, chosen.scheme().id(), chosen.keptFloat());
    }

    String describe() {
      String kept = keptFloat.isEmpty() ? "nothing kept in float" : "kept in float: " + String.join(", ", keptFloat);
      return "the uncompressed " + plan + " plan (" + kept + ")" + (samePlan() ? ", the same plan as the compressed one"
          : "; NOT the same plan: the compressed one is " + asked
          + (askedKept.isEmpty() ? " with nothing kept in float" : " keeping " + String.join(", ", askedKept) + " in float"));
    }
  }

  /** The plan whose weakest output's cosine is highest. */
  private static Int8Search.Candidate mostFaithful(List<Int8Search.Candidate> c) {
    return c.stream().max(Comparator.comparingDouble(x -> Fidelity.weakest(x.fidelity()).cosine())).orElseThrow();
  }

  /**
   * The plan an untimed build ships, and the one the uncompressed reference is built as: the one that
   * quantizes the most layers (a fallback that kept every layer float is faithful but no int8 build),
   * then the most faithful.
   */
  private static Int8Search.Candidate preferred(List<Int8Search.Candidate> c) {
    return c.stream().max(Comparator.comparingInt(Int8Search.Candidate::quantizedLayers)
        .thenComparingDouble(x -> Fidelity.weakest(x.fidelity()).cosine())).orElseThrow();
  }

  /** A build whose artifact serves as a reference even when it failed its gate. */
  private static BuildResult referenceBuild(BuildRequest r) throws Exception {
    try {
      return new BuildJob(r, BuildListener.NONE).run();
    } catch (CheckFailedException e) {
      return e.result();
    }
  }

  private Uncompressed uncompressed(Precision precision, Int8Search.Candidate like) throws Exception {
    listener.info("compression " + o.compression().id() + ": building the uncompressed model at " + precision.id()
        + " (" + like.scheme().id() + " plan) as its reference");
    // in memory, untimed: only its artifact is used
    BuildRequest plain = o.toBuilder().compression(Compression.NONE).precision(precision).output(null)
        .replaceOutput(false).benchSeconds(0).requireSpeedup(false).build();
    BuildRequest.Builder b = plain.toBuilder();
    if (like.scheme() == PlanKind.STATIC || like.scheme() == PlanKind.DYNAMIC || like.scheme() == PlanKind.DYNAMIC_SMOOTHED) {
      LinkedHashSet<String> kept = new LinkedHashSet<>(o.keepFloat());
      kept.addAll(like.keptFloat());
      b = b.scheme(like.scheme() == PlanKind.STATIC ? Scheme.STATIC : Scheme.DYNAMIC).keepFloat(List.copyOf(kept));
    }
    BuildResult r;
    try {
      r = referenceBuild(b.build());
    } catch (BadInputException e) { // the compressed model's plan does not exist on the uncompressed one
      listener.info("the uncompressed model has no " + like.scheme().id() + " plan like the compressed one's ("
          + e.getMessage() + "); its reference is built with the request's own scheme");
      r = referenceBuild(plain);
    }
    return new Uncompressed(r.artifact().bytes(), r.report().artifact().scheme(), r.chosen().keptFloat(),
        like.scheme().id(), like.keptFloat());
  }

  private BuildReport.CompressionReport compressionReport(Int8Search.Candidate chosen, Path artifact,
      Uncompressed reference, BuildReport.Speed speed, Graph uncompressedFloat, Graph compressedFloat) throws IOException {
    reference = reference.comparedWith(chosen);
    // counted on the float graphs before quantization (a quantized graph's weights sit behind DequantizeLinear)
    dev.hwc.compiler.prune.Sparsity sp = dev.hwc.compiler.prune.Sparsity.of(compressedFloat);
    dev.hwc.compiler.prune.Sparsity.Macs macs = dev.hwc.compiler.prune.Sparsity.macs(compressedFloat);
    dev.hwc.compiler.prune.Sparsity.Macs baseMacs = dev.hwc.compiler.prune.Sparsity.macs(uncompressedFloat);
    long baseParams = dev.hwc.compiler.prune.Sparsity.of(uncompressedFloat).parameters();
    Long rss = peakRss(chosen.scheme().id());
    Long baseRss = peakRss(REFERENCE);
    byte[] mine = Files.readAllBytes(artifact);
    long gz = gzipSize(mine);
    long baseGz = gzipSize(reference.artifact());
    long base = reference.artifact().length;
    String stored = saving(base, mine.length, "as stored");
    String packed = saving(baseGz, gz, "gzipped");
    String time = !speed.measured() ? "speed not measured (" + speed.note() + ")"
        : speed.speedup() > 1 ? String.format(java.util.Locale.ROOT, "%.2fx faster", speed.speedup())
        : String.format(java.util.Locale.ROOT, "NOT faster (%.2fx)", speed.speedup());
    String macText = baseMacs.dense() <= 0 || macs.dense() < 0 ? "MACs unknown (symbolic shapes)"
        : String.format(java.util.Locale.ROOT, "MACs %s -> %s dense (%s), %s with zero weights skipped",
            human(baseMacs.dense()), human(macs.dense()), saving(baseMacs.dense(), macs.dense(), "").trim(),
            human(macs.effective()));
    String params = String.format(java.util.Locale.ROOT, "parameters %s -> %s (%s non-zero)", human(baseParams),
        human(sp.parameters()), human(sp.nonZeros()));
    String memory = rss == null || baseRss == null ? "" : String.format(java.util.Locale.ROOT,
        ", peak RSS %.0f MiB vs %.0f MiB", rss / 1048576.0, baseRss / 1048576.0);
    String where = whereItPays(o.compression());
    String zeros = o.compression().prune() != null && o.compression().prune().kind() == Compression.Kind.CHANNEL
        ? "channels removed" : String.format(java.util.Locale.ROOT, "%.0f%% of prunable weights are zero", 100 * sp.weightSparsity());
    String statement = String.format(java.util.Locale.ROOT, "%s: %s; %s; %s; against %s:"
        + " %s, %s, %s on %s%s%s", o.compression().id(), zeros, params, macText,
        reference.describe(), stored, packed, time, profile.runtime(), memory, where.isEmpty() ? "" : ". " + where);
    return new BuildReport.CompressionReport(o.compression().id(), sp.parameters(), sp.nonZeros(), sp.weightSparsity(),
        base, mine.length, baseGz, gz, statement, baseParams, baseMacs.dense(), macs.dense(), macs.effective(),
        speed.measured() ? speed.fp32P50Millis() : null, speed.measured() ? speed.p50Millis() : null, baseRss, rss,
        reference.describe(), reference.samePlan());
  }

  /** Where a compression pays and where it does not, in one sentence; empty when the figures say it all. */
  static String whereItPays(Compression c) {
    String lowRank = c.lowRank() == 0 ? "" : "low-rank: each factorized weight is two layers, fewer parameters but one"
        + " more kernel and an intermediate tensor each, which can make it slower; compare the timing above";
    if (c.prune() == null) {
      return lowRank;
    }
    String pays = switch (c.prune().kind()) {
      case N_M -> c.prune().kept() + ":" + c.prune().groupSize() + " sparsity pays only where a kernel reads it:"
          + " TensorRT's sparse tensor cores on NVIDIA Ampere and later GPUs (up to about 2x on the matrix math);"
          + " dense CPU runtimes (ONNX Runtime CPU, TFLite/XNNPACK, the Edge TPU) store and multiply the zeros";
      case UNSTRUCTURED -> "unstructured zeros in a dense format save nothing as stored or in MACs executed;"
          + " they show only in a compressed download";
      case CHANNEL -> "";
    };
    return lowRank.isEmpty() ? pays : pays.isEmpty() ? lowRank : pays + "; " + lowRank;
  }

  /** 1234567 as "1.23M". */
  private static String human(long v) {
    return v >= 1_000_000_000 ? String.format(java.util.Locale.ROOT, "%.2fG", v / 1e9)
        : v >= 1_000_000 ? String.format(java.util.Locale.ROOT, "%.2fM", v / 1e6)
        : v >= 10_000 ? String.format(java.util.Locale.ROOT, "%.1fk", v / 1e3) : Long.toString(v);
  }

  /** The speed check's peak RSS of one timed artifact, or null when none was timed. */
  private Long peakRss(String label) {
    return lastBench == null ? null : lastBench.find(label).map(BenchResult.Measurement::peakRssBytes).orElse(null);
  }

  /** The last speed check's figures (null before one ran). */
  private BenchResult lastBench;

  /** "N% smaller as stored" or "N% larger as stored"; 0% said as such. */
  private static String saving(long before, long after, String how) {
    double d = before == 0 ? 0 : 100.0 * (before - after) / before;
    long r = Math.round(d);
    return r == 0 ? "0% smaller " + how : r > 0 ? r + "% smaller " + how : -r + "% LARGER " + how;
  }

  /** The size of the bytes after gzip (deflate level 6, the gzip command's default). */
  static long gzipSize(byte[] b) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
      z.write(b);
    }
    return out.size();
  }

  /**
   * Times the reference (fp32, or the uncompressed model at the same precision when compressing)
   * against the candidates, interleaved, and picks the fastest (the only one when one).
   */
  private Measured measure(Path fp32, String fp32Name, List<Int8Search.Candidate> candidates, Samples s, Graph source)
      throws IOException {
    Int8Search.Candidate first = preferred(candidates); // what ships when nothing is timed
    boolean nothingToCompare = first.scheme() == PlanKind.FP32 && o.compression().isNone();
    // a compression is timed even when it failed the gate: what it would have bought is part of its report
    if (nothingToCompare || o.benchSeconds() == 0 || !first.passed() && o.compression().isNone()) {
      String why = nothingToCompare ? "fp32 build: nothing to compare"
          : !first.passed() ? "skipped: no plan passed the gate" : "skipped (--bench-seconds 0)";
      BuildReport.Speed skipped = new BuildReport.Speed(false, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, why);
      listener.timingFinished(skipped);
      return new Measured(first, skipped);
    }
    listener.timingStarted(candidates.stream().map(Int8Search.Candidate::scheme).toList(), o.benchSeconds());
    List<BenchTarget> targets = new ArrayList<>();
    String rt = tflite ? "tflite" : "onnxruntime";
    targets.add(new BenchTarget(REFERENCE, fp32, rt, 0));
    for (Int8Search.Candidate c : candidates) {
      targets.add(new BenchTarget(c.scheme().id(), c.artifact(), rt, 0));
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
    lastBench = r;
    Int8Search.Candidate fastest = first;
    double bestSpeedup = -1;
    for (Int8Search.Candidate c : candidates) {
      double sp = r.ratio(c.scheme().id()).map(BenchResult.Ratio::speedup).orElse(Double.NaN);
      if (sp > bestSpeedup) {
        bestSpeedup = sp;
        fastest = c;
      }
    }
    String name = fastest.scheme().id();
    String label = (o.compression().isNone() ? name : o.compression().id() + " " + name)
        + (fastest.passed() ? "" : " (failed the gate)");
    BenchResult.Ratio ratio = r.ratio(name).orElseThrow();
    double fp32P50 = r.find(REFERENCE).orElseThrow().latencyMs().p50();
    double p50 = r.find(name).orElseThrow().latencyMs().p50();
    double speedup = ratio.speedup();
    String note = speedup > 1
        ? String.format(java.util.Locale.ROOT, "%s is %.2fx faster than %s here (p50 %.3f ms vs %.3f ms)", label, speedup, fp32Name, p50, fp32P50)
        : String.format(java.util.Locale.ROOT, "%s is NOT faster than %s on this machine: %.2fx (p50 %.3f ms vs %.3f ms)", label, fp32Name, speedup, p50, fp32P50);
    BuildReport.Speed speed = new BuildReport.Speed(true, fp32P50, p50, speedup, 1 / ratio.max(), 1 / ratio.min(), note);
    listener.timingFinished(speed);
    return new Measured(fastest, speed);
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
      Runtime runtime, Precision precision, Evaluation eval, String sampleSource, Gate gate, BuildReport.Speed speed,
      List<CurveResult> curves, BuildReport.CompressionReport compression, BuildReport.Segmented segmented)
      throws IOException {
    ModelStats before = ModelStats.of(source);
    ModelStats after = ModelStats.of(chosen.graph());
    List<BuildReport.Candidate> cands = new ArrayList<>();
    for (Int8Search.Candidate c : judged) {
      OutputFidelity w = Fidelity.weakest(c.fidelity());
      cands.add(new BuildReport.Candidate(c.scheme().id(), c.passed(), w.output(), w.cosine(),
          c.fidelity().stream().mapToDouble(OutputFidelity::minIoU).min().orElse(1), c.quantizedLayers(),
          c.keptFloat(), c.written().bytes(), c.fidelity()));
    }
    OutputFidelity weakest = Fidelity.weakest(chosen.fidelity());
    TfliteFacts facts = chosen.written().tflite();
    String inputPath = input.isBundledExample() ? "bundled:" + ModelInput.EXAMPLE_RESOURCE
        : input.graph() != null ? "graph:" + input.stem() : model.toString();
    return new BuildReport(HwcVersion.VALUE, profile.id(), profile.source(), precision.id(), notes,
        new BuildReport.Input(inputPath, sha256(model), Files.size(model), source.opset(), before.nodes(),
            before.parameters(), input.isBundledExample()),
        passes, before.opHistogram(), after.opHistogram(), cands,
        new BuildReport.Artifact(artifact.getFileName().toString(), writer.extension(), chosen.scheme().id(),
            sha256(artifact), Files.size(artifact), (double) Files.size(artifact) / Files.size(fp32),
            facts != null ? facts.ops() : after.nodes(), runtime.id(), runtime.version()),
        new BuildReport.Fidelity(eval.size(), sampleSource, chosen.fidelity(), weakest.output(), gate.minCosine(),
            gate.maxRelativeL2(), gate.minIoU(), chosen.passed(), curves),
        speed, compression, segmented, stayedFloat(chosen), phases.seconds());
  }

  /** The chosen static plan's float nodes and why (empty for other plans). */
  private List<BuildReport.FloatNode> stayedFloat(Int8Search.Candidate chosen) {
    if (chosen.scheme() != PlanKind.STATIC && chosen.scheme() != PlanKind.STATIC_FLOAT_INPUT_CONV || quantScheme == null
        || tflite) {
      return List.of();
    }
    return FloatIslands.of(chosen.graph(), quantScheme, floatReasons);
  }

  static Runtime find(String id) {
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
}

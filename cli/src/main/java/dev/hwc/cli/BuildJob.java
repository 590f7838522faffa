package dev.hwc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hwc.backends.Emitter;
import dev.hwc.backends.HwcVersion;
import dev.hwc.backends.Runtime;
import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.analysis.Legality;
import dev.hwc.compiler.analysis.ModelStats;
import dev.hwc.compiler.frontend.Frontends;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.PassRecord;
import dev.hwc.compiler.passes.PassRecorder;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.hwtests.Fidelity;
import dev.hwc.hwtests.OutputFidelity;
import dev.hwc.hwtests.SampleInputs;
import dev.hwc.profiles.BadInputException;
import dev.hwc.profiles.Profile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * One {@code hwc build}: read, optimize, emit, check, report. Everything is written into a
 * temporary folder beside the output and moved into place only when every step succeeded, so a
 * failed build leaves nothing behind and an existing folder is replaced only with --force.
 */
final class BuildJob {
  private final Profile profile;
  private final Path model;
  private final boolean bundled;
  private final Path output;
  private final boolean force;
  private final Map<String, long[]> shapes;
  private final int samples;
  private final PrintWriter out;

  BuildJob(Profile profile, Path model, boolean bundled, Path output, boolean force,
      Map<String, long[]> shapes, int samples, PrintWriter out) {
    this.profile = profile;
    this.model = model;
    this.bundled = bundled;
    this.output = output != null ? output
        : Path.of("hwc-out", ModelSource.stem(model) + "-" + profile.id());
    this.force = force;
    this.shapes = shapes;
    this.samples = samples;
    this.out = out;
  }

  int run() throws Exception {
    checkBuildable();
    Path target = output.toAbsolutePath().normalize();
    if (Files.exists(target) && !force) {
      throw new BadInputException("output folder " + output + " exists; pass --force to replace it");
    }
    Graph source = GraphValidator.check(ShapeInference.run(Frontends.read(model)));
    if (!shapes.isEmpty()) {
      source = ShapeInference.bindInputs(source, shapes);
    }
    out.printf("hwc build: %s -> %s (%s on %s)%n", bundled ? "bundled example " + model.getFileName() : model,
        profile.id(), profile.artifact(), profile.runtime());

    PassRecorder passes = new PassRecorder();
    Graph optimized = Pipeline.standard().run(source, PassContext.defaults().withInstruments(passes));
    checkLegal(optimized);

    Emitter emitter = find(Emitter.class, e -> e.format().equals(profile.artifact()), "emitter for " + profile.artifact());
    Runtime runtime = find(Runtime.class, r -> r.id().equals(profile.runtime()), "runtime " + profile.runtime());
    runtime.unavailableReason().ifPresent(why -> {
      throw new BadInputException("runtime " + runtime.id() + " cannot run here: " + why);
    });

    Files.createDirectories(target.getParent());
    Path staging = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp-");
    try {
      Path artifact = staging.resolve(ModelSource.stem(model) + "." + emitter.extension());
      emitter.emit(optimized, artifact);
      BuildReport.Fidelity fidelity = checkFidelity(source, runtime, artifact);
      BuildReport report = report(source, optimized, passes.records(), artifact, runtime, fidelity);
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(staging.resolve("report.json").toFile(), report);
      print(report);
      if (!fidelity.passed()) {
        OutputFidelity weak = fidelity.outputs().stream()
            .filter(o -> o.output().equals(fidelity.weakestOutput())).findFirst().orElseThrow();
        throw new CheckFailedException("weakest output '" + weak.output() + "' has cosine " + Format.num(weak.cosine())
            + " and relative L2 " + Format.num(weak.relativeL2()) + " (gate: cosine >= " + fidelity.minCosine()
            + ", relative L2 <= " + fidelity.maxRelativeL2() + "); no artifact written");
      }
      moveIntoPlace(staging, target);
      out.printf("wrote %s and %s%n", output.resolve(artifact.getFileName()), output.resolve("report.json"));
      return Hwc.OK;
    } finally {
      deleteRecursively(staging);
    }
  }

  /** Targets whose artifact this build of hwc can make: float ONNX, checked on ONNX Runtime. */
  private void checkBuildable() {
    boolean floatOnnx = profile.artifact().equals("onnx") && profile.precisions().activations().contains("fp32")
        && profile.precisions().weights().contains("fp32");
    if (!floatOnnx) {
      throw new BadInputException("target '" + profile.id() + "' needs " + String.join("/", profile.precisions().weights())
          + " weights in a " + profile.artifact() + " artifact, which this hwc cannot emit yet (quantization and the "
          + "TFLite/TensorRT backends are still to come); targets that build now: x86-fp32, cpu-fallback");
    }
  }

  private void checkLegal(Graph g) {
    Legality.Report r = Legality.check(g, profile);
    if (!r.allSupported() && !profile.partitioning().mode().equals("per-op-fallback")) {
      Legality.Verdict v = r.firstUnsupported().orElseThrow();
      throw new BadInputException(v.node().describe() + " cannot run on " + profile.id() + ": " + v.reasons().get(0));
    }
  }

  private BuildReport.Fidelity checkFidelity(Graph source, Runtime runtime, Path artifact) throws Exception {
    Fidelity f = new Fidelity();
    Map<String, long[]> used = new LinkedHashMap<>();
    SessionOptions opts = SessionOptions.DEFAULT;
    try (RuntimeSession ref = runtime.open(model, opts); RuntimeSession cand = runtime.open(artifact, opts)) {
      for (int s = 0; s < samples; s++) {
        Map<String, Tensor> in = SampleInputs.random(source.inputs(), s);
        in.forEach((k, v) -> used.put(k, v.shape()));
        f.add(ref.run(in), cand.run(in));
      }
    }
    List<OutputFidelity> results = f.results();
    OutputFidelity weakest = Fidelity.weakest(results);
    boolean passed = results.stream().allMatch(o -> o.cosine() >= profile.gate().minCosine()
        && o.relativeL2() <= profile.gate().maxRelativeL2());
    return new BuildReport.Fidelity(samples, used, results, weakest.output(), profile.gate().minCosine(),
        profile.gate().maxRelativeL2(), passed);
  }

  private BuildReport report(Graph source, Graph optimized, List<PassRecord> passes, Path artifact, Runtime runtime,
      BuildReport.Fidelity fidelity) throws IOException {
    ModelStats before = ModelStats.of(source);
    ModelStats after = ModelStats.of(optimized);
    return new BuildReport(HwcVersion.VALUE, profile.id(), profile.source(),
        new BuildReport.Input(bundled ? "bundled:" + ModelSource.EXAMPLE_RESOURCE : model.toString(), sha256(model),
            Files.size(model), source.opset(), before.nodes(), before.parameters(), bundled),
        passes, before.opHistogram(), after.opHistogram(),
        new BuildReport.Artifact(artifact.getFileName().toString(), profile.artifact(), sha256(artifact),
            Files.size(artifact), after.nodes(), runtime.id(), runtime.version()),
        fidelity);
  }

  private void print(BuildReport r) {
    Table passes = new Table("pass", "nodes before", "nodes after", "ms");
    r.passes().forEach(p -> passes.row(p.name(), p.nodesBefore(), p.nodesAfter(), String.format(java.util.Locale.ROOT, "%.1f", p.millis())));
    passes.print(out);
    out.printf("%nnodes %d -> %d, artifact %s (input %s)%n%n", r.input().nodes(), r.artifact().nodes(),
        Format.bytes(r.artifact().bytes()), Format.bytes(r.input().bytes()));
    out.printf("fidelity on %s %s vs the input model, %d seeded samples (gate: cosine >= %s, rel L2 <= %s):%n",
        r.artifact().runtime(), r.artifact().runtimeVersion(), r.fidelity().samples(),
        r.fidelity().minCosine(), r.fidelity().maxRelativeL2());
    Table t = new Table("output", "max abs", "mean abs", "rel L2", "cosine", "SNR dB", "");
    for (OutputFidelity o : r.fidelity().outputs()) {
      t.row(o.output(), Format.num(o.maxAbs()), Format.num(o.meanAbs()), Format.num(o.relativeL2()),
          Format.num(o.cosine()), Format.num(o.snrDb()), o.output().equals(r.fidelity().weakestOutput()) ? "<- weakest" : "");
    }
    t.print(out);
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

  private static <T> T find(Class<T> type, java.util.function.Predicate<T> match, String what) {
    for (T t : ServiceLoader.load(type)) {
      if (match.test(t)) {
        return t;
      }
    }
    throw new IllegalStateException("no " + what + " is registered");
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

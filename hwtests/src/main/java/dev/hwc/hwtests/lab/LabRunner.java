package dev.hwc.hwtests.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hwc.backends.HwcVersion;
import dev.hwc.hwtests.bench.Bench;
import dev.hwc.hwtests.bench.BenchOptions;
import dev.hwc.hwtests.bench.BenchResult;
import dev.hwc.hwtests.bench.BenchTarget;
import dev.hwc.hwtests.bench.Runtimes;
import dev.hwc.hwtests.cost.Cost;
import dev.hwc.hwtests.cost.PriceSheet;
import dev.hwc.common.BadInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs a {@link LabPlan}: every model × target × thread count through the harness, one row at a
 * time. A row whose hardware this machine lacks, whose runtime is missing here, or whose runtime does
 * not take the model's format is skipped with the reason; a row that fails keeps its error and the
 * run goes on. Writes {@code <name>-<time>.json} (validated against the schema first), {@code .md}
 * and {@code .html} into the output folder.
 */
public final class LabRunner {
  private LabRunner() {}

  /** The files one lab run wrote. */
  public record Written(LabRun run, Path json, Path markdown, Path html) {}

  public static Written run(Path planFile, Path outDir, BenchOptions base, Consumer<String> progress) throws IOException {
    LabPlan plan = LabPlan.load(planFile);
    dev.hwc.common.OutputFolder.checkAddable(outDir); // before the measurements, not after
    Hardware host = Hardware.detect();
    String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    BenchOptions opts = options(plan, base);
    PriceSheet sheet = plan.cost() == null ? null : PriceSheet.resolve(
        "default".equals(plan.cost().sheet()) ? "default" : LabPlan.resolve(planFile, plan.cost().sheet()).toString());
    List<LabRun.Row> rows = new ArrayList<>();
    java.util.Map<String, Optional<String>> runtimeMissing = new java.util.HashMap<>();
    for (LabPlan.Model m : plan.models()) {
      Path artifact = LabPlan.resolve(planFile, m.path());
      for (LabPlan.Target t : plan.targets()) {
        String runtime = Runtimes.resolve(t.runtime(), artifact);
        String hardware = t.hardware() == null ? "cpu" : t.hardware();
        Optional<String> skip = skipReason(host, hardware, runtime, artifact, runtimeMissing);
        if (skip.isPresent()) { // one row: the thread counts do not matter
          rows.add(new LabRun.Row(m.name(), artifact.toString(), t.name(), hardware, runtime, 0, "skipped", skip.get(),
              host.hostname(), host.cpuModel(), host.cpuFlags(), null, null, null, null));
          continue;
        }
        List<Integer> threads = t.threads() == null || t.threads().isEmpty() ? List.of(0) : t.threads();
        for (int n : threads) {
          progress.accept(m.name() + " on " + t.name() + (n > 0 ? ", " + n + " thread" + (n == 1 ? "" : "s") : ""));
          rows.add(row(m, artifact, t, hardware, runtime, n, host, opts.withShapes(LabPlan.shapes(m, planFile))
              .withInputs(m.inputs() == null ? null : LabPlan.resolve(planFile, m.inputs())), sheet,
              plan.cost() == null ? 0 : plan.cost().rate()));
        }
      }
    }
    String name = plan.name() == null ? stem(planFile) : plan.name();
    LabRun run = new LabRun(LabRun.SCHEMA_ID, name, planFile.toString(), HwcVersion.VALUE, started,
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), host, rows);
    return write(run, outDir);
  }

  private static LabRun.Row row(LabPlan.Model m, Path artifact, LabPlan.Target t, String hardware, String runtime,
      int threads, Hardware host, BenchOptions opts, PriceSheet sheet, double rate) {
    try {
      BenchResult r = Bench.compare(List.of(new BenchTarget(m.name(), artifact, runtime, threads)), opts);
      BenchResult.Measurement me = r.artifacts().get(0);
      List<Cost.Line> cost = sheet != null && me.measured() ? Cost.estimate(sheet, Cost.Usage.of(me), rate) : null;
      return new LabRun.Row(m.name(), artifact.toString(), t.name(), hardware, runtime, threads, me.status(), me.reason(),
          host.hostname(), host.cpuModel(), host.cpuFlags(), me.runtimeVersion(), r.settings().backgroundCpuCores(),
          me.measured() ? me : null, cost);
    } catch (BadInputException | IOException | IllegalStateException e) {
      return new LabRun.Row(m.name(), artifact.toString(), t.name(), hardware, runtime, threads, "failed",
          String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString()), host.hostname(), host.cpuModel(),
          host.cpuFlags(), null, null, null, null);
    }
  }

  /** Why a row cannot run here, known before running it: hardware, artifact format, runtime, Edge TPU delegate. */
  static Optional<String> skipReason(Hardware host, String hardware, String runtime, Path artifact,
      java.util.Map<String, Optional<String>> runtimeMissing) {
    Optional<String> skip = host.lacks(hardware);
    if (skip.isEmpty() && Runtimes.extensions(runtime).stream().noneMatch(e -> artifact.toString().endsWith(e))) {
      skip = Optional.of(runtime + " takes " + String.join("/", Runtimes.extensions(runtime)) + " artifacts, not "
          + artifact.getFileName());
    }
    if (skip.isEmpty()) {
      skip = runtimeMissing.computeIfAbsent(runtime, id -> Runtimes.find(id).unavailableReason())
          .map(why -> runtime + " is not available here: " + why);
    }
    if (skip.isEmpty() && hardware.equals("edgetpu")) {
      skip = Optional.of("an Edge TPU is attached (" + host.edgeTpu() + ") but hwc's TFLite runtime has no Edge TPU"
          + " delegate (libedgetpu) yet");
    }
    return skip;
  }

  static BenchOptions options(LabPlan plan, BenchOptions base) {
    BenchOptions o = base;
    if (plan.bench() != null) {
      if (plan.bench().warmup() != null) {
        o = o.withWarmup(plan.bench().warmup());
      }
      if (plan.bench().runs() != null && plan.bench().runs() > 0) {
        o = o.withRuns(plan.bench().runs());
      } else if (plan.bench().seconds() != null && plan.bench().seconds() > 0) {
        o = o.withSeconds(plan.bench().seconds());
      }
    }
    return o;
  }

  /** Validates the run against the schema, then writes JSON, Markdown and HTML side by side. */
  public static Written write(LabRun run, Path outDir) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    JsonNode tree = json.valueToTree(run);
    List<String> problems = JsonSchemaCheck.validate(JsonSchemaCheck.load(LabRun.SCHEMA), tree);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("lab run does not match its schema: " + problems);
    }
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC)
        .format(Instant.parse(run.startedAt()));
    String base = run.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + stamp;
    java.util.Map<String, byte[]> files = new java.util.LinkedHashMap<>();
    files.put(base + ".json", json.writeValueAsBytes(tree));
    files.put(base + ".md", LabReport.markdown(run).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    files.put(base + ".html", LabReport.html(run).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    // added to the folder (never replacing a file), each whole or not at all
    List<Path> w = dev.hwc.common.OutputFolder.addFiles(outDir, files);
    return new Written(run, w.get(0), w.get(1), w.get(2));
  }

  private static String stem(Path p) {
    String n = p.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}

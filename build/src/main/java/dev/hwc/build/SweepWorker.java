package dev.hwc.build;

import dev.hwc.common.Processes;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hwc.hwtests.OutputKind;
import dev.hwc.profiles.Profile;
import dev.hwc.profiles.ProfileLoader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code hwc sweep --jobs N}: one candidate built and judged ({@link SweepJob#judge}, the same code as
 * a sweep in one process) in a child JVM on hwc's own class path. The parent writes a job file into
 * the sweep's staging folder; the child writes the artifact and the untimed candidate beside it, each
 * whole (written beside its name, then renamed), and exits. The child stops itself when its parent
 * is gone; the parent stops its children before its staging folder is removed (on failure, SIGINT or
 * SIGTERM), so no child writes into a removed folder and none outlives the sweep.
 */
final class SweepWorker {
  private SweepWorker() {}

  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * What a child builds. The model is a file (null: the bundled example), or with {@code graph} (the
   * graph's metadata) an in-memory graph's ONNX form, read back into that graph (the reader's own
   * metadata, the producer's name, replaced by the graph's: the artifact is then the one the parent's build writes). Samples are folders (with the name the report gives them), "random", or
   * null for the model's own; the profile a built-in id or a profile file.
   */
  record Job(String model, Map<String, String> graph, String profile, String calibration, String calibrationName, String eval, String evalName,
      Map<String, OutputKind> outputKinds, Double minCosine, Double minIoU, Map<String, long[]> shapes,
      Precision precision, Scheme scheme, Compression compression, String key) {}

  /** What a child hands back beside the artifact. */
  record Done(SweepResult.Candidate candidate, String evalSource) {}

  static final String JOB = "job.json";
  static final String DONE = "done.json";
  static final String ARTIFACT = "artifact";
  static final String LOG = "child.log";

  /** Why this request cannot be handed to a child process, or null when it can. */
  static String cannot(SweepRequest r) {
    for (SampleSource s : new SampleSource[] {r.calibration(), r.eval()}) {
      if (s != null && !s.isRandom() && s.folder() == null) {
        return "the samples are in memory, not in a folder";
      }
    }
    String src = r.profile().source();
    if (!src.startsWith("builtin:")) {
      Path p = src.isEmpty() ? null : Path.of(src);
      if (p == null || !Files.isRegularFile(p) || !ProfileLoader.load(p).equals(r.profile())) {
        return "the target's profile was made in memory, not read from a file";
      }
    }
    return null;
  }

  /** The child: builds the job in {@code args[0]}'s folder. */
  public static void main(String[] args) {
    // the parent stops its children itself; should it die without doing so, stop here too
    ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
    try {
      Path dir = Path.of(args[0]);
      Job j = JSON.readValue(dir.resolve(JOB).toFile(), Job.class);
      ModelInput model = j.model() == null ? ModelInput.bundledExample()
          : j.graph() != null ? ModelInput.graph(asWritten(Path.of(j.model()), j.graph()))
          : ModelInput.file(Path.of(j.model()));
      Profile profile = j.profile().startsWith("builtin:") ? ProfileLoader.builtin(j.profile().substring(8))
          : ProfileLoader.load(Path.of(j.profile()));
      SweepRequest r = new SweepRequest(model, profile, null, samples(j.calibration(), j.calibrationName()),
          samples(j.eval(), j.evalName()), j.outputKinds(), j.minCosine(), j.minIoU(), j.shapes(), 0, 0, null, null,
          null, false, false, false, 1);
      SweepGrid.Entry e = SweepGrid.entry(j.precision(), j.scheme(), j.compression());
      SweepJob.Built b = new SweepJob(r, null).judge(e, j.key());
      if (b.artifact() != null) {
        whole(dir.resolve(ARTIFACT), b.artifact());
      }
      whole(dir.resolve(DONE), JSON.writeValueAsBytes(new Done(b.candidate(), b.evalSource())));
      System.out.flush();
      System.exit(0);
    } catch (Throwable t) {
      t.printStackTrace();
      System.err.flush();
      Runtime.getRuntime().halt(2);
    }
  }

  private static dev.hwc.compiler.ir.Graph asWritten(Path onnx, Map<String, String> metadata) throws IOException {
    dev.hwc.compiler.ir.Graph.Editor e = dev.hwc.compiler.frontend.Frontends.read(onnx).edit();
    e.metadata().clear();
    e.metadata().putAll(metadata);
    return e.build();
  }

  private static SampleSource samples(String folder, String name) {
    if (folder == null) {
      return null;
    }
    return folder.equals("random") ? SampleSource.random() : SampleSource.folder(Path.of(folder), name);
  }

  private static void whole(Path p, byte[] bytes) throws IOException {
    Path part = p.resolveSibling("." + p.getFileName() + ".part");
    Files.write(part, bytes);
    Files.move(part, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The parent's side: up to N children at once, each building one candidate into its own job folder. */
  static final class Pool implements AutoCloseable {
    private final SweepRequest r;
    private final Path model;
    private final Path dir;
    private final ExecutorService executor;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    /**
     * @param model the model file to hand over (an in-memory graph written out), or null for the request's own
     * @param dir the folder the job folders go in (inside the sweep's staging folder)
     */
    Pool(SweepRequest r, Path model, Path dir, int jobs) {
      this.r = r;
      this.model = model;
      this.dir = dir;
      this.executor = Executors.newFixedThreadPool(jobs, t -> {
        Thread th = new Thread(t, "hwc-sweep-job");
        th.setDaemon(true);
        return th;
      });
    }

    ExecutorService executor() {
      return executor;
    }

    /** Builds one candidate in a child and waits for it. */
    SweepJob.Built build(SweepGrid.Entry e, String key, String ext) throws Exception {
      Compression c = e.compression();
      Compression back = JSON.readValue(JSON.writeValueAsBytes(c), Compression.class);
      if (!back.equals(c)) {
        throw new IllegalStateException("compression " + c.id() + " does not survive the trip to a child: " + back);
      }
      Path job = Files.createDirectory(dir.resolve(key));
      Path file = model != null ? model : r.model().isBundledExample() ? null : r.model().file().toAbsolutePath();
      Job j = new Job(file == null ? null : file.toString(), model == null ? null : r.model().graph().metadata(),
          r.profile().source().startsWith("builtin:")
          ? "builtin:" + r.profile().id() : r.profile().source(), folder(r.calibration()), name(r.calibration()),
          folder(r.eval()), name(r.eval()), r.outputKinds(), r.minCosine(), r.minIoU(), r.shapes(), e.precision(),
          e.scheme(), c, key);
      Files.write(job.resolve(JOB), JSON.writeValueAsBytes(j));
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (a.startsWith("-Xmx") || a.startsWith("-Xms") || a.startsWith("-Xss")) {
          cmd.add(a);
        }
      }
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SweepWorker.class.getName(), job.toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(job.resolve(LOG).toFile());
      pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
      Process p;
      synchronized (this) {
        if (stopped) {
          throw new InterruptedException("sweep stopped");
        }
        p = pb.start();
        running.add(p);
      }
      int code;
      try {
        code = p.waitFor();
      } finally {
        running.remove(p);
      }
      if (code != 0 || !Files.isRegularFile(job.resolve(DONE))) {
        throw new IOException("building " + e.id() + " in a child process failed (exit " + code + "): "
            + tail(job.resolve(LOG)));
      }
      Done d = JSON.readValue(job.resolve(DONE).toFile(), Done.class);
      Path art = job.resolve(ARTIFACT);
      byte[] bytes = Files.isRegularFile(art) ? Files.readAllBytes(art) : null;
      dev.hwc.build.OutputStaging.deleteRecursively(job);
      return new SweepJob.Built(d.candidate().onSeries(e.series(), d.candidate().level()), d.evalSource(), bytes, true);
    }

    private static String folder(SampleSource s) {
      return s == null ? null : s.isRandom() ? "random" : s.folder().toAbsolutePath().toString();
    }

    private static String name(SampleSource s) {
      return s == null || s.isRandom() ? null : s.description();
    }

    private static String tail(Path log) {
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
      } catch (IOException ex) {
        return "(no log: " + ex.getMessage() + ")";
      }
    }

    /** Stops every running child (SIGTERM, then SIGKILL after 5 s) and waits for them; starts no more. */
    void kill() {
      synchronized (this) {
        stopped = true;
      }
      for (Process p : running) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
      }
      for (Process p : running) {
        Processes.awaitOrKill(p, 5);
      }
      executor.shutdownNow();
    }

    @Override
    public void close() {
      kill();
    }
  }
}

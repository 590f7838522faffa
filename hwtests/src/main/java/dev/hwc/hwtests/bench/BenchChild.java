package dev.hwc.hwtests.bench;

import dev.hwc.backends.BoundRun;
import dev.hwc.backends.Runtime;
import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.common.BadInputException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The measuring child: one fresh JVM per artifact, so one model's memory never counts against
 * another's. It loads the artifact (timed), runs it once (timed), then times batches of inferences
 * on command and finally reports its own peak RSS (VmHWM). With {@code --baseline} it loads nothing:
 * the bare-JVM figure the growth is measured against. See {@link Protocol}.
 *
 * <pre>java -cp CP dev.hwc.hwtests.bench.BenchChild --artifact F --runtime ID [--threads N]
 *     [--inputs PATH] [--shape NAME=AxB]... [--seed S]
 * java -cp CP dev.hwc.hwtests.bench.BenchChild --baseline</pre>
 */
public final class BenchChild {
  private final PrintStream out;
  private final BufferedReader in;
  private List<BoundRun> runs = List.of();
  private long next;

  private BenchChild(PrintStream out) {
    this.out = out;
    this.in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
  }

  public static void main(String[] args) {
    PrintStream protocol = System.out;
    System.setOut(System.err); // only protocol lines on stdout
    try {
      new BenchChild(protocol).run(args);
      protocol.flush();
      System.exit(0);
    } catch (BadInputException e) {
      System.err.println("hwc bench: " + e.getMessage());
      System.exit(2);
    } catch (Throwable e) {
      System.err.println("hwc bench: internal error in the measuring child: " + e);
      e.printStackTrace(System.err);
      System.exit(3);
    }
  }

  private void run(String[] args) throws Exception {
    Map<String, String> opt = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--baseline")) {
        opt.put("baseline", "true");
      } else if (a.equals("--shape") && i + 1 < args.length) {
        String s = args[++i];
        int eq = s.indexOf('=');
        String[] dims = s.substring(eq + 1).split("x");
        long[] d = new long[dims.length];
        for (int k = 0; k < d.length; k++) {
          d[k] = Long.parseLong(dims[k]);
        }
        shapes.put(s.substring(0, eq), d);
      } else if (a.startsWith("--") && i + 1 < args.length) {
        opt.put(a.substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("bad bench child argument: " + a);
      }
    }
    if (opt.containsKey("baseline")) {
      send(Map.of("event", "ready", "baseline", true));
      serve();
      return;
    }
    Path artifact = Path.of(opt.get("artifact"));
    Runtime runtime = Runtimes.find(opt.get("runtime"));
    Optional<String> why = runtime.unavailableReason();
    if (why.isPresent()) {
      send(Map.of("event", "unavailable", "reason", why.get()));
      return;
    }
    int threads = Integer.parseInt(opt.getOrDefault("threads", "0"));
    long seed = Long.parseLong(opt.getOrDefault("seed", "1"));
    Path inputs = opt.containsKey("inputs") ? Path.of(opt.get("inputs")) : null;

    long t0 = System.nanoTime();
    RuntimeSession session = runtime.open(artifact, new SessionOptions(threads, true));
    long loadNs = System.nanoTime() - t0;
    List<Map<String, Tensor>> samples = BenchInputs.load(session.inputs(), inputs, shapes, seed);
    List<BoundRun> bound = new ArrayList<>();
    for (Map<String, Tensor> s : samples) {
      bound.add(session.bind(s));
    }
    runs = bound;
    long t1 = System.nanoTime();
    runs.get(0).run();
    long firstNs = System.nanoTime() - t1;
    next = 1;
    Map<String, String> used = new LinkedHashMap<>();
    samples.get(0).keySet().forEach(k -> used.put(k, shapeRange(samples, k)));
    Map<String, Object> ready = new LinkedHashMap<>();
    ready.put("event", "ready");
    ready.put("runtime", runtime.id());
    ready.put("runtimeVersion", runtime.version());
    ready.put("execution", session.describe());
    ready.put("artifactBytes", Runtimes.artifactBytes(artifact));
    ready.put("loadNs", loadNs);
    ready.put("firstNs", firstNs);
    ready.put("samples", samples.size());
    ready.put("inputs", used);
    send(ready);
    serve();
    // the session stays open until the JVM exits: closing could only lower RSS after it was read
  }

  /**
   * Input {@code name}'s shape over all samples, dimension by dimension: {@code 1x12} when every
   * sample has that shape, {@code 1x8..32} when the samples run from 8 to 32 tokens.
   */
  static String shapeRange(List<Map<String, Tensor>> samples, String name) {
    long[] lo = samples.get(0).get(name).shape().clone();
    long[] hi = lo.clone();
    for (Map<String, Tensor> s : samples) {
      long[] d = s.get(name).shape();
      for (int i = 0; i < Math.min(d.length, lo.length); i++) {
        lo[i] = Math.min(lo[i], d[i]);
        hi[i] = Math.max(hi[i], d[i]);
      }
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < lo.length; i++) {
      b.append(i == 0 ? "" : "x").append(lo[i]);
      if (hi[i] != lo[i]) {
        b.append("..").append(hi[i]);
      }
    }
    return b.toString();
  }

  /** Answers commands until "stop". */
  private void serve() throws Exception {
    for (String line; (line = in.readLine()) != null; ) {
      String[] cmd = line.trim().split("\\s+");
      switch (cmd[0]) {
        case "warmup" -> {
          long[] ns = time(Integer.parseInt(cmd[1]));
          double mean = 0;
          for (long v : ns) {
            mean += v / (double) ns.length;
          }
          send(Map.of("event", "warm", "count", ns.length, "meanNs", ns.length == 0 ? 0 : mean));
        }
        case "run" -> send(Map.of("event", "batch", "ns", time(Math.min(Integer.parseInt(cmd[1]), Protocol.MAX_BATCH))));
        case "stop" -> {
          send(Map.of("event", "done", "peakRssBytes", ProcStatus.peakRssBytes(), "rssBytes", ProcStatus.rssBytes()));
          return;
        }
        default -> throw new IllegalArgumentException("unknown bench command: " + line);
      }
    }
  }

  /** n timed inferences, cycling through the samples. */
  private long[] time(int n) throws Exception {
    long[] ns = new long[n];
    if (runs.isEmpty()) {
      return new long[0];
    }
    int size = runs.size();
    for (int i = 0; i < n; i++) {
      BoundRun r = runs.get((int) (next++ % size));
      long t = System.nanoTime();
      r.run();
      ns[i] = System.nanoTime() - t;
    }
    return ns;
  }

  private void send(Object event) {
    out.println(Protocol.line(event));
    out.flush();
  }
}

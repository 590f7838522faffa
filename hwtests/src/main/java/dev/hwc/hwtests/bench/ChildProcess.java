package dev.hwc.hwtests.bench;

import dev.hwc.common.Processes;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hwc.common.BadInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The parent's handle on one {@link BenchChild}: start it, send commands, read its events. */
final class ChildProcess implements AutoCloseable {
  private static final int STDERR_LINES = 40;

  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final Deque<String> stderr = new ArrayDeque<>();
  private final Thread drain;
  private final String what;

  private ChildProcess(Process process, String what) {
    this.process = process;
    this.what = what;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.drain = new Thread(this::drainStderr, "bench-child-stderr");
    drain.setDaemon(true);
    drain.start();
  }

  /** Starts a child JVM on the same classpath: [prefix...] java [jvmArgs...] -cp CP BenchChild args... */
  static ChildProcess start(BenchOptions o, List<String> args, String what) throws IOException {
    List<String> cmd = new ArrayList<>(o.childPrefix());
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(o.jvmArgs());
    if (dev.hwc.backends.NativeLogs.verbose()) {
      cmd.add("-D" + dev.hwc.backends.NativeLogs.PROPERTY + "=true");
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(BenchChild.class.getName());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("ORT_DISABLE_TELEMETRY", "1"); // no mat-debug-PID.log or .ses in the temporary folder
    return new ChildProcess(pb.start(), what);
  }

  /**
   * Nanoseconds of CPU the child's process tree has used (every thread, from
   * /proc/PID/task/TID/schedstat), or -1 where /proc cannot tell.
   */
  long cpuNanos() {
    List<Long> pids = new ArrayList<>(List.of(process.pid()));
    process.descendants().forEach(h -> pids.add(h.pid()));
    long sum = 0;
    for (long pid : pids) {
      Path tasks = Path.of("/proc", Long.toString(pid), "task");
      try (var ts = java.nio.file.Files.newDirectoryStream(tasks)) {
        for (Path t : ts) {
          try {
            String stat = java.nio.file.Files.readString(t.resolve("schedstat")).trim();
            sum += Long.parseLong(stat.substring(0, stat.indexOf(' ')));
          } catch (IOException | RuntimeException e) {
            // a thread that just ended
          }
        }
      } catch (IOException | RuntimeException e) {
        if (pid == process.pid()) {
          return -1;
        }
      }
    }
    return sum;
  }

  /**
   * Waits until the child has gone idle: its CPU use over a 5 ms window under 10% of a core. Runtimes
   * keep their worker threads spinning for tens of milliseconds after a run (ONNX Runtime's and
   * XNNPACK's thread pools do, to answer the next run sooner); without this wait the previous
   * artifact's spinning threads would take cores from the next artifact's batch. At most a second.
   */
  void awaitIdle() throws java.io.InterruptedIOException {
    long deadline = System.nanoTime() + 1_000_000_000L;
    long prev = cpuNanos();
    while (prev >= 0 && System.nanoTime() < deadline) {
      long t0 = System.nanoTime();
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while waiting for a bench child to go idle");
      }
      long now = cpuNanos();
      if (now - prev < (System.nanoTime() - t0) / 10) {
        return;
      }
      prev = now;
    }
  }

  /** Sends a command and waits for the event that answers it. */
  JsonNode send(String command, String event) throws IOException {
    in.write(command + "\n");
    in.flush();
    return await(Set.of(event));
  }

  /** Reads events until one of {@code events}; a child that exits first becomes an exception. */
  JsonNode await(Set<String> events) throws IOException {
    for (String line; (line = out.readLine()) != null; ) {
      if (!line.startsWith(Protocol.PREFIX)) {
        continue; // a native library printing on stdout
      }
      JsonNode n = Protocol.parse(line);
      if (events.contains(n.path("event").asText())) {
        return n;
      }
      throw new IllegalStateException("bench child for " + what + " sent '" + n.path("event").asText()
          + "', expected " + events);
    }
    int code;
    try {
      code = process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
      drain.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      code = -1;
    }
    String err = stderrTail();
    String msg = lastLine(err);
    if (code == 2) {
      throw new BadInputException(msg.startsWith("hwc bench: ") ? msg.substring("hwc bench: ".length()) : msg);
    }
    IllegalStateException e = new IllegalStateException("bench child for " + what + " exited with code " + code
        + ": " + msg);
    e.addSuppressed(new RuntimeException("the child's stderr:\n" + err)); // shown with HWC_DEBUG=1
    throw e;
  }

  private void drainStderr() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        synchronized (stderr) {
          stderr.addLast(line);
          if (stderr.size() > STDERR_LINES) {
            stderr.removeFirst();
          }
        }
      }
    } catch (IOException e) {
      // the child is gone
    }
  }

  String stderrTail() {
    synchronized (stderr) {
      return String.join("\n", stderr);
    }
  }

  private static String lastLine(String s) {
    List<String> lines = s.lines().filter(l -> l.startsWith("hwc bench: ")).toList();
    if (!lines.isEmpty()) {
      return lines.get(lines.size() - 1);
    }
    List<String> all = s.lines().toList();
    return all.isEmpty() ? "bench child failed without a message" : all.get(all.size() - 1);
  }

  /** Waits briefly for a child told to stop, then ends it. */
  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      // already closed
    }
    Processes.awaitOrKill(process, 10);
  }
}

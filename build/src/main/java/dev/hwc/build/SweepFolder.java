package dev.hwc.build;

import dev.hwc.common.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A sweep's folder: everything it writes stays inside it. It holds a marker ({@value #MARK}), the
 * per-candidate cache ({@code cache/}, one whole file per finished candidate, each written beside its
 * name and renamed into place, so an interrupted sweep resumes from what it finished) and the results
 * (sweep.json, sweep.csv, envelope.html/.svg/.png, ship/), written into a staging folder inside it and
 * moved into place only when all of them are complete (sweep.json last), so a reader never finds a
 * half-written set. The staging folder is removed on failure and on SIGINT/SIGTERM.
 */
final class SweepFolder implements AutoCloseable {
  static final String MARK = ".hwc-sweep";
  /** Result names a commit replaces. */
  static final List<String> RESULTS = List.of("sweep.csv", "envelope.html", "envelope.svg", "envelope.png", "ship",
      "sweep.json", dev.hwc.common.OutputFolder.MANIFEST);
  private final Path dir;
  private Path staging;
  private Thread hook;
  /** Run before the staging folder is removed (stopping child processes that write into it). */
  private final List<Runnable> beforeCleanup = new java.util.concurrent.CopyOnWriteArrayList<>();

  private SweepFolder(Path dir) {
    this.dir = dir;
  }

  /** Checks (before any work) that {@code out} is absent, empty, or an earlier sweep's folder; creates it. */
  static SweepFolder open(Path out, Map<String, Path> protect) throws IOException {
    Path dir = out.toAbsolutePath().normalize();
    if (Files.isSymbolicLink(dir)) {
      throw new BadInputException("output folder " + out + " is a symbolic link; give a real folder");
    }
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new BadInputException("output " + out + " is not a folder; hwc will not replace it");
    }
    for (Map.Entry<String, Path> p : protect.entrySet()) {
      if (p.getValue() != null && p.getValue().toAbsolutePath().normalize().startsWith(dir)) {
        throw new BadInputException("output folder " + out + " is or contains " + p.getKey() + " (" + p.getValue()
            + "); choose a folder of its own");
      }
    }
    if (dir.equals(Path.of("").toAbsolutePath()) || dir.equals(Path.of(System.getProperty("user.home")))
        || dir.getParent() == null) {
      throw new BadInputException("output folder " + out + " is the current, home or root folder; choose a folder of its own");
    }
    if (Files.isDirectory(dir)) {
      boolean empty;
      try (Stream<Path> s = Files.list(dir)) {
        empty = s.findAny().isEmpty();
      }
      if (!empty && !Files.isRegularFile(dir.resolve(MARK), LinkOption.NOFOLLOW_LINKS)) {
        throw new BadInputException("output folder " + out + " exists and is not a sweep's folder (it has no " + MARK
            + "); choose another folder");
      }
    }
    Files.createDirectories(dir);
    if (!Files.exists(dir.resolve(MARK))) {
      Files.writeString(dir.resolve(MARK), "hwc sweep folder: cache/ holds finished candidates; results are replaced whole\n");
    }
    SweepFolder f = new SweepFolder(dir);
    f.cleanStale();
    return f;
  }

  Path dir() {
    return dir;
  }

  /** A cached entry's bytes, if there. */
  Optional<byte[]> cached(String key) throws IOException {
    Path p = dir.resolve("cache").resolve(key + ".json");
    return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Optional.of(Files.readAllBytes(p)) : Optional.empty();
  }

  /** Writes a cache entry whole (beside its name, then renamed). */
  void cache(String key, byte[] content) throws IOException {
    Path cache = Files.createDirectories(dir.resolve("cache"));
    Path part = cache.resolve("." + key + ".part-" + ProcessHandle.current().pid());
    Files.write(part, content);
    Files.move(part, cache.resolve(key + ".json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A scratch folder inside the sweep's folder (artifacts being timed), removed with the staging. */
  Path work() throws IOException {
    return Files.createDirectories(stage().resolve(".work"));
  }

  /** The staging folder for the results, created once. */
  synchronized Path stage() throws IOException {
    if (staging == null) {
      staging = Files.createDirectory(dir.resolve(".staging-" + ProcessHandle.current().pid() + "-"
          + Long.toUnsignedString(System.nanoTime(), 36)));
      hook = new Thread(() -> {
        try {
          close();
        } catch (IOException e) {
          System.err.println("hwc: could not remove " + staging + ": " + e.getMessage());
        }
      }, "hwc-sweep-cleanup");
      Runtime.getRuntime().addShutdownHook(hook);
    }
    return staging;
  }

  /** Moves the staged results into place, replacing an earlier sweep's; sweep.json last. */
  synchronized void commit() throws IOException {
    OutputStaging.deleteRecursively(staging.resolve(".work"));
    Path old = dir.resolve(".old-" + ProcessHandle.current().pid());
    Files.createDirectories(old);
    for (String name : RESULTS) {
      if (Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
        Files.move(dir.resolve(name), old.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      }
    }
    for (String name : RESULTS) {
      if (Files.exists(staging.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
        Files.move(staging.resolve(name), dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      }
    }
    OutputStaging.deleteRecursively(old);
    OutputStaging.deleteRecursively(staging);
    staging = null;
  }

  /** Runs {@code r} before the staging folder is removed (on close, failure or SIGINT/SIGTERM). */
  void beforeCleanup(Runnable r) {
    beforeCleanup.add(r);
  }

  @Override
  public void close() throws IOException {
    beforeCleanup.forEach(Runnable::run); // not under the lock: a child's stop may take a moment
    beforeCleanup.clear();
    remove();
  }

  private synchronized void remove() throws IOException {
    if (staging != null) {
      OutputStaging.deleteRecursively(staging);
      staging = null;
    }
    if (hook != null && Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down: the hook runs
      }
      hook = null;
    }
  }

  /** Removes staging, partial cache files and set-aside results of runs whose process is gone. */
  private void cleanStale() throws IOException {
    for (Path base : List.of(dir, dir.resolve("cache"))) {
      if (!Files.isDirectory(base)) {
        continue;
      }
      try (Stream<Path> s = Files.list(base)) {
        for (Path p : s.toList()) {
          String n = p.getFileName().toString();
          java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\.(?:staging|old)-(\\d+).*|\\..*\\.part-(\\d+)")
              .matcher(n);
          if (m.matches()) {
            String pid = m.group(1) != null ? m.group(1) : m.group(2);
            if (ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false)) {
              continue;
            }
            OutputStaging.deleteRecursively(p);
          }
        }
      }
    }
  }
}

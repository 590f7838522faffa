package dev.hwc.build;

import dev.hwc.common.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where a build writes: a staging folder beside the output folder, moved into place whole only when
 * every step succeeded (so a failed build leaves nothing behind, and an existing folder is replaced
 * only when asked); or, for an in-memory build, a temporary folder that is always deleted. This is
 * the one place that touches the user's output folder.
 */
final class OutputStaging implements AutoCloseable {
  private final Path target;
  private final Path staging;

  private OutputStaging(Path target, Path staging) {
    this.target = target;
    this.staging = staging;
  }

  /** Refuses an existing output folder unless {@code replace}; nothing is created yet. */
  static void check(Path output, boolean replace) {
    if (output != null && Files.exists(output.toAbsolutePath().normalize()) && !replace) {
      throw new BadInputException("output folder " + output + " exists; pass --force to replace it");
    }
  }

  /** A staging folder beside {@code output}, or a temporary folder when output is null (nothing written). */
  static OutputStaging open(Path output) throws IOException {
    if (output == null) {
      return new OutputStaging(null, Files.createTempDirectory("hwc-build-"));
    }
    Path target = output.toAbsolutePath().normalize();
    Files.createDirectories(target.getParent());
    return new OutputStaging(target, Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp-"));
  }

  /** The folder to write into. */
  Path dir() {
    return staging;
  }

  /** Whether the build writes an output folder. */
  boolean writes() {
    return target != null;
  }

  /** Moves the staged folder into place (replacing an existing one); nothing for an in-memory build. */
  void commit() throws IOException {
    if (target == null) {
      return;
    }
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

  /** Deletes what is left of the staging folder (all of it when not committed). */
  @Override
  public void close() throws IOException {
    deleteRecursively(staging);
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

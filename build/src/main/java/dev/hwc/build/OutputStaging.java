package dev.hwc.build;

import dev.hwc.common.OutputFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a build writes: the user's output folder through {@link OutputFolder} (checked before any work,
 * written in a staging folder beside it and moved into place whole only when every step succeeded, never
 * replacing what hwc did not write), or, for an in-memory build, a temporary folder that is always
 * deleted. This is the one place in the build that touches the user's output folder.
 */
final class OutputStaging implements AutoCloseable {
  private final OutputFolder folder;
  private Path temp;

  private OutputStaging(OutputFolder folder) {
    this.folder = folder;
  }

  /**
   * Checks, before any work, that {@code output} may be written ({@link OutputFolder#check}); nothing is
   * created yet. A null output is an in-memory build.
   *
   * @param protect folders the output must never be or contain, keyed by what they are
   */
  static OutputStaging check(Path output, boolean replace, Map<String, Path> protect) throws IOException {
    return new OutputStaging(output == null ? null : OutputFolder.check(output, replace, protect));
  }

  /** The folder to write into, created on first use. */
  Path dir() throws IOException {
    if (folder != null) {
      return folder.stage();
    }
    if (temp == null) {
      temp = Files.createTempDirectory("hwc-build-");
    }
    return temp;
  }

  /** Whether the build writes an output folder. */
  boolean writes() {
    return folder != null;
  }

  /** Moves the staged folder into place (replacing an old hwc folder); nothing for an in-memory build. */
  void commit() throws IOException {
    if (folder != null) {
      folder.commit();
    }
  }

  /** Deletes what is left of the staging folder (all of it when not committed). */
  @Override
  public void close() throws IOException {
    if (folder != null) {
      folder.close();
    }
    if (temp != null) {
      deleteRecursively(temp);
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

package dev.hwc.cli.fuzz;

import dev.hwc.common.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The property every fuzz target checks: a reader given any bytes either returns a result or throws a
 * {@link BadInputException} whose message is one non-blank line once printed; any other exception (or
 * error) escapes and is a finding. Hangs are caught by the per-input time limit (JUnit's @Timeout in the
 * regression run, libFuzzer's -timeout in bench/fuzz.sh), memory by the JVM's -Xmx.
 */
final class FuzzProperty {
  private FuzzProperty() {}

  interface Body {
    void run() throws Exception;
  }

  /** Runs {@code body}; a bad-input refusal must carry a usable message, anything else is rethrown. */
  static void resultOrBadInput(Body body) {
    try {
      body.run();
    } catch (BadInputException e) {
      String m = e.getMessage();
      if (m == null || m.isBlank()) {
        throw new AssertionError("BadInputException without a message", e);
      }
      String printed = dev.hwc.common.SafeFiles.printable(m.replace('\n', ' ').replace('\r', ' '));
      if (printed.lines().count() != 1) {
        throw new AssertionError("message is not one line once printed: " + printed, e);
      }
    } catch (IOException e) {
      // an IOException that is not a BadInputException leaks to the user as an internal error
      throw new UncheckedIOException("reader threw a plain IOException", e);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("reader threw " + e, e);
    }
  }

  /** A fresh folder under the system temp folder, removed when the JVM exits. */
  static Path tempDir(String prefix) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteQuietly(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }

  static void write(Path file, byte[] data) {
    try {
      Files.write(file, data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package dev.hwc.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium (Debian's {@code chromium} package, or {@code $HWC_CHROMIUM}) for the envelope
 * page's PNG and its browser test: {@code --screenshot} and {@code --dump-dom} on a file URL, in a
 * throwaway profile folder (nothing written to the user's home), with the sandbox off when running as
 * root (Chromium refuses root otherwise).
 */
public final class Chromium {
  private final Path exe;

  private Chromium(Path exe) {
    this.exe = exe;
  }

  /** The browser on PATH (chromium, chromium-browser, google-chrome) or $HWC_CHROMIUM. */
  public static Optional<Chromium> find() {
    List<String> names = new ArrayList<>();
    String env = System.getenv("HWC_CHROMIUM");
    if (env != null && !env.isBlank()) {
      names.add(env);
    }
    names.addAll(List.of("chromium", "chromium-browser", "google-chrome"));
    for (String n : names) {
      Path p = Path.of(n);
      if (p.isAbsolute() && Files.isExecutable(p)) {
        return Optional.of(new Chromium(p));
      }
      for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
        Path q = Path.of(dir, n);
        if (Files.isExecutable(q)) {
          return Optional.of(new Chromium(q));
        }
      }
    }
    return Optional.empty();
  }

  /** What a run printed: the DOM (for --dump-dom) and the browser's log (console messages included). */
  public record Output(String stdout, String stderr) {}

  /** Writes a PNG of the page at width x height. */
  public Output screenshot(Path page, Path png, int width, int height) throws IOException {
    Output o = run(List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
        "--hide-scrollbars"), page.toUri() + "");
    if (!Files.isRegularFile(png) || Files.size(png) == 0) {
      throw new IOException("chromium wrote no screenshot: " + last(o.stderr()));
    }
    return o;
  }

  /** The page's DOM after its scripts ran; {@code fragment} (e.g. "step=3") is appended as the URL's #. */
  public Output dumpDom(Path page, String fragment) throws IOException {
    return run(List.of("--dump-dom"), page.toUri() + (fragment == null ? "" : "#" + fragment));
  }

  private Output run(List<String> args, String url) throws IOException {
    Path profile = Files.createTempDirectory("hwc-chromium-");
    Path out = profile.resolve("stdout");
    Path err = profile.resolve("stderr");
    try {
      List<String> cmd = new ArrayList<>(List.of(exe.toString(), "--headless", "--disable-gpu", "--no-first-run",
          "--no-default-browser-check", "--disable-extensions", "--user-data-dir=" + profile.resolve("p"),
          "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000"));
      if ("root".equals(System.getProperty("user.name"))) {
        cmd.add("--no-sandbox");
      }
      cmd.addAll(args);
      cmd.add(url);
      Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("chromium did not finish in 90 s");
      }
      return new Output(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      OutputStaging.deleteRecursively(profile);
    }
  }

  private static String last(String s) {
    List<String> l = s.lines().filter(x -> !x.isBlank()).toList();
    return l.isEmpty() ? "(no output)" : l.get(l.size() - 1);
  }
}

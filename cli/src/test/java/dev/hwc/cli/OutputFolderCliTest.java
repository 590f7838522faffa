package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hwc build -o}: nothing the user had is touched, nothing is left behind, also when the build is
 * killed. The new-user scenarios run as a user would: a copy of examples/welllog, real child JVMs.
 */
class OutputFolderCliTest {
  @TempDir Path dir;

  @Test
  void forceIntoTheModelsOwnFolderRefusesInOneLineAndLeavesItByteIdentical() throws Exception {
    Path wl = copyExample(dir.resolve("wl"));
    Map<String, String> before = snapshot(wl);
    assertTrue(before.containsKey("train.sh") && before.containsKey("calib/strips.npz"), before.keySet().toString());
    for (String out : List.of(wl.toString(), wl.resolve("calib").toString(), dir.toString())) {
      CliTest.Result r = CliTest.hwc("build", "--target", "x86-int8", wl.resolve("welllog.onnx").toString(), "-o", out,
          "--force");
      assertEquals(2, r.code(), r.out() + r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertTrue(r.err().contains("the model's folder") || r.err().contains("the calibration folder"), r.err());
      assertEquals(before, snapshot(wl), "the example folder must be byte-identical after -o " + out);
    }
  }

  @Test
  void rebuildingIntoHwcsOwnFolderWithForceReplacesIt() throws Exception {
    Path out = dir.resolve("out");
    assertEquals(0, CliTest.hwc("build", "--target", "x86-fp32", "-o", out.toString()).code());
    assertTrue(Files.isRegularFile(out.resolve(".hwc-manifest.json")));
    // the umask's permissions, not a temporary folder's 0700
    assertEquals(Files.getPosixFilePermissions(Files.createDirectory(dir.resolve("plain"))),
        Files.getPosixFilePermissions(out));
    Files.delete(dir.resolve("plain"));
    CliTest.Result again = CliTest.hwc("build", "--target", "x86-fp32", "-o", out.toString(), "--force");
    assertEquals(0, again.code(), again.err());
    try (var s = Files.list(dir)) {
      assertEquals(List.of(out), s.toList());
    }
  }

  @Test
  void aFileOrADanglingLinkAsOutputIsOneLineAndExit2() throws Exception {
    Path file = Files.writeString(dir.resolve("afile.txt"), "keep me");
    CliTest.Result r = CliTest.hwc("build", "--target", "x86-fp32", "-o", file.toString(), "--force");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("is a file, not a folder"), r.err());
    assertEquals("keep me", Files.readString(file));
    Path link = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("gone"));
    CliTest.Result d = CliTest.hwc("build", "--target", "x86-fp32", "-o", link.toString());
    assertEquals(2, d.code(), d.err());
    assertEquals(1, d.err().strip().lines().count(), d.err());
    assertTrue(d.err().contains("which does not exist"), d.err());
    assertTrue(Files.isSymbolicLink(link));
  }

  @Test
  void forceIntoTheCurrentFolderRefusesAndKeepsItsFilesAndMode() throws Exception {
    Path work = Files.createDirectories(dir.resolve("work"));
    Files.writeString(work.resolve("unrelated.txt"), "mine");
    var mode = Files.getPosixFilePermissions(work);
    Process p = hwcChild(work, "build", "--target", "x86-fp32", "-o", ".", "--force").start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, p.waitFor(), err);
    assertTrue(err.contains("is the current folder"), err);
    assertEquals("mine", Files.readString(work.resolve("unrelated.txt")));
    assertEquals(mode, Files.getPosixFilePermissions(work));
    assertEquals(List.of("tmp", "unrelated.txt"), names(work));
  }

  @Test
  void sigintAndSigtermMidBuildLeaveNothingBehind() throws Exception {
    for (String signal : List.of("INT", "TERM")) {
      Path work = Files.createDirectories(dir.resolve(signal));
      Process p = hwcChild(work, "build", "--target", "x86-int8", "--bench-seconds", "0", "-o", "out")
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      Path staged = awaitStaging(p, work);
      assertTrue(p.isAlive(), "the build ended before it could be killed");
      new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "hwc did not exit on SIG" + signal);
      assertFalse(Files.exists(staged), staged + " left after SIG" + signal);
      assertEquals(List.of("tmp"), names(work), "SIG" + signal + " left files beside the output");
      assertEquals(List.of(), names(work.resolve("tmp")), "SIG" + signal + " left temporary files");
    }
  }

  @Test
  void theNextBuildRemovesTheStagingFolderOfAKilledOne() throws Exception {
    Path work = Files.createDirectories(dir.resolve("w"));
    Process p = hwcChild(work, "build", "--target", "x86-int8", "--bench-seconds", "0", "-o", "out")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    Path staged = awaitStaging(p, work);
    p.destroyForcibly(); // SIGKILL: no shutdown hook runs
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertTrue(Files.exists(staged));
    CliTest.Result r = CliTest.hwc("build", "--target", "x86-fp32", "-o", work.resolve("out").toString());
    assertEquals(0, r.code(), r.err());
    assertFalse(Files.exists(staged), "the dead build's staging folder is removed");
    assertTrue(names(work).contains("out") && names(work).stream().noneMatch(n -> n.contains("hwc-staging")));
  }

  /** Waits until the child's staging folder holds its first work file. */
  private static Path awaitStaging(Process p, Path work) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until && p.isAlive()) {
      try (Stream<Path> s = Files.list(work)) {
        for (Path q : s.toList()) {
          if (q.getFileName().toString().startsWith(".out.hwc-staging-") && Files.exists(q.resolve(".work/fp32.onnx"))) {
            return q;
          }
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no staging folder appeared; child alive: " + p.isAlive());
  }

  /** hwc in a child JVM, in {@code cwd}, with its temporary files in cwd/tmp and its caches in dir/cache. */
  private ProcessBuilder hwcChild(Path cwd, String... args) throws IOException {
    Path tmp = Files.createDirectories(cwd.resolve("tmp"));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx2g", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), Hwc.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
    pb.environment().put("TMPDIR", tmp.toString());
    pb.environment().put("ORT_DISABLE_TELEMETRY", "1"); // as the ./hwc launcher sets it
    pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
    return pb;
  }

  private static List<String> names(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** examples/welllog of this repository, copied as a new user would. */
  static Path copyExample(Path to) throws IOException {
    Path from = Path.of("").toAbsolutePath();
    while (!Files.isDirectory(from.resolve("examples/welllog"))) {
      from = from.getParent();
    }
    Path src = from.resolve("examples/welllog");
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : s.toList()) {
        Path q = to.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    return to;
  }

  /** Every entry under a folder: bytes of files, permissions of folders and files. */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        String perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS).toString();
        m.put(root.relativize(p).toString(), Files.isDirectory(p) ? "dir " + perms
            : perms + " " + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(p))));
      }
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return m;
  }
}

package dev.hwc.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every rule of {@link OutputFolder}, and real child JVMs killed mid-write. */
class OutputFolderTest {
  @TempDir Path dir;

  /** Stages, writes one file, commits. */
  private static void write(Path out, boolean force, Map<String, Path> protect, String text) throws IOException {
    try (OutputFolder f = OutputFolder.check(out, force, protect)) {
      Path s = f.stage();
      Files.createDirectories(s.resolve("sub"));
      Files.writeString(s.resolve("sub/a.txt"), text);
      Files.writeString(s.resolve("report.json"), "{\"v\": \"" + text + "\"}");
      f.commit();
    }
  }

  /** Every file under a folder with its bytes, for byte-identical comparisons. */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        String key = root.relativize(p).toString();
        m.put(key, Files.isDirectory(p) ? "<dir " + Files.getPosixFilePermissions(p) + ">"
            : Files.isSymbolicLink(p) ? "<link>" : java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
      }
    }
    return m;
  }

  @Test
  void writesANewFolderWithItsManifestAndNothingBeside() throws Exception {
    Path out = dir.resolve("out");
    write(out, false, Map.of(), "one");
    assertEquals("one", Files.readString(out.resolve("sub/a.txt")));
    String manifest = Files.readString(out.resolve(OutputFolder.MANIFEST));
    assertTrue(manifest.contains("\"path\": \"sub/a.txt\", \"bytes\": 3"), manifest);
    assertTrue(manifest.contains("\"path\": \"report.json\""), manifest);
    assertEquals(2, OutputFolder.parseManifest(manifest).size());
    try (var s = Files.list(dir)) {
      assertEquals(List.of(out), s.toList(), "no staging or old folder left beside it");
    }
  }

  @Test
  void foldersGetTheUmasksPermissionsNot0700() throws Exception {
    Path out = dir.resolve("perm");
    write(out, false, Map.of(), "x");
    Set<PosixFilePermission> p = Files.getPosixFilePermissions(out);
    Path plain = Files.createDirectory(dir.resolve("plain")); // what the umask gives any folder
    assertEquals(Files.getPosixFilePermissions(plain), p);
    assertTrue(p.contains(PosixFilePermission.OTHERS_READ) || !Files.getPosixFilePermissions(plain)
        .contains(PosixFilePermission.OTHERS_READ), p.toString());
  }

  @Test
  void replacesItsOwnFolderWithForceOnly() throws Exception {
    Path out = dir.resolve("out");
    write(out, false, Map.of(), "one");
    BadInputException e = assertThrows(BadInputException.class, () -> write(out, false, Map.of(), "two"));
    assertTrue(e.getMessage().contains("exists; pass --force"), e.getMessage());
    assertEquals("one", Files.readString(out.resolve("sub/a.txt")));
    write(out, true, Map.of(), "two");
    assertEquals("two", Files.readString(out.resolve("sub/a.txt")));
    try (var s = Files.list(dir)) {
      assertEquals(List.of(out), s.toList());
    }
  }

  @Test
  void anEmptyFolderIsReplacedByOneRename() throws Exception {
    Path out = Files.createDirectory(dir.resolve("empty"));
    write(out, false, Map.of(), "one");
    assertEquals("one", Files.readString(out.resolve("sub/a.txt")));
  }

  @Test
  void neverReplacesAFolderHwcDidNotWriteEvenWithForce() throws Exception {
    Path mine = Files.createDirectories(dir.resolve("mine"));
    Files.writeString(mine.resolve("notes.txt"), "mine");
    Map<String, String> before = snapshot(mine);
    BadInputException e = assertThrows(BadInputException.class, () -> write(mine, true, Map.of(), "x"));
    assertTrue(e.getMessage().contains("was not written by hwc"), e.getMessage());
    assertEquals(before, snapshot(mine));
  }

  @Test
  void aFileAddedOrChangedInAnHwcFolderMakesItTheUsers() throws Exception {
    Path out = dir.resolve("out");
    write(out, false, Map.of(), "one");
    Files.writeString(out.resolve("added.txt"), "mine");
    BadInputException added = assertThrows(BadInputException.class, () -> write(out, true, Map.of(), "two"));
    assertTrue(added.getMessage().contains("'added.txt', which hwc did not write"), added.getMessage());
    Files.delete(out.resolve("added.txt"));
    Files.writeString(out.resolve("sub/a.txt"), "edited");
    BadInputException changed = assertThrows(BadInputException.class, () -> write(out, true, Map.of(), "two"));
    assertTrue(changed.getMessage().contains("'sub/a.txt', which changed"), changed.getMessage());
    Files.writeString(out.resolve("sub/a.txt"), "one");
    Files.createDirectory(out.resolve("extra"));
    BadInputException dirAdded = assertThrows(BadInputException.class, () -> write(out, true, Map.of(), "two"));
    assertTrue(dirAdded.getMessage().contains("'extra/'"), dirAdded.getMessage());
    Files.delete(out.resolve("extra"));
    Files.createSymbolicLink(out.resolve("link"), dir);
    BadInputException link = assertThrows(BadInputException.class, () -> write(out, true, Map.of(), "two"));
    assertTrue(link.getMessage().contains("'link'"), link.getMessage());
    Files.delete(out.resolve("link"));
    Files.delete(out.resolve("report.json"));
    BadInputException lacks = assertThrows(BadInputException.class, () -> write(out, true, Map.of(), "two"));
    assertTrue(lacks.getMessage().contains("lacks 'report.json'"), lacks.getMessage());
    assertEquals("one", Files.readString(out.resolve("sub/a.txt")));
  }

  @Test
  void aForgedOrGarbledManifestDoesNotMakeAFolderHwcs() throws Exception {
    Path out = Files.createDirectories(dir.resolve("forged"));
    Files.writeString(out.resolve(OutputFolder.MANIFEST), "{\"writer\": \"hwc\"}");
    Files.writeString(out.resolve("data.csv"), "1,2");
    assertThrows(BadInputException.class, () -> write(out, true, Map.of(), "x"));
    assertEquals("1,2", Files.readString(out.resolve("data.csv")));
    assertEquals(null, OutputFolder.parseManifest("{\n  \"writer\": \"hwc\",\n  \"manifest\": 1,\n  \"note\": \"\",\n"
        + "  \"files\": [\n    {\"path\": \"../x\", \"bytes\": 1, \"sha256\": \"" + "0".repeat(64) + "\"}\n  ]\n}\n"));
  }

  @Test
  void refusesTheProtectedFoldersAndWhatContainsThem() throws Exception {
    Path models = Files.createDirectories(dir.resolve("proj/models"));
    Files.writeString(models.resolve("m.onnx"), "model");
    Map<String, Path> protect = Map.of("the model's folder", models);
    Map<String, String> before = snapshot(dir);
    for (Path out : List.of(models, dir.resolve("proj"), dir, Path.of("/"), Path.of(""), Path.of("."),
        Path.of(System.getProperty("user.home")), dir.resolve("proj/models/.."))) {
      BadInputException e = assertThrows(BadInputException.class, () -> write(out, true, protect, "x"), out.toString());
      assertTrue(e.getMessage().matches(".*(is|contains) (the model's folder|the current folder|your home folder|the root).*"),
          e.getMessage());
      assertEquals(1, e.getMessage().lines().count());
    }
    assertEquals(before, snapshot(dir));
    // a folder inside the model's folder is fine
    write(models.resolve("out"), false, protect, "ok");
    assertEquals("ok", Files.readString(models.resolve("out/sub/a.txt")));
  }

  @Test
  void aSymlinkToAProtectedFolderIsRefusedToo() throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    Path link = Files.createSymbolicLink(dir.resolve("alias"), models);
    BadInputException e = assertThrows(BadInputException.class,
        () -> write(link, true, Map.of("the model's folder", models), "x"));
    assertTrue(e.getMessage().contains("the model's folder"), e.getMessage());
  }

  @Test
  void refusesToReplaceAFileOrWriteThroughALink() throws Exception {
    Path file = Files.writeString(dir.resolve("afile.txt"), "keep");
    BadInputException f = assertThrows(BadInputException.class, () -> write(file, true, Map.of(), "x"));
    assertTrue(f.getMessage().contains("is a file, not a folder"), f.getMessage());
    assertEquals("keep", Files.readString(file));
    Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
    BadInputException d = assertThrows(BadInputException.class, () -> write(dangling, true, Map.of(), "x"));
    assertTrue(d.getMessage().contains("symbolic link to " + dir.resolve("nowhere") + ", which does not exist"),
        d.getMessage());
    assertFalse(Files.exists(dir.resolve("nowhere")));
    Path target = Files.createDirectories(dir.resolve("real"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    assertThrows(BadInputException.class, () -> write(link, true, Map.of(), "x"));
    assertTrue(Files.isSymbolicLink(link));
    BadInputException parent = assertThrows(BadInputException.class,
        () -> write(file.resolve("sub"), true, Map.of(), "x"));
    assertTrue(parent.getMessage().contains("is not a folder"), parent.getMessage());
  }

  @Test
  void aFailedBuildLeavesNothingAndTheOldFolderIntact() throws Exception {
    Path out = dir.resolve("out");
    write(out, false, Map.of(), "one");
    Map<String, String> before = snapshot(out);
    try (OutputFolder f = OutputFolder.check(out, true, Map.of())) {
      Files.writeString(f.stage().resolve("half.onnx"), "half");
      // the build fails here: no commit
    }
    assertEquals(before, snapshot(out));
    try (var s = Files.list(dir)) {
      assertEquals(List.of(out), s.toList());
    }
  }

  @Test
  void aFolderThatChangesDuringTheBuildIsCheckedAgainBeforeTheSwap() throws Exception {
    Path out = dir.resolve("out");
    write(out, false, Map.of(), "one");
    try (OutputFolder f = OutputFolder.check(out, true, Map.of())) {
      Files.writeString(f.stage().resolve("report.json"), "new");
      Files.writeString(out.resolve("mine.txt"), "written meanwhile");
      assertThrows(BadInputException.class, f::commit);
    }
    assertEquals("written meanwhile", Files.readString(out.resolve("mine.txt")));
    try (var s = Files.list(dir)) {
      assertEquals(List.of(out), s.toList());
    }
  }

  @Test
  void sigtermAndSigintRemoveTheStagingFolder() throws Exception {
    for (String signal : List.of("TERM", "INT")) {
      Path parent = Files.createDirectories(dir.resolve(signal));
      Process p = child(parent.resolve("out"));
      Path staging = awaitStaged(p);
      assertTrue(Files.exists(staging.resolve(".work/candidate-1.onnx")));
      signal(p, signal);
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "child did not exit on SIG" + signal);
      assertEquals(List.of(), list(parent), "SIG" + signal + " left " + list(parent));
    }
  }

  @Test
  void aStagingFolderOfAKilledRunIsRemovedByTheNextRun() throws Exception {
    Path out = dir.resolve("out");
    Process p = child(out);
    Path staging = awaitStaged(p);
    p.destroyForcibly(); // SIGKILL: no hook runs
    assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    assertTrue(Files.exists(staging), "SIGKILL leaves the staging folder");
    // a live run's staging folder is left alone
    Path live = Files.createDirectory(dir.resolve(".out.hwc-staging-" + ProcessHandle.current().pid() + "-abc"));
    write(out, false, Map.of(), "next");
    assertFalse(Files.exists(staging), "the next run removes the dead run's staging folder");
    assertTrue(Files.exists(live));
    assertEquals("next", Files.readString(out.resolve("sub/a.txt")));
  }

  @Test
  void anOldFolderRenamedAsideByAKilledRunIsPutBack() throws Exception {
    Path out = dir.resolve("out");
    write(out, false, Map.of(), "one");
    Map<String, String> before = snapshot(out);
    // what a run killed between the two renames of the swap leaves: no target, the old one aside
    Path aside = dir.resolve(".out.hwc-old-" + deadPid() + "-zz");
    Files.move(out, aside);
    write(dir.resolve("other"), false, Map.of(), "unrelated"); // another target: not its business
    assertTrue(Files.exists(aside));
    try (OutputFolder f = OutputFolder.check(out, true, Map.of())) {
      assertEquals(before, snapshot(out));
    }
    assertFalse(Files.exists(aside));
  }

  @Test
  void aChildThatCommitsLeavesOnlyTheFolder() throws Exception {
    Path out = dir.resolve("out");
    Process p = new ProcessBuilder(javaCmd(out, "commit")).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), text);
    assertEquals(List.of(out), list(dir));
    assertTrue(Files.exists(out.resolve(".work/candidate-1.onnx")));
  }

  @Test
  void addFilesAddsWholeFilesAndNeverReplacesOne() throws Exception {
    Path lab = dir.resolve("lab/runs");
    List<Path> w = OutputFolder.addFiles(lab, Map.of("a.json", "{}".getBytes(StandardCharsets.UTF_8)));
    assertEquals(List.of(lab.resolve("a.json")), w);
    Set<PosixFilePermission> plain = Files.getPosixFilePermissions(Files.createDirectory(dir.resolve("plain")));
    assertEquals(plain, Files.getPosixFilePermissions(lab));
    Map<String, byte[]> again = new java.util.LinkedHashMap<>();
    again.put("b.md", "b".getBytes(StandardCharsets.UTF_8));
    again.put("a.json", "new".getBytes(StandardCharsets.UTF_8));
    BadInputException e = assertThrows(BadInputException.class, () -> OutputFolder.addFiles(lab, again));
    assertTrue(e.getMessage().contains("a.json exists; hwc does not overwrite it"), e.getMessage());
    assertEquals("{}", Files.readString(lab.resolve("a.json")));
    assertEquals(List.of(lab.resolve("a.json")), list(lab), "nothing of the failed call is left");
    Path file = Files.writeString(dir.resolve("f.txt"), "keep");
    assertTrue(assertThrows(BadInputException.class, () -> OutputFolder.checkAddable(file)).getMessage()
        .contains("is a file, not a folder"));
    Path dangling = Files.createSymbolicLink(dir.resolve("gone-link"), dir.resolve("gone"));
    assertTrue(assertThrows(BadInputException.class, () -> OutputFolder.addFiles(dangling, Map.of())).getMessage()
        .contains("which does not exist"));
    assertFalse(Files.exists(dir.resolve("gone")));
  }

  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    long pid = p.pid();
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    return pid;
  }

  private static List<Path> list(Path d) throws IOException {
    try (var s = Files.list(d)) {
      return s.toList();
    }
  }

  private static List<String> javaCmd(Path out, String... extra) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
        OutputFolderChild.class.getName(), out.toString()));
    cmd.addAll(List.of(extra));
    return cmd;
  }

  private static Process child(Path out) throws IOException {
    return new ProcessBuilder(javaCmd(out)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static Path awaitStaged(Process p) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    assertTrue(line != null && line.startsWith("staged "), "child said: " + line);
    return Path.of(line.substring("staged ".length()));
  }

  static void signal(Process p, String signal) throws Exception {
    Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
    assertEquals(0, k.waitFor());
  }
}

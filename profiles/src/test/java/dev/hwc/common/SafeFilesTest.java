package dev.hwc.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeFilesTest {
  @TempDir Path dir;

  private static boolean mkfifo(Path p) throws Exception {
    try {
      return new ProcessBuilder("mkfifo", p.toString()).start().waitFor() == 0;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void regularFilesWithinTheCapAreRead() throws Exception {
    Path f = dir.resolve("a.txt");
    Files.writeString(f, "hello");
    assertNull(SafeFiles.problem(f, 5));
    assertArrayEquals("hello".getBytes(), SafeFiles.readAllBytes(f, "cannot read", 5));
    assertEquals("hello", SafeFiles.readString(f, "cannot read", 100));
    Path link = dir.resolve("link.txt");
    Files.createSymbolicLink(link, f);
    assertEquals(f.toRealPath(), SafeFiles.requireRegular(link, "cannot read", 5));
  }

  @Test
  void overTheCapIsRefusedWithItsSize() throws Exception {
    Path f = dir.resolve("big.txt");
    Files.write(f, new byte[10]);
    BadInputException e = assertThrows(BadInputException.class, () -> SafeFiles.readAllBytes(f, "cannot read", 9));
    assertEquals("cannot read " + f + ": the file is 10 bytes; at most 9 bytes are read", e.getMessage());
  }

  @Test
  void aFifoIsNeverOpened() throws Exception {
    Path fifo = dir.resolve("x.npz");
    assumeTrue(mkfifo(fifo));
    // opening a FIFO for reading blocks until a writer comes: the check must come first
    BadInputException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> assertThrows(BadInputException.class, () -> SafeFiles.newInputStream(fifo, "cannot read", 100)));
    assertEquals("cannot read " + fifo + ": not a regular file (a FIFO); hwc reads only regular files", e.getMessage());
  }

  @Test
  void devicesAndLinksToThemAreRefused() throws Exception {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero));
    Path link = dir.resolve("p.yaml");
    Files.createSymbolicLink(link, zero);
    BadInputException e = assertThrows(BadInputException.class, () -> SafeFiles.readAllBytes(link, "bad profile", 1 << 20));
    assertEquals("bad profile " + link + ": not a regular file (a character device); hwc reads only regular files",
        e.getMessage());
  }

  @Test
  void symlinkLoopsDirectoriesAndMissingFilesAreOneLine() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    Files.createSymbolicLink(a, b);
    Files.createSymbolicLink(b, a);
    assertEquals("a symlink loop (too many levels of symbolic links)", SafeFiles.problem(a, 1));
    assertEquals("is a directory, not a file", SafeFiles.problem(dir, 1));
    assertEquals("no such file", SafeFiles.problem(dir.resolve("none"), 1));
    Path dangling = dir.resolve("dangling");
    Files.createSymbolicLink(dangling, dir.resolve("gone"));
    assertEquals("a symlink to a missing file", SafeFiles.problem(dangling, 1));
    Path file = dir.resolve("f");
    Files.writeString(file, "x");
    assertEquals("no such file (a path component is not a folder)", SafeFiles.problem(file.resolve("child"), 1));
  }

  @Test
  void malformedUtf8IsOneLine() throws Exception {
    Path f = dir.resolve("bin");
    Files.write(f, new byte[] {'a', (byte) 0xff, 'b'});
    BadInputException e = assertThrows(BadInputException.class, () -> SafeFiles.readString(f, "cannot read", 10));
    assertTrue(e.getMessage().endsWith("not UTF-8 text (a binary file?)"), e.getMessage());
  }

  @Test
  void overflowsAreBadInputNotArithmeticExceptions() {
    assertEquals(1L << 62, SafeFiles.elementCount(new long[] {1L << 31, 1L << 31}, "input 'x'"));
    BadInputException e = assertThrows(BadInputException.class,
        () -> SafeFiles.elementCount(new long[] {1L << 32, 1L << 32, 1L << 32}, "input 'x'"));
    assertTrue(e.getMessage().startsWith("input 'x''s element count is too large"), e.getMessage());
    assertThrows(BadInputException.class, () -> SafeFiles.add(Long.MAX_VALUE, 1, "MACs"));
    assertThrows(BadInputException.class, () -> SafeFiles.elementCount(new long[] {-1}, "x"));
  }

  @Test
  void controlCharactersArePrintedEscaped() {
    assertEquals("plain name", SafeFiles.printable("plain name"));
    assertEquals("x\\x1b[31mred\\x07", SafeFiles.printable("x\u001b[31mred\u0007"));
    assertEquals("a\\x0ab\\x0d", SafeFiles.printable("a\nb\r"));
    assertEquals("rtl\\u202eevil", SafeFiles.printable("rtl\u202eevil"));
    assertEquals("\\x9b", SafeFiles.printable("\u009b"));
    assertEquals("ünïcödé", SafeFiles.printable("ünïcödé"));
    assertTrue(SafeFiles.hasControl("\u0000"));
    assertFalse(SafeFiles.hasControl("tab-free"));
  }
}

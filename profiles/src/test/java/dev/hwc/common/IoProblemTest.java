package dev.hwc.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;

/** I/O failures in words: the file and the reason, never a Java class name. */
class IoProblemTest {
  @Test
  void namesTheFileAndTheReason() {
    assertEquals("/m/x.bin: Too many levels of symbolic links",
        IoProblem.describe(new FileSystemException("/m/x.bin", null, "Too many levels of symbolic links")));
    assertEquals("/d/a.npz: permission denied", IoProblem.describe(new AccessDeniedException("/d/a.npz")));
    assertEquals("/d/b: no such file or folder", IoProblem.describe(new NoSuchFileException("/d/b")));
    assertEquals("unexpected end of file", IoProblem.describe(new EOFException()));
    assertEquals("Unexpected end of ZLIB input stream",
        IoProblem.describe(new EOFException("Unexpected end of ZLIB input stream")));
    assertEquals("invalid END header", IoProblem.describe(new ZipException("invalid END header\nmore")));
    assertEquals("io", IoProblem.describe(new IOException()));
  }
}

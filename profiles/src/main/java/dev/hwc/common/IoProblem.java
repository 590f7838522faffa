package dev.hwc.common;

import java.io.EOFException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * An I/O failure in words for a one-line message: the file and what went wrong, without the Java
 * exception class ({@code java.io.EOFException: ...}) that means nothing to a user.
 */
public final class IoProblem {
  private IoProblem() {}

  /** E.g. "/data/x.npz: permission denied", "unexpected end of file", "Unexpected end of ZLIB input stream". */
  public static String describe(Throwable e) {
    if (e instanceof FileSystemException f) {
      String what = e instanceof NoSuchFileException ? "no such file or folder"
          : e instanceof AccessDeniedException ? "permission denied"
          : e instanceof NotDirectoryException ? "not a folder"
          : e instanceof FileAlreadyExistsException ? "already exists"
          : e instanceof DirectoryNotEmptyException ? "folder not empty"
          : f.getReason() != null ? f.getReason() : words(e);
      String file = f.getFile();
      return (file == null ? "" : file + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": ") + what;
    }
    String m = e.getMessage();
    if (m != null && !m.isBlank()) {
      return m.lines().findFirst().orElse(m);
    }
    return e instanceof EOFException ? "unexpected end of file" : words(e);
  }

  /** FooBarException -> "foo bar". */
  private static String words(Throwable e) {
    String n = e.getClass().getSimpleName().replaceAll("(Exception|Error)$", "");
    return n.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
  }
}

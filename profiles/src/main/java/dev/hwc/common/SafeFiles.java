package dev.hwc.common;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * The one way hwc opens a file it was given: a model, external data, {@code .npz/.npy} samples, a profile,
 * a price sheet, a lab plan. A file is read only when, after its symlinks are followed, it is a regular
 * file no larger than the caller's cap; the check is made on the attributes before anything is opened, so
 * a FIFO or a device ({@code /dev/zero}) is never opened and cannot block or flood the reader. The real
 * path is then opened without following links, and streams stop at the cap even if the file grows.
 * Every refusal is a one-line {@link BadInputException}: {@code WHAT PATH: REASON}.
 *
 * <p>It also holds the overflow-checked arithmetic the readers use for element counts and byte sizes, and
 * {@link #printable}, which escapes control characters in strings taken from user files before they are
 * printed.
 */
public final class SafeFiles {
  /** No cap beyond what one Java array holds. */
  public static final long ARRAY_MAX = Integer.MAX_VALUE - 8;

  private SafeFiles() {}

  /**
   * Why {@code file} may not be read, or null when it is a regular file (symlinks followed) of at most
   * {@code maxBytes}. Never opens the file.
   */
  public static String problem(Path file, long maxBytes) {
    if (file == null) {
      return "no file given";
    }
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return danglingLink(file) ? "a symlink to a missing file" : "no such file";
    } catch (AccessDeniedException e) {
      return "permission denied";
    } catch (NotDirectoryException e) {
      return "no such file (a path component is not a folder)";
    } catch (FileSystemException e) {
      return reason(e);
    } catch (IOException | SecurityException e) {
      return "cannot read (" + oneLine(e.getMessage()) + ")";
    }
    if (a.isDirectory()) {
      return "is a directory, not a file";
    }
    if (!a.isRegularFile()) {
      return "not a regular file (" + kind(file) + "); hwc reads only regular files";
    }
    if (a.size() > maxBytes) {
      return "the file is " + a.size() + " bytes; at most " + maxBytes + " bytes are read";
    }
    return null;
  }

  /** True when {@link #problem} has none. */
  public static boolean isReadable(Path file, long maxBytes) {
    return problem(file, maxBytes) == null;
  }

  /**
   * Checks {@code file} as {@link #problem} does and returns its real path (symlinks resolved); {@code what}
   * starts the message ("cannot read profile").
   */
  public static Path requireRegular(Path file, String what, long maxBytes) {
    String p = problem(file, maxBytes);
    if (p != null) {
      throw refused(what, file, p);
    }
    try {
      return file.toRealPath();
    } catch (FileSystemException e) {
      throw refused(what, file, reason(e));
    } catch (IOException e) {
      throw refused(what, file, "cannot read (" + oneLine(e.getMessage()) + ")");
    }
  }

  /** Opens a checked file for reading (its real path, links not followed). */
  public static FileChannel openChannel(Path file, String what, long maxBytes) {
    Path real = requireRegular(file, what, maxBytes);
    try {
      FileChannel ch = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
      if (ch.size() > maxBytes) {
        long size = ch.size();
        ch.close();
        throw refused(what, file, "the file is " + size + " bytes; at most " + maxBytes + " bytes are read");
      }
      return ch;
    } catch (FileSystemException e) {
      throw refused(what, file, reason(e));
    } catch (IOException e) {
      throw refused(what, file, "cannot read (" + oneLine(e.getMessage()) + ")");
    }
  }

  /** A stream over a checked file that ends with a one-line error if the file grows past {@code maxBytes}. */
  public static InputStream newInputStream(Path file, String what, long maxBytes) {
    FileChannel ch = openChannel(file, what, maxBytes);
    return new Capped(Channels.newInputStream(ch), maxBytes, what + " " + file);
  }

  /** All bytes of a checked file ({@code maxBytes} at most {@link #ARRAY_MAX}). */
  public static byte[] readAllBytes(Path file, String what, long maxBytes) {
    long cap = Math.min(maxBytes, ARRAY_MAX);
    try (InputStream in = newInputStream(file, what, cap)) {
      return in.readAllBytes();
    } catch (BadInputException e) {
      throw e;
    } catch (IOException e) {
      throw refused(what, file, "cannot read (" + oneLine(e.getMessage()) + ")");
    }
  }

  /** A checked file as strict UTF-8 text (a leading BOM is kept; malformed bytes are an error). */
  public static String readString(Path file, String what, long maxBytes) {
    byte[] bytes = readAllBytes(file, what, maxBytes);
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw refused(what, file, "not UTF-8 text (a binary file?)");
    }
  }

  /** {@code a * b}, or a one-line error naming {@code what} when it overflows a long. */
  public static long multiply(long a, long b, String what) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      throw new BadInputException(what + " is too large (" + a + " x " + b + " overflows 64 bits)");
    }
  }

  /** {@code a + b}, or a one-line error naming {@code what} when it overflows a long. */
  public static long add(long a, long b, String what) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      throw new BadInputException(what + " is too large (" + a + " + " + b + " overflows 64 bits)");
    }
  }

  /** The product of non-negative dims, or a one-line error naming {@code what} when it overflows. */
  public static long elementCount(long[] dims, String what) {
    long n = 1;
    for (long d : dims) {
      if (d < 0) {
        throw new BadInputException(what + " has a negative dim (" + d + ")");
      }
      n = multiply(n, d, what + "'s element count");
    }
    return n;
  }

  /**
   * {@code s} with control characters (C0, DEL, C1, line and paragraph separators, bidi overrides)
   * written as {@code \xNN} / {@code \\uNNNN}, so a name from a user file cannot move the cursor,
   * recolour the terminal or break a one-line message. Null stays "null".
   */
  public static String printable(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean bad = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029'
          || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
      if (bad && sb == null) {
        sb = new StringBuilder(s.length() + 8).append(s, 0, i);
      }
      if (sb != null) {
        if (!bad) {
          sb.append(c);
        } else if (c < 0x100) {
          sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
        } else {
          sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
        }
      }
    }
    return sb == null ? s : sb.toString();
  }

  /** True when {@code s} holds a character {@link #printable} would escape. */
  public static boolean hasControl(String s) {
    return s != null && !printable(s).equals(s);
  }

  private static BadInputException refused(String what, Path file, String reason) {
    return new BadInputException(what + " " + printable(String.valueOf(file)) + ": " + reason);
  }

  /** A short reason for a file-system error (ELOOP and friends) without Java's class names. */
  static String reason(FileSystemException e) {
    String r = e.getReason() == null ? "" : e.getReason();
    String low = r.toLowerCase(Locale.ROOT);
    if (low.contains("too many levels of symbolic links") || low.contains("symbolic link loop")) {
      return "a symlink loop (too many levels of symbolic links)";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NotDirectoryException || low.contains("not a directory")) {
      return "no such file (a path component is not a folder)";
    }
    return r.isEmpty() ? "cannot read" : "cannot read (" + oneLine(r) + ")";
  }

  private static boolean danglingLink(Path file) {
    return Files.isSymbolicLink(file);
  }

  /** "a FIFO", "a character device", ... from the Unix mode when the platform gives it. */
  private static String kind(Path file) {
    try {
      Object mode = Files.getAttribute(file, "unix:mode");
      if (mode instanceof Integer m) {
        switch (m & 0170000) {
          case 0010000: return "a FIFO";
          case 0020000: return "a character device";
          case 0060000: return "a block device";
          case 0140000: return "a socket";
          default: break;
        }
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
      // fall through to the generic word
    }
    return "a device, FIFO or socket";
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("[\\r\\n\\t]+", " ").strip();
  }

  /** Stops with a one-line error after {@code cap} bytes. */
  private static final class Capped extends FilterInputStream {
    private final long cap;
    private final String what;
    private long read;

    Capped(InputStream in, long cap, String what) {
      super(in);
      this.cap = cap;
      this.what = what;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      if (s > 0) {
        count(s);
      }
      return s;
    }

    private void count(long n) {
      read += n;
      if (read > cap) {
        throw new BadInputException(what + ": the file grew past " + cap + " bytes while it was read");
      }
    }
  }

  /** Parses a path given on a command line or in a file, with a one-line error. */
  public static Path path(String text, String what) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new BadInputException(what + " '" + printable(text) + "' is not a valid path: " + e.getReason());
    }
  }
}

package dev.hwc.compiler.onnx;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.hwc.common.BadInputException;
import dev.hwc.common.SafeFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads tensor bytes kept outside the model file (ONNX external data: keys {@code location},
 * {@code offset}, {@code length}). A location is trusted only when it is a relative path without
 * {@code ..} components that, after following symlinks, still lies inside the model's real folder,
 * and when its byte range lies inside the file. Opened files are cached until {@link #close()}.
 */
final class ExternalData implements Closeable {
  private final Path folder;
  private Path realFolder;
  private final Map<Path, FileChannel> open = new HashMap<>();

  /** @param folder the model's folder, or null when the model has none (external data refused) */
  ExternalData(Path folder) {
    this.folder = folder;
  }

  /** The tensor's bytes, exactly {@code expectedBytes} of them. */
  byte[] read(TensorProto t, String tensor, long expectedBytes) throws IOException {
    String location = null;
    long offset = 0;
    long length = -1;
    for (StringStringEntryProto e : t.getExternalDataList()) {
      switch (e.getKey()) {
        case "location" -> location = e.getValue();
        case "offset" -> offset = number(e.getValue(), "offset", tensor);
        case "length" -> length = number(e.getValue(), "length", tensor);
        default -> { } // checksum and future keys do not change where the bytes are
      }
    }
    if (location == null || location.isEmpty()) {
      throw new BadInputException("external data of tensor '" + tensor + "' has no location");
    }
    Path file = resolve(location, tensor);
    FileChannel ch = open.get(file);
    if (ch == null) {
      ch = SafeFiles.openChannel(file, "cannot read external data '" + location + "' of tensor '" + tensor + "' from", Long.MAX_VALUE);
      open.put(file, ch);
    }
    long size = ch.size();
    if (offset > size) { // before the length is derived from it: never a negative length in the message
      throw new BadInputException("external data '" + location + "' of tensor '" + tensor + "' is out of range: offset "
          + offset + " > file size " + size);
    }
    if (length < 0) {
      length = size - offset;
    }
    if (offset > size || length > size - offset) {
      throw new BadInputException(
          "external data '" + location + "' of tensor '" + tensor + "' is out of range: offset "
              + offset + (length < 0 ? "" : " + length " + length) + " > file size " + size);
    }
    if (length != expectedBytes) {
      throw new BadInputException(
          "external data '" + location + "' of tensor '" + tensor + "' has " + length
              + " bytes but the tensor's dims need " + expectedBytes);
    }
    if (length > Integer.MAX_VALUE - 8) {
      throw new BadInputException(
          "tensor '" + tensor + "' is too large (" + length + " bytes; at most 2 GiB per tensor)");
    }
    byte[] out = new byte[(int) length];
    ByteBuffer buf = ByteBuffer.wrap(out);
    long pos = offset;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new BadInputException(
            "external data '" + location + "' of tensor '" + tensor + "' ended early");
      }
      pos += n;
    }
    return out;
  }

  /** The location as a real path inside the model's real folder, or a one-line error. */
  private Path resolve(String location, String tensor) throws IOException {
    String what = "external data '" + location + "' of tensor '" + tensor + "'";
    if (folder == null) {
      throw new BadInputException(what + " cannot be read: the model has no folder");
    }
    if (location.indexOf('\0') >= 0) {
      throw new BadInputException(what + " has an invalid path");
    }
    boolean windowsAbsolute = location.length() > 1 && location.charAt(1) == ':';
    if (location.startsWith("/") || location.startsWith("\\") || windowsAbsolute) {
      throw new BadInputException(what + " escapes the model folder (absolute path)");
    }
    for (String part : location.split("[/\\\\]")) {
      if (part.equals("..")) {
        throw new BadInputException(what + " escapes the model folder ('..' in the path)");
      }
    }
    Path relative;
    try {
      relative = Path.of(location);
    } catch (InvalidPathException e) {
      throw new BadInputException(what + " has an invalid path");
    }
    if (relative.isAbsolute()) {
      throw new BadInputException(what + " escapes the model folder (absolute path)");
    }
    if (realFolder == null) {
      realFolder = folder.toRealPath();
    }
    Path real;
    try {
      real = realFolder.resolve(relative).toRealPath();
    } catch (NoSuchFileException e) {
      throw new BadInputException(what + " is missing from the model folder " + folder);
    } catch (FileSystemException e) {
      String problem = SafeFiles.problem(realFolder.resolve(relative), Long.MAX_VALUE);
      throw new BadInputException(what + " cannot be read: "
          + (problem != null ? problem : "cannot resolve the path (" + e.getReason() + ")"));
    }
    if (!real.startsWith(realFolder)) {
      throw new BadInputException(what + " escapes the model folder (a symlink leads outside)");
    }
    String problem = SafeFiles.problem(real, Long.MAX_VALUE);
    if (problem != null) {
      throw new BadInputException(what + " is not a regular file: " + problem);
    }
    return real;
  }

  private static long number(String v, String key, String tensor) {
    try {
      long n = Long.parseLong(v.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadInputException(
          "external data of tensor '" + tensor + "' has a bad " + key + " '" + v + "'");
    }
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (FileChannel ch : open.values()) {
      try {
        ch.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    open.clear();
    if (first != null) {
      throw first;
    }
  }
}

package dev.hwc.compiler.data;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.common.BadInputException;
import dev.hwc.common.SafeFiles;
import dev.hwc.compiler.ir.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's .npy and .npz files, the format calibration, eval and benchmark inputs come in: read into
 * and written from IR {@link Tensor}s. Little-endian, C order; format versions 1.0 to 3.0 are read,
 * 1.0 is written. Malformed files give a one-line {@link BadInputException} naming the file.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-z])(\\d+)'");
  private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
  /** Largest array hwc reads (2 GiB, the most a Java array holds). */
  private static final long MAX_BYTES = Integer.MAX_VALUE - 8;
  /** Largest .npy/.npz file opened (an .npz holds several arrays; it is read one entry at a time). */
  private static final long MAX_FILE_BYTES = 64L << 30;

  private Npy() {}

  /** Reads one .npy file. */
  public static Tensor read(Path file) throws IOException {
    try (InputStream in = SafeFiles.newInputStream(file, "cannot read", MAX_FILE_BYTES)) {
      return read(in, file.toString());
    }
  }

  /** Reads every array of an .npz archive, keyed by name (without ".npy"), in archive order. */
  public static Map<String, Tensor> readNpz(Path file) throws IOException {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (ZipInputStream zip = new ZipInputStream(SafeFiles.newInputStream(file, "cannot read", MAX_FILE_BYTES))) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        String name = e.getName();
        if (e.isDirectory() || !name.endsWith(".npy")) {
          continue;
        }
        out.put(name.substring(0, name.length() - 4), read(zip, file + ":" + name));
      }
    } catch (java.util.zip.ZipException e) {
      throw new BadInputException("cannot read " + file + ": not a valid .npz archive (" + e.getMessage() + ")");
    } catch (java.io.EOFException e) {
      throw new BadInputException("cannot read " + file + ": truncated .npz archive (it ends inside an entry)");
    } catch (IllegalArgumentException e) { // ZipInputStream's word for an entry name that is not UTF-8
      throw new BadInputException("cannot read " + file + ": not a valid .npz archive (an entry name is not UTF-8)");
    }
    if (out.isEmpty()) {
      throw new BadInputException("cannot read " + file + ": no .npy arrays inside (not an .npz archive?)");
    }
    return out;
  }

  /** Reads an .npy or .npz file: an .npy is keyed by its file name without extension. */
  public static Map<String, Tensor> readAny(Path file) throws IOException {
    String name = file.getFileName().toString();
    if (name.endsWith(".npz")) {
      return readNpz(file);
    }
    if (name.endsWith(".npy")) {
      return Map.of(name.substring(0, name.length() - 4), read(file));
    }
    throw new BadInputException(file + " is neither .npy nor .npz");
  }

  static Tensor read(InputStream in, String where) throws IOException {
    byte[] magic = in.readNBytes(8);
    if (magic.length < 8 || !java.util.Arrays.equals(java.util.Arrays.copyOf(magic, 6), MAGIC)) {
      throw new BadInputException("cannot read " + where + ": not an .npy file (bad magic)");
    }
    int major = magic[6];
    int headerLen;
    if (major == 1) {
      byte[] l = in.readNBytes(2);
      headerLen = l.length < 2 ? -1 : (l[0] & 0xff) | (l[1] & 0xff) << 8;
    } else if (major == 2 || major == 3) {
      byte[] l = in.readNBytes(4);
      headerLen = l.length < 4 ? -1 : ByteBuffer.wrap(l).order(ByteOrder.LITTLE_ENDIAN).getInt();
    } else {
      throw new BadInputException("cannot read " + where + ": .npy format version " + major + " is not supported");
    }
    if (headerLen < 0 || headerLen > 1 << 20) {
      throw new BadInputException("cannot read " + where + ": truncated or corrupt .npy header");
    }
    byte[] headerBytes = in.readNBytes(headerLen);
    if (headerBytes.length < headerLen) {
      throw new BadInputException("cannot read " + where + ": truncated .npy header");
    }
    String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header);
    Matcher o = ORDER.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !o.find() || !s.find()) {
      throw new BadInputException("cannot read " + where + ": .npy header lacks descr, fortran_order or shape");
    }
    if (o.group(1).equals("True")) {
      throw new BadInputException("cannot read " + where + ": Fortran-order arrays are not supported; save with np.ascontiguousarray");
    }
    if (d.group(1).equals(">")) {
      throw new BadInputException("cannot read " + where + ": big-endian arrays are not supported");
    }
    DType dtype = dtype(d.group(2), d.group(3), where); // the size as text: "f333..." must not overflow a parse
    long[] shape = parseShape(s.group(1), where);
    long n = 1;
    for (long dim : shape) {
      if (dim != 0 && n > MAX_BYTES / dim) { // checked before multiplying: no overflow, no negative size
        n = -1;
        break;
      }
      n *= dim;
    }
    if (n < 0 || n > MAX_BYTES / dtype.byteSize) {
      throw new BadInputException("cannot read " + where + ": array of shape " + Shape.format(shape) + " "
          + dtype.shortName() + " is too large (at most " + MAX_BYTES + " bytes per array)");
    }
    long bytes = n * dtype.byteSize;
    byte[] data = in.readNBytes((int) bytes);
    if (data.length < bytes) {
      throw new BadInputException("cannot read " + where + ": truncated data (" + data.length + " of " + bytes + " bytes)");
    }
    return Tensor.ofBytes(dtype, shape, data);
  }

  private static DType dtype(String kind, String size, String where) {
    String code = kind + (size.length() > 4 ? size.substring(0, 4) + "..." : size);
    switch (code) {
      case "f4": return DType.FLOAT;
      case "f8": return DType.DOUBLE;
      case "f2": return DType.FLOAT16;
      case "i8": return DType.INT64;
      case "i4": return DType.INT32;
      case "i2": return DType.INT16;
      case "i1": return DType.INT8;
      case "u1": return DType.UINT8;
      case "u2": return DType.UINT16;
      case "u4": return DType.UINT32;
      case "u8": return DType.UINT64;
      case "b1": return DType.BOOL;
      default:
        throw new BadInputException("cannot read " + where + ": numpy dtype '" + code + "' is not supported");
    }
  }

  private static long[] parseShape(String text, String where) {
    String t = text.trim();
    if (t.isEmpty()) {
      return new long[0];
    }
    String[] parts = t.split(",");
    java.util.List<Long> dims = new java.util.ArrayList<>();
    for (String p : parts) {
      if (!p.isBlank()) {
        try {
          long v = Long.parseLong(p.trim().replace("L", ""));
          if (v < 0) {
            throw new NumberFormatException();
          }
          dims.add(v);
        } catch (NumberFormatException e) {
          throw new BadInputException("cannot read " + where + ": bad shape (" + text + ")");
        }
      }
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  private static String descr(DType t) {
    switch (t) {
      case FLOAT: return "<f4";
      case DOUBLE: return "<f8";
      case FLOAT16: return "<f2";
      case INT64: return "<i8";
      case INT32: return "<i4";
      case INT16: return "<i2";
      case INT8: return "|i1";
      case UINT8: return "|u1";
      case UINT16: return "<u2";
      case UINT32: return "<u4";
      case UINT64: return "<u8";
      case BOOL: return "|b1";
      default: throw new IllegalArgumentException("no numpy dtype for " + t);
    }
  }

  /** Writes one array as .npy (format 1.0). */
  public static void write(Path file, Tensor t) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      write(out, t);
    }
  }

  /** Writes named arrays as an .npz archive (stored, like numpy.savez). */
  public static void writeNpz(Path file, Map<String, Tensor> arrays) throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        write(buf, e.getValue());
        ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
        entry.setTime(0); // deterministic archives
        zip.putNextEntry(entry);
        buf.writeTo(zip);
        zip.closeEntry();
      }
    }
  }

  static void write(OutputStream out, Tensor t) throws IOException {
    StringBuilder shape = new StringBuilder("(");
    for (long d : t.shape()) {
      shape.append(d).append(", ");
    }
    if (t.rank() > 1) {
      shape.setLength(shape.length() - 2);
    } else if (t.rank() == 1) {
      shape.setLength(shape.length() - 1);
    }
    shape.append(")");
    String header = "{'descr': '" + descr(t.dtype()) + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int total = 10 + header.length() + 1;
    int pad = (64 - total % 64) % 64;
    header = header + " ".repeat(pad) + "\n";
    out.write(MAGIC);
    out.write(new byte[] {1, 0});
    int len = header.length();
    out.write(new byte[] {(byte) (len & 0xff), (byte) (len >> 8)});
    out.write(header.getBytes(StandardCharsets.ISO_8859_1));
    out.write(t.bytes());
  }
}

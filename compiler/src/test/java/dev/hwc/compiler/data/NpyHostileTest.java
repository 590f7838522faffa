package dev.hwc.compiler.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npy/.npz files that once crashed or hung the reader. */
class NpyHostileTest {
  @TempDir Path dir;

  static byte[] header(String descr, String shape) {
    String h = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
    int total = 10 + h.length() + 1;
    h = h + " ".repeat((64 - total % 64) % 64) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + h.length()).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length());
    b.put(h.getBytes(StandardCharsets.ISO_8859_1));
    return b.array();
  }

  @Test
  void aShapeWhoseElementCountOverflowsIsOneLine() throws Exception {
    Path f = dir.resolve("x.npy");
    Files.write(f, header("<f4", "4294967296, 4294967296, 4294967296"));
    // before: ArithmeticException: long overflow
    assertEquals("cannot read " + f + ": array of shape [4294967296,4294967296,4294967296] fp32 is too large"
        + " (at most 2147483639 bytes per array)", assertThrows(BadInputException.class, () -> Npy.read(f)).getMessage());
    Files.write(f, header("<f8", "1073741824, 1073741824, 16"));
    // before: the byte count wrapped to a negative size
    assertEquals("cannot read " + f + ": array of shape [1073741824,1073741824,16] fp64 is too large"
        + " (at most 2147483639 bytes per array)", assertThrows(BadInputException.class, () -> Npy.read(f)).getMessage());
  }

  @Test
  void aFifoNamedNpzInACalibrationFolderDoesNotHang() throws Exception {
    Path fifo = dir.resolve("x.npz");
    boolean made;
    try {
      made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
    } catch (java.io.IOException e) {
      made = false;
    }
    assumeTrue(made);
    List<Value> inputs = List.of(new Value("x", DType.FLOAT, Shape.of(1, 4)));
    BadInputException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertThrows(BadInputException.class, () -> SampleSet.load(dir, inputs)));
    assertEquals("cannot read " + fifo + ": not a regular file (a FIFO); hwc reads only regular files", e.getMessage());
  }

  @Test
  void aDtypeSizeThatOverflowsAnIntIsUnsupportedNotACrash() throws Exception {
    Path f = dir.resolve("d.npy");
    Files.write(f, header("<f33333333333333333332", "2"));
    // found by the fuzzer: NumberFormatException from Integer.parseInt
    assertEquals("cannot read " + f + ": numpy dtype 'f3333...' is not supported",
        assertThrows(BadInputException.class, () -> Npy.read(f)).getMessage());
  }
}

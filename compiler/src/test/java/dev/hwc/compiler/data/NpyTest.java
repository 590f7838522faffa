package dev.hwc.compiler.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.common.BadInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @TempDir Path dir;

  @Test
  void bytesMatchNumpysLayout() throws Exception {
    // numpy.save of np.array([[1, 2, 3]], dtype='<f4') writes exactly this header
    Path f = dir.resolve("a.npy");
    Npy.write(f, Tensor.ofFloats(new long[] {1, 3}, 1, 2, 3));
    byte[] b = Files.readAllBytes(f);
    assertEquals(128 + 12, b.length, "header padded to 64-byte alignment, then 12 data bytes");
    String header = new String(b, 10, 118, StandardCharsets.ISO_8859_1);
    assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }"), header);
    assertEquals('\n', header.charAt(header.length() - 1));
    Tensor back = Npy.read(f);
    assertArrayEquals(new long[] {1, 3}, back.shape());
    assertArrayEquals(new float[] {1, 2, 3}, back.toFloats());
  }

  @Test
  void oneDimensionalAndScalarShapes() throws Exception {
    Path v = dir.resolve("v.npy");
    Npy.write(v, Tensor.vector(5, 6, 7));
    assertTrue(Files.readString(v, StandardCharsets.ISO_8859_1).contains("'shape': (3,)"));
    assertArrayEquals(new long[] {5, 6, 7}, Npy.read(v).toLongs());
    Path s = dir.resolve("s.npy");
    Npy.write(s, Tensor.scalar(2.5f));
    assertEquals(0, Npy.read(s).rank());
  }

  @Test
  void npzRoundTripsNamedArraysInOrder() throws Exception {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("input_ids", Tensor.ofLongs(new long[] {1, 4}, 101, 7592, 2088, 102));
    m.put("attention_mask", Tensor.ofLongs(new long[] {1, 4}, 1, 1, 1, 1));
    m.put("mask", Tensor.fromDoubles(DType.UINT8, new long[] {2}, new double[] {0, 255}));
    Path f = dir.resolve("s.npz");
    Npy.writeNpz(f, m);
    Map<String, Tensor> back = Npy.readNpz(f);
    assertEquals(m.keySet().stream().toList(), back.keySet().stream().toList());
    assertEquals(m, back);
    Npy.writeNpz(dir.resolve("t.npz"), m);
    assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(dir.resolve("t.npz")), "deterministic");
  }

  @Test
  void malformedFilesAreOneLineErrors() throws Exception {
    Path good = dir.resolve("g.npy");
    Npy.write(good, Tensor.ofFloats(new long[] {100}, new float[100]));
    byte[] b = Files.readAllBytes(good);
    Path cut = dir.resolve("cut.npy");
    Files.write(cut, Arrays.copyOf(b, b.length - 10));
    BadInputException e = assertThrows(BadInputException.class, () -> Npy.read(cut));
    assertTrue(e.getMessage().contains("truncated data"), e.getMessage());
    Path text = dir.resolve("t.npy");
    Files.writeString(text, "hello");
    assertTrue(assertThrows(BadInputException.class, () -> Npy.read(text)).getMessage().contains("bad magic"));
    Path fortran = dir.resolve("f.npy");
    Files.write(fortran, new String(b, StandardCharsets.ISO_8859_1).replace("False", "True ").getBytes(StandardCharsets.ISO_8859_1));
    assertTrue(assertThrows(BadInputException.class, () -> Npy.read(fortran)).getMessage().contains("Fortran"));
    Path notZip = dir.resolve("n.npz");
    Files.writeString(notZip, "nope");
    assertThrows(BadInputException.class, () -> Npy.readNpz(notZip));
  }
}

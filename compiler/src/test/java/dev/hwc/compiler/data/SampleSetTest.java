package dev.hwc.compiler.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.common.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleSetTest {
  @TempDir Path dir;

  /** A BERT-like model: two int64 inputs of shape [batch, seq]. */
  private static final List<Value> TEXT = List.of(
      new Value("input_ids", DType.INT64, Shape.of(List.of(Dim.symbol("batch"), Dim.symbol("seq")))),
      new Value("attention_mask", DType.INT64, Shape.of(List.of(Dim.symbol("batch"), Dim.symbol("seq")))));

  private static final List<Value> IMAGE = List.of(new Value("image", DType.FLOAT, Shape.of(1, 2, 2, 2)));

  private static Tensor ids(long first, long... shape) {
    long n = Shape.of(shape).numElements();
    return Tensor.ofLongs(shape, java.util.stream.LongStream.range(first, first + n).toArray());
  }

  private static Tensor floats(float first, long... shape) {
    int n = (int) Shape.of(shape).numElements();
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = first + i;
    }
    return Tensor.ofFloats(shape, v);
  }

  private Path npz(String name, Map<String, Tensor> arrays) throws Exception {
    Path f = dir.resolve(name);
    Npy.writeNpz(f, arrays);
    return f;
  }

  private void text(String name, long len) throws Exception {
    npz(name, Map.of("input_ids", ids(100 * len, 1, len), "attention_mask", ids(0, 1, len)));
  }

  @Test
  void npzPerSampleWithVariableSequenceLengthsInNaturalOrder() throws Exception {
    text("s10.npz", 3);
    text("s2.npz", 7);
    text("s1.npz", 5);
    Map<String, Tensor> batch = new LinkedHashMap<>();
    batch.put("input_ids", ids(0, 2, 4));
    batch.put("attention_mask", ids(0, 2, 4));
    batch.put("labels", ids(0, 2)); // ignored: not a model input
    npz("s3.npz", batch);
    Files.writeString(dir.resolve("README.txt"), "calibration sentences");

    SampleSet s = SampleSet.load(dir, TEXT);
    assertEquals(5, s.size());
    long[] lengths = IntStream.range(0, s.size()).mapToLong(i -> s.get(i).get("input_ids").shape()[1]).toArray();
    assertArrayEquals(new long[] {5, 7, 4, 4, 3}, lengths); // s1, s2, s3[0], s3[1], s10
    assertEquals(dir.resolve("s3.npz") + "[1]", s.label(3));
    assertEquals(dir.resolve("s10.npz").toString(), s.label(4));
    assertArrayEquals(new long[] {4, 5, 6, 7}, s.get(3).get("input_ids").toLongs(), "second row of the batch");
    assertArrayEquals(new long[] {1, 4}, s.get(3).get("attention_mask").shape());
    assertEquals(List.of("input_ids", "attention_mask"), List.copyOf(s.get(0).keySet()));
    assertArrayEquals(new long[] {500, 501, 502, 503, 504}, s.get(0).get("input_ids").toLongs());
  }

  @Test
  void badFilesAreOneLineErrorsNamingFileInputAndExpectedShape() throws Exception {
    Path missing = npz("a.npz", Map.of("input_ids", ids(0, 1, 5)));
    assertEquals(missing + ": missing input 'attention_mask' (expected int64[batch,seq]); it holds input_ids",
        message(TEXT));
    Files.delete(missing);

    Path wrongType = npz("b.npz", Map.of("input_ids", Tensor.ofInts(new long[] {1, 2}, 1, 2), "attention_mask", ids(0, 1, 2)));
    assertEquals(wrongType + ": input 'input_ids' is int32[1,2], expected int64[batch,seq] (save it with .astype(numpy.int64))",
        message(TEXT));
    Files.delete(wrongType);

    Path wrongRank = npz("c.npz", Map.of("input_ids", ids(0, 1, 1, 1, 2), "attention_mask", ids(0, 1, 2)));
    assertEquals(wrongRank + ": input 'input_ids' has rank 4 [1,1,1,2], expected int64[batch,seq] (rank 2, 3 for a stack"
        + " of samples, or 1 for one sample without its batch dim)", message(TEXT));
    Files.delete(wrongRank);

    Path twoLengths = npz("d.npz", Map.of("input_ids", ids(0, 1, 5), "attention_mask", ids(0, 1, 6)));
    assertEquals(twoLengths + ": input 'attention_mask' has shape [1,6], expected int64[batch,seq]: 'seq' is 5 in input"
        + " 'input_ids'", message(TEXT));
    Files.delete(twoLengths);

    Path counts = npz("e.npz", Map.of("input_ids", ids(0, 3, 5), "attention_mask", ids(0, 2, 5)));
    assertEquals(counts + ": inputs hold different numbers of samples ('input_ids' 3, 'attention_mask' 2)", message(TEXT));
    Files.delete(counts);

    Path wrongSize = npz("f.npz", Map.of("image", floats(0, 1, 2, 3, 2)));
    assertEquals(wrongSize + ": input 'image' has shape [1,2,3,2], expected fp32[1,2,2,2] (dim 2 must be 2)", message(IMAGE));
    Files.delete(wrongSize);

    Path truncated = dir.resolve("g.npz");
    Files.write(truncated, new byte[] {1, 2, 3});
    assertTrue(message(IMAGE).startsWith("cannot read " + truncated), message(IMAGE));
    Files.delete(truncated);

    assertTrue(message(IMAGE).startsWith("no samples in " + dir), message(IMAGE));
    assertTrue(assertThrows(BadInputException.class, () -> SampleSet.load(dir.resolve("nope"), IMAGE)).getMessage()
        .startsWith("sample folder " + dir.resolve("nope") + " does not exist"));
  }

  private String message(List<Value> inputs) {
    String m = assertThrows(BadInputException.class, () -> SampleSet.load(dir, inputs)).getMessage();
    assertEquals(1, m.lines().count(), m);
    return m;
  }

  @Test
  void batchesSplitAlongTheLeadingDimAndStacksAndUnbatchedSamplesAreAccepted() throws Exception {
    npz("a_batch.npz", Map.of("image", floats(0, 3, 2, 2, 2))); // rank 4, leading 3: three samples
    npz("b_stack.npz", Map.of("image", floats(100, 2, 1, 2, 2, 2))); // rank 5: a stack of two
    npz("c_single.npz", Map.of("image", floats(200, 2, 2, 2))); // rank 3: one sample without its batch dim
    SampleSet s = SampleSet.load(dir, IMAGE);
    assertEquals(6, s.size());
    float[] firsts = new float[6];
    for (int i = 0; i < 6; i++) {
      Tensor t = s.get(i).get("image");
      assertArrayEquals(new long[] {1, 2, 2, 2}, t.shape());
      firsts[i] = t.toFloats()[0];
      assertEquals(firsts[i] + 7, t.toFloats()[7]);
    }
    assertArrayEquals(new float[] {0, 8, 16, 100, 108, 200}, firsts);
  }

  @Test
  void perSampleFoldersAndNumberedNpyFiles() throws Exception {
    for (int k : new int[] {2, 1}) {
      Path sub = Files.createDirectories(dir.resolve("sample" + k));
      Npy.write(sub.resolve("input_ids.npy"), ids(10 * k, 1, 3));
      Npy.write(sub.resolve("attention_mask.npy"), ids(0, 1, 3));
    }
    Npy.write(dir.resolve("input_ids_0.npy"), ids(7, 1, 2));
    Npy.write(dir.resolve("attention_mask_0.npy"), ids(0, 1, 2));
    Npy.write(dir.resolve("labels_0.npy"), ids(0, 1));
    SampleSet s = SampleSet.load(dir, TEXT);
    assertEquals(3, s.size());
    assertEquals(dir.resolve("<input>_0.npy").toString(), s.label(0));
    assertArrayEquals(new long[] {7, 8}, s.get(0).get("input_ids").toLongs());
    assertEquals(dir.resolve("sample1") + "/", s.label(1));
    assertArrayEquals(new long[] {10, 11, 12}, s.get(1).get("input_ids").toLongs());
    assertArrayEquals(new long[] {20, 21, 22}, s.get(2).get("input_ids").toLongs());

    Files.delete(dir.resolve("sample2").resolve("attention_mask.npy"));
    assertTrue(message(TEXT).startsWith(dir.resolve("sample2") + "/: missing input 'attention_mask'"), message(TEXT));
  }

  @Test
  void splitIsDeterministicAndDisjoint() {
    List<Map<String, Tensor>> samples = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      samples.add(Map.of("image", floats(i, 1, 2, 2, 2)));
    }
    SampleSet all = SampleSet.of(samples);
    SampleSet.Split split = all.split(0.25);
    assertEquals(List.of(3f, 7f), firsts(split.heldOut()));
    assertEquals(List.of(0f, 1f, 2f, 4f, 5f, 6f, 8f, 9f), firsts(split.calibration()));
    assertEquals(firsts(split.heldOut()), firsts(all.split(0.25).heldOut()));
    assertEquals(List.of(1f, 3f, 5f, 7f, 9f), firsts(all.split(0.5).heldOut()));
    assertEquals(10, all.split(0).calibration().size());
    SampleSet.Split nested = split.calibration().limit(3).split(0.5); // views compose: [0, 1, 2] -> held out [1]
    assertEquals(List.of(0f, 2f), firsts(nested.calibration()));
    assertEquals(List.of(1f), firsts(nested.heldOut()));
    assertEquals("sample 7", split.heldOut().label(1));
  }

  private static List<Float> firsts(SampleSet s) {
    List<Float> out = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      out.add(s.get(i).get("image").toFloats()[0]);
    }
    return out;
  }

  @Test
  void randomSamplesAreTheSharedGeneratorsOnDemand() {
    SampleSet s = SampleSet.random(TEXT, 4, 42);
    assertEquals(4, s.size());
    for (int i = 0; i < 4; i++) {
      assertEquals(RandomInputs.random(TEXT, 42 + i), s.get(i));
      assertEquals(s.get(i), s.get(i));
    }
    assertArrayEquals(new long[] {1, RandomInputs.DEFAULT_SYMBOLIC}, s.get(0).get("input_ids").shape());
    assertTrue(IntStream.range(0, 16).allMatch(k -> s.get(1).get("input_ids").toLongs()[k] >= 1));
    assertThrows(BadInputException.class,
        () -> SampleSet.random(List.of(new Value("x", DType.FLOAT, Shape.UNKNOWN)), 1, 0));
  }
}

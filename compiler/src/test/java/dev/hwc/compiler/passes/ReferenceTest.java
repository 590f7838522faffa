package dev.hwc.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test oracle itself, on numbers worked out by hand. */
class ReferenceTest {
  private static Node node(String op, Object... attrs) {
    return new Node("n", op, List.of("x", "w"), List.of("y"), Attributes.of(attrs));
  }

  private static long[] s(long... d) {
    return d;
  }

  @Test
  void convSumsWindowsWithStridePadAndBias() {
    Tensor x = Tensor.ofFloats(s(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
    Tensor w = Tensor.ofFloats(s(1, 1, 2, 2), 1, 1, 1, 1);
    assertArrayEquals(new float[] {12, 16, 24, 28},
        Reference.conv(node("Conv"), Arrays.asList(x, w)).toFloats());
    // pads 1, stride 2: windows at (-1,-1), (-1,1), (1,-1), (1,1); bias 0.5
    Tensor y = Reference.conv(node("Conv", "pads", s(1, 1, 1, 1), "strides", s(2, 2)),
        Arrays.asList(x, w, Tensor.ofFloats(s(1), 0.5f)));
    assertArrayEquals(s(1, 1, 2, 2), y.shape());
    assertArrayEquals(new float[] {1.5f, 5.5f, 11.5f, 28.5f}, y.toFloats());
  }

  @Test
  void groupedConvReadsOnlyItsGroupsChannels() {
    Tensor x = Tensor.ofFloats(s(1, 2, 1, 1), 1, 2);
    Tensor w = Tensor.ofFloats(s(2, 1, 1, 1), 10, 100);
    assertArrayEquals(new float[] {10, 200},
        Reference.conv(node("Conv", "group", 2L), Arrays.asList(x, w)).toFloats());
  }

  @Test
  void convTransposeScattersKernelCopies() {
    Tensor x = Tensor.ofFloats(s(1, 1, 2, 2), 1, 2, 3, 4);
    Tensor w = Tensor.ofFloats(s(1, 1, 2, 2), 1, 10, 100, 1000);
    Tensor y = Reference.convTranspose(node("ConvTranspose", "strides", s(2, 2)), Arrays.asList(x, w));
    assertArrayEquals(s(1, 1, 4, 4), y.shape());
    assertArrayEquals(new float[] {
        1, 10, 2, 20,
        100, 1000, 200, 2000,
        3, 30, 4, 40,
        300, 3000, 400, 4000}, y.toFloats());
  }

  @Test
  void convTransposeGroupsMapInputChannelsToTheirOutputs() {
    Tensor x = Tensor.ofFloats(s(1, 2, 1, 1), 1, 2);
    // w [Cin=2, Cout/group=1, 1, 1]
    Tensor w = Tensor.ofFloats(s(2, 1, 1, 1), 10, 100);
    assertArrayEquals(new float[] {10, 200},
        Reference.convTranspose(node("ConvTranspose", "group", 2L), Arrays.asList(x, w)).toFloats());
    assertArrayEquals(new float[] {210},
        Reference.convTranspose(node("ConvTranspose"), Arrays.asList(x, w)).toFloats());
  }

  @Test
  void gemmAppliesTransposesAlphaBetaAndBroadcastBias() {
    Tensor a = Tensor.ofFloats(s(2, 2), 1, 2, 3, 4);
    Tensor b = Tensor.ofFloats(s(2, 2), 1, 0, 1, 1); // transB: rows are output columns
    Tensor c = Tensor.ofFloats(s(2), 10, 20);
    Tensor y = Reference.gemm(node("Gemm", "transB", 1L, "alpha", 2f, "beta", 0.5f), Arrays.asList(a, b, c));
    // A B^T = [[1, 3], [3, 7]]
    assertArrayEquals(new float[] {2 + 5, 6 + 10, 6 + 5, 14 + 10}, y.toFloats());
  }

  @Test
  void matMulTakesAShared2dRightSideOrMatchingBatches() {
    Tensor a = Tensor.ofFloats(s(2, 1, 2), 1, 2, 3, 4);
    assertArrayEquals(new float[] {1, 2, 3, 4},
        Reference.matMul(a, Tensor.ofFloats(s(2, 2), 1, 0, 0, 1)).toFloats());
    Tensor b = Tensor.ofFloats(s(2, 2, 1), 1, 1, 10, 100);
    Tensor y = Reference.matMul(a, b);
    assertArrayEquals(s(2, 1, 1), y.shape());
    assertArrayEquals(new float[] {3, 430}, y.toFloats());
  }
}

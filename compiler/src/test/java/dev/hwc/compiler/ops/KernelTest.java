package dev.hwc.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference kernels that constant folding relies on, checked against hand-computed values. */
class KernelTest {
  private static final Graph G13 = Graph.Editor.empty("k", 13).build();

  private static List<Tensor> eval(String op, Attributes attrs, Tensor... in) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < in.length; i++) {
      names.add(in[i] == null ? "" : "in" + i);
    }
    Graph.Editor e = G13.edit();
    for (int i = 0; i < in.length; i++) {
      if (in[i] != null) {
        e.putInitializer("in" + i, in[i]);
      }
    }
    Graph g = e.build();
    List<Tensor> args = new ArrayList<>(Arrays.asList(in));
    return ShapeInference.evaluate(g, new Node("n", op, names, List.of("out"), attrs), args);
  }

  private static Tensor f(long[] shape, float... v) {
    return Tensor.ofFloats(shape, v);
  }

  @Test
  void transposeMovesElements() {
    Tensor x = f(new long[] {2, 3}, 1, 2, 3, 4, 5, 6);
    Tensor t = eval("Transpose", Attributes.of("perm", new long[] {1, 0}), x).get(0);
    assertArrayEquals(new long[] {3, 2}, t.shape());
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.toFloats());
  }

  @Test
  void sliceWithNegativeStepAndClampedEnds() {
    Tensor x = f(new long[] {6}, 0, 1, 2, 3, 4, 5);
    Tensor t = eval("Slice", Attributes.EMPTY, x, Tensor.vector(-1), Tensor.vector(Long.MIN_VALUE),
        Tensor.vector(0), Tensor.vector(-2)).get(0);
    assertArrayEquals(new float[] {5, 3, 1}, t.toFloats());
  }

  @Test
  void gatherConcatAndBroadcastArithmetic() {
    Tensor shape = Tensor.vector(2, 7, 384);
    assertArrayEquals(new long[] {7}, eval("Gather", Attributes.of("axis", 0L), shape, Tensor.ofLongs(new long[0], 1)).get(0).toLongs());
    Tensor cat = eval("Concat", Attributes.of("axis", 0L), Tensor.vector(2), Tensor.vector(-1, 12)).get(0);
    assertArrayEquals(new long[] {2, -1, 12}, cat.toLongs());
    Tensor sum = eval("Add", Attributes.EMPTY, f(new long[] {2, 1}, 1, 2), f(new long[] {3}, 10, 20, 30)).get(0);
    assertArrayEquals(new long[] {2, 3}, sum.shape());
    assertArrayEquals(new float[] {11, 21, 31, 12, 22, 32}, sum.toFloats());
  }

  @Test
  void reduceMeanKeepsDims() {
    Tensor x = f(new long[] {2, 2}, 1, 2, 3, 5);
    Tensor m = eval("ReduceMean", Attributes.of("axes", new long[] {1}), x).get(0);
    assertArrayEquals(new long[] {2, 1}, m.shape());
    assertArrayEquals(new float[] {1.5f, 4f}, m.toFloats());
  }

  @Test
  void erfMatchesKnownValues() {
    Tensor e = eval("Erf", Attributes.EMPTY, f(new long[] {3}, 0f, 0.5f, -1.5f)).get(0);
    float[] v = e.toFloats();
    assertEquals(0.0, v[0], 1e-7);
    assertEquals(0.5204998778, v[1], 2e-7);
    assertEquals(-0.9661051465, v[2], 2e-7);
  }

  @Test
  void splitEvenlyWhenSizesAreAbsent() {
    Tensor x = f(new long[] {4, 2}, 1, 2, 3, 4, 5, 6, 7, 8);
    List<Tensor> parts = ShapeInference.evaluate(G13,
        new Node("s", "Split", List.of("x"), List.of("a", "b"), Attributes.of("axis", 0L)), List.of(x));
    assertArrayEquals(new float[] {1, 2, 3, 4}, parts.get(0).toFloats());
    assertArrayEquals(new float[] {5, 6, 7, 8}, parts.get(1).toFloats());
  }
}

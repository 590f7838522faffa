package dev.hwc.compiler.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Seeded random integer inputs respect what they index: a BERT-like embedding block (word ids into a
 * 30-row table, token types into a 2-row table through an Unsqueeze, a mask cast to float and used
 * as (1 - mask)), and an input that indexes a table of run-time size, which hwc refuses to guess.
 */
class InputBoundsTest {
  private static final Shape SEQ = Shape.of(List.of(Dim.of(1), Dim.symbol("seq")));

  /** ids -> Gather(words[30, 4]); types -> Unsqueeze -> Squeeze -> Gather(types[2, 4]); Add; mask -> Cast -> Sub(1, .) -> Mul. */
  private static Graph bertLike(boolean maskNamedMask) {
    GraphBuilder b = new GraphBuilder("bert-like", 1);
    String ids = b.input("input_ids", DType.INT64, SEQ);
    String types = b.input("token_type_ids", DType.INT64, SEQ);
    String mask = b.input(maskNamedMask ? "attention_mask" : "keep", DType.INT64, SEQ);
    String words = b.constant("words", b.randomNormal(1, 30, 4));
    String segs = b.constant("segments", b.randomNormal(1, 2, 4));
    String axes = b.constant("axes", Tensor.vector(0));
    String t = b.node("Unsqueeze", Attributes.EMPTY, types, axes);
    t = b.node("Squeeze", Attributes.EMPTY, t, axes);
    String e = b.add(b.node("Gather", Attributes.EMPTY, words, ids), b.node("Gather", Attributes.EMPTY, segs, t));
    String m = b.node("Cast", Attributes.of("to", (long) DType.FLOAT.onnxCode), mask);
    m = b.node("Sub", Attributes.EMPTY, b.constant("one", Tensor.scalar(1f)), m);
    m = b.mul(m, b.constant("big", Tensor.scalar(-10000f)));
    b.output(e).output(m);
    return b.build();
  }

  @Test
  void idsAreBoundedByTheSmallestTableTheyReachAndMasksAreZeroOrOne() {
    for (boolean named : new boolean[] {true, false}) {
      Graph g = bertLike(named);
      Map<String, InputBounds.Bound> bounds = InputBounds.of(g);
      assertEquals(30, bounds.get("input_ids").hi(), bounds.toString());
      assertEquals(0, bounds.get("token_type_ids").lo());
      assertEquals(2, bounds.get("token_type_ids").hi(), bounds.toString());
      assertTrue(bounds.get(named ? "attention_mask" : "keep").isMask(), bounds.toString());

      SampleSet s = SampleSet.random(g, 16, 7);
      long typeOnes = 0;
      long maskOnes = 0;
      long cells = 0;
      for (int i = 0; i < s.size(); i++) {
        Map<String, Tensor> x = s.get(i);
        for (long v : x.get("input_ids").toLongs()) {
          assertTrue(v >= 0 && v < 30, "input_ids " + v);
        }
        for (long v : x.get("token_type_ids").toLongs()) {
          assertTrue(v == 0 || v == 1, "token_type_ids " + v);
          typeOnes += v;
          cells++;
        }
        for (long v : x.get(named ? "attention_mask" : "keep").toLongs()) {
          assertTrue(v == 0 || v == 1, "mask " + v);
          maskOnes += v;
        }
      }
      // both values drawn, not a constant
      assertTrue(typeOnes > 0 && typeOnes < cells, typeOnes + " of " + cells);
      assertTrue(maskOnes > 0 && maskOnes < cells, maskOnes + " of " + cells);
    }
  }

  @Test
  void anInputIndexingATableComputedAtRunTimeIsRefusedInOneLine() {
    GraphBuilder b = new GraphBuilder("runtime-table", 1);
    String x = b.input("x", DType.FLOAT, Shape.of(List.of(Dim.symbol("rows"), Dim.of(4))));
    String idx = b.input("idx", DType.INT64, Shape.of(3));
    String table = b.relu(x);
    b.output(b.node("Gather", Attributes.EMPTY, table, idx));
    Graph g = b.build();
    InputBounds.Bound bound = InputBounds.of(g).get("idx");
    assertTrue(bound.unknown(), String.valueOf(bound));
    BadInputException e = assertThrows(BadInputException.class, () -> SampleSet.random(g, 2, 0));
    assertFalse(e.getMessage().contains("\n"));
    assertTrue(e.getMessage().contains("input 'idx'") && e.getMessage().contains("--eval"), e.getMessage());
  }

  @Test
  void unboundedInputsDrawAsBefore() {
    GraphBuilder b = new GraphBuilder("plain", 1);
    String x = b.input("x", 2, 3);
    b.output(b.relu(x));
    Graph g = b.build();
    assertTrue(InputBounds.of(g).isEmpty());
    assertEquals(RandomInputs.random(g.inputs(), 3), SampleSet.random(g, 1, 3).get(0));
  }
}

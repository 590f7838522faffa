package dev.hwc.backends.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.onnx.OnnxFrontend;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.ops.OpRegistry;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.passes.RecurrentSeqFirst;
import dev.hwc.compiler.zoo.RecurrentModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LSTM, GRU and RNN through the IR: each variant (directions, layouts, optional inputs) is emitted,
 * run on ONNX Runtime, and its output shapes must be the ones hwc's shape rule inferred; the file read
 * back by the ONNX frontend and emitted again gives the same bytes. The two sequence models of
 * {@link RecurrentModels} run the same on ORT before and after the standard pipeline.
 */
class RecurrentOnOrtTest {
  @TempDir Path dir;

  static final int SEQ = 5;
  static final int BATCH = 3;
  static final int IN = 4;
  static final int HIDDEN = 6;

  static Stream<Arguments> variants() {
    return Stream.of(
        Arguments.of("LSTM", "forward", 0, false, false),
        Arguments.of("LSTM", "reverse", 0, true, false),
        Arguments.of("LSTM", "bidirectional", 0, true, true),
        Arguments.of("LSTM", "bidirectional", 1, true, false),
        Arguments.of("GRU", "forward", 0, true, true),
        Arguments.of("GRU", "bidirectional", 1, false, false),
        Arguments.of("RNN", "reverse", 0, true, false),
        Arguments.of("RNN", "bidirectional", 1, true, true));
  }

  /** One recurrent node with every output; states and sequence_lens as inputs when asked for. */
  static Graph single(String op, String direction, int layout, boolean states, boolean seqLens) {
    int gates = switch (op) {
      case "LSTM" -> 4;
      case "GRU" -> 3;
      default -> 1;
    };
    int dirs = direction.equals("bidirectional") ? 2 : 1;
    GraphBuilder w = new GraphBuilder("w", op.hashCode() + direction.hashCode());
    Graph.Editor e = Graph.Editor.empty(op.toLowerCase() + "_" + direction + "_" + layout, 14);
    e.inputs().add(new Value("X", DType.FLOAT, layout == 0 ? Shape.of(SEQ, BATCH, IN) : Shape.of(BATCH, SEQ, IN)));
    e.putInitializer("W", w.randomNormal(0.4, dirs, gates * HIDDEN, IN));
    e.putInitializer("R", w.randomNormal(0.4, dirs, gates * HIDDEN, HIDDEN));
    e.putInitializer("B", w.randomNormal(0.1, dirs, 2 * gates * HIDDEN));
    List<String> in = new ArrayList<>(List.of("X", "W", "R", "B"));
    if (seqLens) {
      e.putInitializer("seq_lens", Tensor.ofInts(new long[] {BATCH}, SEQ, SEQ - 2, 1));
      in.add("seq_lens");
    } else {
      in.add("");
    }
    Shape state = layout == 0 ? Shape.of(dirs, BATCH, HIDDEN) : Shape.of(BATCH, dirs, HIDDEN);
    if (states) {
      e.inputs().add(new Value("h0", DType.FLOAT, state));
      in.add("h0");
      if (op.equals("LSTM")) {
        e.inputs().add(new Value("c0", DType.FLOAT, state));
        in.add("c0");
        e.putInitializer("P", w.randomNormal(0.2, dirs, 3 * HIDDEN));
        in.add("P");
      }
    }
    List<String> out = new ArrayList<>(List.of("Y", "Y_h"));
    if (op.equals("LSTM")) {
      out.add("Y_c");
    }
    Attributes a = Attributes.of("hidden_size", (long) HIDDEN, "direction", direction, "layout", (long) layout);
    if (op.equals("GRU")) {
      a = a.with("linear_before_reset", 1L);
    }
    e.addNode(new Node("rec", op, in, out, a));
    for (String o : out) {
      e.outputs().add(new Value(o, DType.UNDEFINED, Shape.UNKNOWN));
    }
    return GraphValidator.check(ShapeInference.run(e.build()));
  }

  @ParameterizedTest(name = "{0} {1} layout={2} states={3} seq_lens={4}")
  @MethodSource("variants")
  void shapesMatchOnnxRuntimeAndTheFileRoundTrips(String op, String direction, int layout, boolean states,
      boolean seqLens) throws Exception {
    Graph g = single(op, direction, layout, states, seqLens);
    int dirs = direction.equals("bidirectional") ? 2 : 1;
    Shape y = g.type("Y").shape();
    assertEquals(layout == 0 ? Shape.of(SEQ, dirs, BATCH, HIDDEN) : Shape.of(BATCH, SEQ, dirs, HIDDEN), y);
    Path a = dir.resolve("a.onnx");
    OnnxEmitter emitter = new OnnxEmitter();
    emitter.emit(g, a);
    Graph back = ShapeInference.run(new OnnxFrontend().read(a));
    assertEquals(List.of(), GraphValidator.validate(back));
    assertEquals(g.nodes(), back.nodes(), "nodes and attributes read back as written");
    assertEquals(g.initializers(), back.initializers());
    for (Value v : g.outputs()) {
      assertEquals(g.type(v.name()), back.type(v.name()), v.name());
    }

    // ONNX Runtime's CPU kernels run layout 0 only: a layout-1 node runs after recurrent-seq-first,
    // and must give the layout-0 twin's outputs (same weights, inputs transposed) transposed
    Graph runnable = new RecurrentSeqFirst().run(back, PassContext.forTests());
    assertEquals(layout == 1, runnable != back);
    Path b = dir.resolve("b.onnx");
    emitter.emit(ShapeInference.run(runnable), b);
    Map<String, Tensor> feed = randomInputs(g, 7);
    Map<String, Tensor> got = OrtSession.runOnce(b, feed);
    for (String out : g.outputs().stream().map(Value::name).toList()) {
      assertArrayEquals(g.type(out).shape().sizes(), got.get(out).shape(), out + " shape on ORT");
    }
    double sum = 0;
    for (float f : got.get("Y").toFloats()) {
      sum += Math.abs(f);
    }
    assertTrue(sum > 0, "Y is not all zeros");
    if (layout == 1) {
      Graph twin = single(op, direction, 0, states, seqLens);
      Path c = dir.resolve("c.onnx");
      emitter.emit(twin, c);
      Map<String, Tensor> twinFeed = new LinkedHashMap<>();
      feed.forEach((k, v) -> twinFeed.put(k, transpose01(v)));
      Map<String, Tensor> want = OrtSession.runOnce(c, twinFeed);
      double worst = 0;
      worst = Math.max(worst, OnnxRoundTripTest.maxAbsDiff(want.get("Y"), seqFirstY(got.get("Y"))));
      for (String s : List.of("Y_h", "Y_c")) {
        if (want.containsKey(s)) {
          worst = Math.max(worst, OnnxRoundTripTest.maxAbsDiff(want.get(s), transpose01(got.get(s))));
        }
      }
      System.out.printf("%s %s layout 1 vs its layout-0 twin on ORT: max abs %.3g%n", op, direction, worst);
      assertTrue(worst <= 1e-6, "layout 1 differs from layout 0 by " + worst);
    }
  }

  /** [a, b, c] -> [b, a, c]. */
  static Tensor transpose01(Tensor t) {
    long[] s = t.shape();
    float[] v = t.toFloats();
    float[] o = new float[v.length];
    for (int i = 0; i < s[0]; i++) {
      for (int j = 0; j < s[1]; j++) {
        for (int k = 0; k < s[2]; k++) {
          o[(int) ((j * s[0] + i) * s[2] + k)] = v[(int) ((i * s[1] + j) * s[2] + k)];
        }
      }
    }
    return Tensor.ofFloats(new long[] {s[1], s[0], s[2]}, o);
  }

  /** Y of layout 1 [batch, seq, dirs, hidden] -> layout 0 [seq, dirs, batch, hidden]. */
  static Tensor seqFirstY(Tensor t) {
    long[] s = t.shape();
    float[] v = t.toFloats();
    float[] o = new float[v.length];
    for (int b = 0; b < s[0]; b++) {
      for (int q = 0; q < s[1]; q++) {
        for (int d = 0; d < s[2]; d++) {
          for (int h = 0; h < s[3]; h++) {
            o[(int) (((q * s[2] + d) * s[0] + b) * s[3] + h)] = v[(int) (((b * s[1] + q) * s[2] + d) * s[3] + h)];
          }
        }
      }
    }
    return Tensor.ofFloats(new long[] {s[1], s[2], s[0], s[3]}, o);
  }

  @Test
  void badRecurrentNodesAreOneLine() {
    Graph g = single("LSTM", "forward", 0, false, false);
    Node rec = g.producer("Y");
    Graph.Editor e = g.edit();
    e.replaceNode(rec, List.of(rec.withAttrs(rec.attrs().with("direction", "sideways"))));
    var ex = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
        () -> ShapeInference.run(e.build()));
    assertTrue(ex.getMessage().contains("direction 'sideways'"), ex.getMessage());
    Graph.Editor h = g.edit();
    h.replaceNode(rec, List.of(rec.withAttrs(rec.attrs().with("hidden_size", 7L))));
    ex = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> ShapeInference.run(h.build()));
    assertTrue(ex.getMessage().contains("hidden_size"), ex.getMessage());
    assertTrue(OpRegistry.lookup("GRU").isPresent() && OpRegistry.lookup("RNN").isPresent());
  }

  static Stream<Graph> models() {
    return Stream.of(RecurrentModels.lstm(), RecurrentModels.gru());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void sequenceModelsMatchOnOrtAfterTheStandardPipeline(Graph built) throws Exception {
    Graph optimized = Pipeline.standard().run(built, PassContext.forTests());
    assertEquals(List.of(), GraphValidator.validate(optimized));
    assertTrue(optimized.nodes().stream().anyMatch(n -> n.op().equals("LSTM") || n.op().equals("GRU")));
    Path a = dir.resolve("built.onnx");
    Path b = dir.resolve("opt.onnx");
    new OnnxEmitter().emit(built, a);
    new OnnxEmitter().emit(optimized, b);
    double worst = 0;
    try (OrtSession before = OrtSession.open(a, SessionOptions.DEFAULT);
        OrtSession after = OrtSession.open(b, SessionOptions.DEFAULT)) {
      for (long seed = 0; seed < 3; seed++) {
        Map<String, Tensor> feed = randomInputs(built, seed);
        Map<String, Tensor> want = before.run(feed);
        Map<String, Tensor> got = after.run(feed);
        assertEquals(want.keySet(), got.keySet());
        for (String out : want.keySet()) {
          worst = Math.max(worst, OnnxRoundTripTest.maxAbsDiff(want.get(out), got.get(out)));
        }
      }
    }
    System.out.printf("%s: standard pipeline vs built on ORT, worst max abs %.3g%n", built.name(), worst);
    assertTrue(worst <= 1e-5, built.name() + " differs by " + worst);
  }

  static Map<String, Tensor> randomInputs(Graph g, long seed) {
    Random r = new Random(seed);
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (Value v : g.inputs()) {
      float[] data = new float[(int) v.shape().numElements()];
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) r.nextGaussian();
      }
      feed.put(v.name(), Tensor.ofFloats(v.shape().sizes(), data));
    }
    return feed;
  }
}

package dev.hwc.compiler.passes;

import static dev.hwc.compiler.passes.PassTesting.assertWithin;
import static dev.hwc.compiler.passes.PassTesting.count;
import static dev.hwc.compiler.passes.PassTesting.maxOutputDiff;
import static dev.hwc.compiler.passes.PassTesting.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.zoo.SmallModels;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class StandardPipelineTest {
  static Stream<SmallModels.Entry> smallModels() {
    return SmallModels.all().stream();
  }

  private static final List<String> STANDARD = List.of("infer-shapes", "remove-no-ops", "remove-pass-through",
      "recurrent-seq-first",
      "simplify-shape-chains", "fold-constants", "canonicalize-clip", "div-to-mul", "fuse-hard-activations",
      "fold-batch-norm", "decompose-batch-norm", "fold-conv-affine", "fuse-pad-into-conv", "reduce-mean-to-global-pool", "collapse-reshapes",
      "fuse-matmul-add", "eliminate-dead-nodes");

  @Test
  void standardIsTheFp32ListInOrder() {
    assertEquals(STANDARD, Pipeline.standard().passes().stream().map(p -> p.info().name()).toList());
    assertEquals(Pipeline.STANDARD_MAX_ROUNDS, Pipeline.standard().maxRounds());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("smallModels")
  void smallCnnsKeepTheirOutputsAndLoseTheirBatchNorms(SmallModels.Entry model) {
    Graph g = model.factory().apply(42);
    long bns = count(g, "BatchNormalization");

    Graph f = Pipeline.standard().run(g, PassContext.forTests());

    assertEquals(List.of(), GraphValidator.validate(f));
    assertEquals(0, count(f, "BatchNormalization"));
    assertEquals(g.nodes().size() - bns, f.nodes().size(), ops(f).toString());
    assertEquals(g.outputs().stream().map(v -> v.name()).toList(), f.outputs().stream().map(v -> v.name()).toList());
    assertEquals(g.outputs(), f.outputs(), "output names, types and shapes are kept");
    assertWithin(1e-4, maxOutputDiff(g, f, 5), model.name());
    assertEveryInitializerIsRead(f);
  }

  private static void assertEveryInitializerIsRead(Graph g) {
    Set<String> read = new HashSet<>();
    g.nodes().forEach(n -> read.addAll(n.inputs()));
    for (String name : g.initializers().keySet()) {
      assertTrue(read.contains(name), "initializer " + name + " is read");
    }
  }

  /** What a PyTorch export of a small classifier looks like before cleanup. */
  private static Graph exported() {
    GraphBuilder b = new GraphBuilder("exported", 9);
    String x = b.input("x", 2, 3, 8, 8);
    String y = b.node("Identity", Attributes.EMPTY, b.relu(b.batchNorm(b.conv(x, 4, 3, 2))));
    String shape = b.node("Shape", Attributes.EMPTY, y);
    String batch = b.node("Gather", Attributes.of("axis", 0L), shape, b.constant("i0", Tensor.ofLongs(new long[0], 0)));
    String unsq = b.node("Unsqueeze", Attributes.EMPTY, batch, b.constant("axes", Tensor.vector(0)));
    String target = b.node("Concat", Attributes.of("axis", 0L), unsq, b.constant("m1", Tensor.vector(-1)));
    String flat = b.node("Reshape", Attributes.EMPTY, y, target);
    String mm = b.node("MatMul", Attributes.EMPTY, flat, b.constant("fc_w", b.randomNormal(0.1, 64, 10)));
    String logits = b.add(mm, b.constant("fc_b", b.randomNormal(0.1, 10)));
    b.output(b.node("Dropout", Attributes.of("ratio", 0.1f), logits));
    return b.build();
  }

  @Test
  void exportArtifactsAreCleanedUp() {
    Graph g = exported();
    assertEquals(List.of("Conv", "BatchNormalization", "Relu", "Identity", "Shape", "Gather", "Unsqueeze",
        "Concat", "Reshape", "MatMul", "Add", "Dropout"), ops(g));
    PassRecorder recorder = new PassRecorder();

    Graph f = Pipeline.standard().run(g, PassContext.forTests().withInstruments(recorder));

    assertEquals(List.of("Conv", "Relu", "Reshape", "Gemm"), ops(f));
    assertEquals(g.outputs().get(0).name(), f.nodes().get(3).output(0), "the Gemm writes the graph output");
    assertWithin(1e-5, maxOutputDiff(g, f, 9), "outputs");
    assertEveryInitializerIsRead(f);
    List<PassRecord> records = recorder.records();
    assertEquals(STANDARD, records.subList(0, STANDARD.size()).stream().map(PassRecord::name).toList());
    assertEquals(12, records.get(0).nodesBefore());
    assertEquals(4, records.get(records.size() - 1).nodesAfter());
    for (int i = 1; i < records.size(); i++) {
      assertEquals(records.get(i - 1).nodesAfter(), records.get(i).nodesBefore(), "records chain");
    }
    assertEquals(2 * STANDARD.size(), records.size(), "two rounds: one that changes, one that confirms the fixed point");
  }

  @Test
  void optLevelAndDisabledPassesAreHonoured() {
    Graph g = exported();
    Graph level1 = Pipeline.standard().run(g, PassContext.forTests().withOptLevel(1));
    assertEquals(List.of("Conv", "Relu", "Reshape", "MatMul", "Add"), ops(level1), "no fusion below level 2");
    Graph noBn = Pipeline.standard().run(g, PassContext.forTests().disable(FoldBatchNorm.NAME));
    assertEquals(List.of("Conv", "BatchNormalization", "Relu", "Reshape", "Gemm"), ops(noBn));
    Graph level0 = Pipeline.standard().run(g, PassContext.forTests().withOptLevel(0));
    assertEquals(ops(g), ops(level0), "level 0 only infers shapes");
  }

  @Test
  void transformerStyleProjectionsAreNotFused() {
    GraphBuilder b = new GraphBuilder("block", 4);
    String x = b.input("x", 1, 5, 8);
    String q = b.add(b.node("MatMul", Attributes.EMPTY, x, b.constant("wq", b.randomNormal(0.3, 8, 8))),
        b.constant("bq", b.randomNormal(0.1, 8)));
    String k = b.node("Transpose", Attributes.of("perm", new long[] {0, 2, 1}), q);
    b.output(b.softmax(b.node("MatMul", Attributes.EMPTY, q, k), -1));
    Graph g = b.build();

    Graph f = Pipeline.standard().run(g, PassContext.forTests());

    assertEquals(ops(g), ops(f));
    assertFalse(ops(f).contains("Gemm"));
  }

  @Test
  void resultIsDeterministic() {
    Graph a = Pipeline.standard().run(exported(), PassContext.forTests());
    Graph b = Pipeline.standard().run(exported(), PassContext.forTests());
    assertEquals(a.nodes(), b.nodes());
    assertEquals(a.initializers(), b.initializers());
    assertEquals(List.copyOf(a.initializers().keySet()), List.copyOf(b.initializers().keySet()));
    for (Node n : a.nodes()) {
      assertEquals(a.type(n.output(0)), b.type(n.output(0)));
    }
  }

  @Test
  void plainRunUsesTheDefaults() {
    Graph f = Pipeline.standard().run(exported());
    assertEquals(List.of("Conv", "Relu", "Reshape", "Gemm"), ops(f));
  }
}

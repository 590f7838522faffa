package dev.hwc.backends.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.onnx.OnnxFrontend;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.zoo.ControlFlowModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * If and Loop with subgraphs that read outer values: the node's output shapes come from the subgraphs,
 * the file read back keeps the subgraphs (outer references and all), the standard pipeline keeps the
 * values only the subgraphs read, and ONNX Runtime gives the same outputs before and after it.
 */
class ControlFlowOnOrtTest {
  @TempDir Path dir;

  static Stream<Graph> models() {
    return Stream.of(ControlFlowModels.ifModel(), ControlFlowModels.loopModel(), ControlFlowModels.scanModel());
  }

  @Test
  void outputShapesComeFromTheSubgraphs() {
    Graph ifg = ControlFlowModels.ifModel();
    Node ifNode = ifg.nodes().stream().filter(n -> n.op().equals("If")).findFirst().orElseThrow();
    assertEquals(Shape.of(2, 3), ifg.type(ifNode.output(0)).shape());
    assertEquals(2, ifNode.implicitInputs().size(), "then reads h and x, else reads h: " + ifNode.implicitInputs());
    Graph loop = ControlFlowModels.loopModel();
    assertEquals(Shape.of(1, 4), loop.type("state").shape());
    assertEquals(Shape.of(4, 1, 4), loop.type("steps").shape(), "scan output: trip count x per-step shape");
    List<String> outer = loop.producer("steps").implicitInputs();
    assertEquals(1, outer.size(), "the body reads the outer weight: " + outer);
    assertTrue(loop.isInitializer(outer.get(0)));
  }

  @Test
  void renamingAnOuterValueRenamesItsReadsInsideTheSubgraphs() {
    Graph g = ControlFlowModels.loopModel();
    String w = g.producer("steps").implicitInputs().get(0);
    Graph renamed = g.edit().renameValue(w, "W_renamed").build();
    Node loop = renamed.producer("steps");
    assertEquals(List.of("W_renamed"), loop.implicitInputs());
    Graph scan = ControlFlowModels.scanModel();
    assertEquals(Shape.of(3), scan.type("total").shape());
    assertEquals(Shape.of(5, 3), scan.type("ys").shape(), "scan output: the sequence dim inserted at axis 0");
    Graph body = loop.subgraphs().get("body");
    assertTrue(body.nodes().stream().anyMatch(n -> n.inputs().contains("W_renamed")));
  }

  @Test
  void removingAnIdentityWhoseOutputOnlyASubgraphReadsRewritesTheRead() throws Exception {
    // x -> Identity -> x_id, read only inside the Loop body: remove-pass-through must point the body at x
    Graph g = ControlFlowModels.loopModel();
    String w = g.producer("steps").implicitInputs().get(0);
    Graph.Editor e = g.edit();
    e.addNode(new Node("outer_id", "Identity", List.of(w), List.of("w_id"), null));
    Node loop = g.producer("steps");
    e.replaceNode(loop, List.of(loop.withAttrs(loop.attrs().with("body",
        loop.subgraphs().get("body").withOuterRenamed(w, "w_id")))));
    Graph withId = dev.hwc.compiler.ops.ShapeInference.run(e.build());
    assertEquals(List.of("w_id"), withId.producer("steps").implicitInputs());
    Graph optimized = Pipeline.standard().run(withId, PassContext.forTests());
    assertTrue(optimized.nodes().stream().noneMatch(n -> n.op().equals("Identity")), "the outer Identity is removed");
    assertEquals(List.of(w), optimized.producer("steps").implicitInputs(), "the body now reads the weight itself");
    Path a = dir.resolve("id.onnx");
    Path b = dir.resolve("id-opt.onnx");
    new OnnxEmitter().emit(withId, a);
    new OnnxEmitter().emit(optimized, b);
    Map<String, Tensor> feed = RecurrentOnOrtTest.randomInputs(withId, 3);
    Map<String, Tensor> want = OrtSession.runOnce(a, feed);
    Map<String, Tensor> got = OrtSession.runOnce(b, feed);
    for (String out : want.keySet()) {
      assertTrue(OnnxRoundTripTest.maxAbsDiff(want.get(out), got.get(out)) <= 1e-6, out);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void roundTripsAndRunsTheSameOnOrtAfterTheStandardPipeline(Graph built) throws Exception {
    Path a = dir.resolve("built.onnx");
    new OnnxEmitter().emit(built, a);
    Graph back = new OnnxFrontend().read(a);
    Graph optimized = Pipeline.standard().run(back, PassContext.forTests());
    assertEquals(List.of(), GraphValidator.validate(optimized));
    Node cf = optimized.nodes().stream().filter(Node::hasSubgraphs).findFirst().orElseThrow();
    for (String in : cf.implicitInputs()) {
      assertTrue(optimized.producer(in) != null || optimized.isInitializer(in) || optimized.isGraphInput(in),
          "outer value " + in + " read by the subgraph survives the pipeline");
    }
    Path b = dir.resolve("opt.onnx");
    new OnnxEmitter().emit(optimized, b);
    double worst = 0;
    int thenTaken = 0;
    try (OrtSession before = OrtSession.open(a, SessionOptions.DEFAULT);
        OrtSession after = OrtSession.open(b, SessionOptions.DEFAULT)) {
      for (long seed = 0; seed < 8; seed++) {
        Map<String, Tensor> feed = RecurrentOnOrtTest.randomInputs(built, seed);
        Map<String, Tensor> want = before.run(feed);
        Map<String, Tensor> got = after.run(feed);
        assertEquals(want.keySet(), got.keySet());
        for (String out : want.keySet()) {
          org.junit.jupiter.api.Assertions.assertArrayEquals(built.type(out).shape().sizes(), got.get(out).shape(),
              out + ": hwc's inferred shape is ORT's");
          worst = Math.max(worst, OnnxRoundTripTest.maxAbsDiff(want.get(out), got.get(out)));
        }
        double s = 0;
        for (float f : feed.get("x").toFloats()) {
          s += f;
        }
        thenTaken += s > 0 ? 1 : 0;
      }
    }
    System.out.printf("%s: %d -> %d nodes, standard pipeline vs built on ORT, worst max abs %.3g (sum > 0 in %d of 8)%n",
        built.name(), built.nodes().size(), optimized.nodes().size(), worst, thenTaken);
    if (built.name().startsWith("if")) {
      assertTrue(thenTaken > 0 && thenTaken < 8, "both branches are taken");
    }
    assertTrue(worst <= 1e-5, built.name() + " differs by " + worst);
  }

}

package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.onnx.OnnxFrontend;
import dev.hwc.compiler.zoo.ControlFlowModels;
import dev.hwc.compiler.zoo.RecurrentModels;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code hwc build --target x86-fp32} of the If and Loop models matches the source on ONNX Runtime to
 * 1e-5 per output with the subgraphs kept; arm64-int8 refuses in one line naming control flow; inspect
 * lists the op and every target's blockers in one run.
 */
class ControlFlowBuildTest {
  @TempDir Path dir;

  static Stream<Graph> models() {
    return Stream.of(ControlFlowModels.ifModel(), ControlFlowModels.loopModel());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void buildsForX86Fp32AndTfliteRefusesNamingControlFlow(Graph g) throws Exception {
    String op = g.nodes().stream().filter(Node::hasSubgraphs).map(Node::op).findFirst().orElseThrow();
    Path model = dir.resolve(g.name() + ".onnx");
    Path out = dir.resolve("fp32");
    CliTest.fp32BuildWithin(g, model, out, 1e-5);
    Graph built = new OnnxFrontend().read(out.resolve(g.name() + ".onnx"));
    assertTrue(built.nodes().stream().anyMatch(n -> n.op().equals(op) && n.hasSubgraphs()), op + " kept with its subgraphs");

    CliTest.Result r = CliTest.hwc("build", "--target", "arm64-int8", model.toString(), "--calib", "random", "--bench-seconds", "0",
        "-o", dir.resolve("arm").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    String last = r.err().strip();
    assertTrue(last.contains(op + " [control flow] (1 node)") && !last.contains("\n"), last);
  }

  @Test
  void inspectListsEveryBlockerOfEveryTargetAtOnce() throws Exception {
    Graph g = ControlFlowModels.ifModel();
    Path model = dir.resolve("if.onnx");
    new OnnxEmitter().emit(g, model);
    CliTest.Result r = CliTest.hwc("inspect", model.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("If\\s+1\\s*")), r.out());
    assertTrue(r.out().contains("If is control flow (a node with subgraphs)"), r.out());
    assertTrue(r.out().contains("the TFLite backend cannot lower ReduceSum"), "the other blocker in the same run");
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("x86-fp32") && l.contains("6/6")), r.out());

    Path lstm = dir.resolve("lstm.onnx");
    new OnnxEmitter().emit(RecurrentModels.lstm(), lstm);
    r = CliTest.hwc("inspect", lstm.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("LSTM is a recurrent op"), r.out());
    assertFalse(r.out().lines().anyMatch(l -> l.startsWith("x86-int8") && !l.contains("6/6")), r.out());
  }
}

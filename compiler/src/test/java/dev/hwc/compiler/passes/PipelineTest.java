package dev.hwc.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Graph;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The pass infrastructure: enablement, requirements, fixed points, instruments. */
class PipelineTest {
  /** A pass made of a function, for testing the machinery. */
  private record FakePass(PassInfo info, UnaryOperator<Graph> f) implements Pass {
    static FakePass named(String name, int level, List<String> ran, String... requires) {
      return new FakePass(new PassInfo(name, level, List.of(requires)), g -> {
        ran.add(name);
        return g;
      });
    }

    @Override
    public Graph run(Graph g, PassContext ctx) {
      return f.apply(g);
    }
  }

  private static Graph tiny() {
    GraphBuilder b = new GraphBuilder("tiny", 1);
    b.output(b.relu(b.input("x", 2)));
    return b.build();
  }

  /** A new but equal graph: counts as a change for the fixed-point test. */
  private static Graph copy(Graph g) {
    return g.edit().build();
  }

  @Test
  void disabledWinsThenRequiredThenLevel() {
    PassContext level1 = PassContext.defaults().withOptLevel(1);
    PassInfo high = new PassInfo("high", 2);
    PassInfo low = new PassInfo("low", 1);
    assertFalse(level1.enabled(high));
    assertTrue(level1.enabled(low));
    assertTrue(level1.require("high").enabled(high));
    assertFalse(level1.require("high").disable("high").enabled(high));
    assertFalse(level1.disable("low").enabled(low));
    assertEquals(2, PassContext.DEFAULT_OPT_LEVEL);
    assertTrue(PassContext.defaults().enabled(high));
  }

  @Test
  void pipelineRunsEnabledPassesInListOrder() {
    List<String> ran = new ArrayList<>();
    Pipeline p = Pipeline.of(
        FakePass.named("a", 0, ran), FakePass.named("b", 3, ran), FakePass.named("c", 1, ran));
    Graph g = tiny();
    assertSame(g, p.run(g, PassContext.defaults()));
    assertEquals(List.of("a", "c"), ran);
    ran.clear();
    p.run(g, PassContext.defaults().require("b").disable("a"));
    assertEquals(List.of("b", "c"), ran);
  }

  @Test
  void requiredPassesRunWithTheirDependentsUnlessDisabled() {
    List<String> ran = new ArrayList<>();
    Pipeline p = Pipeline.of(
        FakePass.named("helper", 3, ran),
        FakePass.named("middle", 3, ran, "helper"),
        FakePass.named("user", 1, ran, "middle"));
    p.run(tiny(), PassContext.defaults());
    assertEquals(List.of("helper", "middle", "user"), ran, "required transitively");
    ran.clear();
    p.run(tiny(), PassContext.defaults().disable("middle"));
    assertEquals(List.of("user"), ran, "disabled wins; what only it required stays off");
    ran.clear();
    p.run(tiny(), PassContext.defaults().disable("user"));
    assertEquals(List.of(), ran);
  }

  @Test
  void pipelineRejectsMisorderedRequirementsAndDuplicates() {
    List<String> ran = new ArrayList<>();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Pipeline.of(FakePass.named("user", 1, ran, "helper"), FakePass.named("helper", 1, ran)));
    assertEquals("pass 'user' requires 'helper', which does not run before it in this pipeline", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Pipeline.of(FakePass.named("a", 1, ran), FakePass.named("a", 1, ran)));
    assertEquals("pass 'a' appears twice in one pipeline", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Pipeline.fixedPoint(0, FakePass.named("a", 1, ran)));
  }

  @Test
  void fixedPointStopsAtTheFirstRoundThatChangesNothing() {
    int[] runs = {0};
    Pass changesTwice = new FakePass(new PassInfo("twice", 1), g -> ++runs[0] <= 2 ? copy(g) : g);
    Graph g = tiny();
    Graph out = Pipeline.fixedPoint(10, changesTwice).run(g, PassContext.defaults());
    assertEquals(3, runs[0], "two changing rounds, then one that changes nothing");
    assertEquals(g.nodes(), out.nodes());
  }

  @Test
  void fixedPointIsBoundedAndSaysSo() {
    int[] runs = {0};
    Pass restless = new FakePass(new PassInfo("restless", 1), g -> {
      runs[0]++;
      return copy(g);
    });
    List<String> notes = new ArrayList<>();
    Pipeline.fixedPoint(4, restless).run(tiny(), PassContext.defaults().withLog(notes::add));
    assertEquals(4, runs[0]);
    assertEquals(List.of("pipeline did not reach a fixed point in 4 rounds; stopped there"), notes);
  }

  @Test
  void instrumentsSeeEveryPassRunAndRecordNodeCounts() {
    Pass dropLast = new FakePass(new PassInfo("drop-last", 1), g -> {
      Graph.Editor e = g.edit();
      e.nodes().remove(e.nodes().size() - 1);
      e.outputs().clear();
      e.outputs().add(g.inputs().get(0));
      return e.build();
    });
    List<String> seen = new ArrayList<>();
    PassInstrument spy = new PassInstrument() {
      @Override
      public void beforePass(PassInfo info, Graph before) {
        seen.add("before " + info.name());
      }

      @Override
      public void afterPass(PassInfo info, Graph before, Graph after, long nanos) {
        seen.add("after " + info.name());
      }
    };
    PassRecorder recorder = new PassRecorder();
    PassContext ctx = PassContext.defaults().withInstruments(spy, recorder);
    Pipeline.of(new InferShapes(), dropLast).run(tiny(), ctx);
    assertEquals(List.of("before infer-shapes", "after infer-shapes", "before drop-last", "after drop-last"), seen);
    List<PassRecord> records = recorder.records();
    assertEquals(2, records.size());
    assertEquals(new PassRecord("drop-last", 1, 0, records.get(1).millis()), records.get(1));
    assertTrue(records.get(1).millis() >= 0);
    assertTrue(records.get(1).describe().startsWith("drop-last: 1 -> 0 nodes, "), records.get(1).describe());
  }

  @Test
  void validatingInstrumentNamesThePassThatBrokeTheGraph() {
    Pass breaker = new FakePass(new PassInfo("breaker", 1), g -> {
      Graph.Editor e = g.edit();
      e.nodes().clear(); // the graph output is now never produced
      return e.build();
    });
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Pipeline.of(breaker).run(tiny(), PassContext.forTests()));
    assertTrue(e.getMessage().startsWith("pass 'breaker' produced an invalid graph: "), e.getMessage());
    assertTrue(e.getMessage().contains("never produced"), e.getMessage());
    // without the instrument the same pipeline runs through
    Pipeline.of(breaker).run(tiny(), PassContext.defaults());
  }

  @Test
  void contextKeepsTargetAndIsImmutable() {
    PassContext base = PassContext.defaults();
    PassContext tuned = base.withTarget("jetson-orin").withOptLevel(3).disable("x");
    assertEquals(java.util.Optional.empty(), base.targetId());
    assertEquals(java.util.Optional.of("jetson-orin"), tuned.targetId());
    assertEquals(2, base.optLevel());
    assertTrue(base.disabled().isEmpty());
    assertEquals(java.util.Set.of("x"), tuned.disabled());
  }
}

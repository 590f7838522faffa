package dev.hwc.compiler.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.profiles.ProfileLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

class LegalityTest {
  @Test
  void edgeTpuPartitionsAtTheFirstUnsupportedOp() {
    GraphBuilder b = new GraphBuilder("erf_mid", 1);
    String x = b.input("x", 1, 3, 16, 16);
    String y = b.relu(b.conv(x, 8, 3, 1));
    y = b.node("Erf", Attributes.EMPTY, y); // not on the Edge TPU's list
    y = b.relu(b.conv(y, 8, 3, 1));
    b.output(y);
    Legality.Report r = Legality.check(b.build(), ProfileLoader.builtin("edgetpu"));
    List<Legality.Status> s = r.verdicts().stream().map(Legality.Verdict::status).toList();
    assertEquals(List.of(Legality.Status.SUPPORTED, Legality.Status.SUPPORTED, Legality.Status.UNSUPPORTED,
        Legality.Status.CPU_AFTER_PARTITION, Legality.Status.CPU_AFTER_PARTITION), s);
    assertEquals("Erf is not supported by edgetpu", r.firstUnsupported().orElseThrow().reasons().get(0));
    assertTrue(r.verdicts().get(3).reasons().get(0).contains("after Erf"), r.verdicts().get(3).reasons().toString());
  }

  @Test
  void perOpLimitsAndShapeLimitsAreJudged() {
    GraphBuilder b = new GraphBuilder("limits", 1);
    String x = b.input("x", 1, 20000);
    b.output(b.softmax(x, 1)); // Edge TPU Softmax: at most 16,000 elements
    Legality.Report r = Legality.check(b.build(), ProfileLoader.builtin("edgetpu"));
    assertTrue(r.firstUnsupported().orElseThrow().reasons().get(0).contains("20000 elements > 16000"),
        r.verdicts().toString());

    GraphBuilder d = new GraphBuilder("dynamic", 1);
    String in = d.input("x", DType.FLOAT, Shape.of(List.of(Dim.symbol("n"), Dim.of(3), Dim.of(8), Dim.of(8))));
    d.output(d.relu(d.conv(in, 4, 3, 1)));
    Graph g = d.build();
    assertTrue(Legality.check(g, ProfileLoader.builtin("edgetpu")).firstUnsupported().orElseThrow()
        .reasons().get(0).startsWith(Legality.STATIC_SHAPES));
    assertTrue(Legality.check(g, ProfileLoader.builtin("x86-fp32")).allSupported(), "ORT takes dynamic shapes");
  }

  @Test
  void everyFloatTargetRunsTheSmallModels() {
    for (SmallModels.Entry e : SmallModels.all()) {
      Graph g = Pipeline.standard().run(e.factory().apply(1));
      for (String target : List.of("x86-fp32", "cpu-fallback", "cuda-fp16", "x86-int8")) {
        assertTrue(Legality.check(g, ProfileLoader.builtin(target)).allSupported(), e.name() + " on " + target);
      }
    }
  }
}

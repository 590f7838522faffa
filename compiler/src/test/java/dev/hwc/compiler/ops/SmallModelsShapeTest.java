package dev.hwc.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.zoo.SmallModels;
import org.junit.jupiter.api.Test;

class SmallModelsShapeTest {
  @Test
  void everySmallModelIsValidWithStaticShapes() {
    for (SmallModels.Entry e : SmallModels.all()) {
      Graph g = e.factory().apply(1);
      assertEquals(java.util.List.of(), GraphValidator.validate(g), e.name());
      g.nodes().forEach(n -> n.outputs().forEach(o ->
          assertTrue(g.type(o).shape().isStatic(), e.name() + ": " + o + " " + g.type(o))));
    }
  }

  @Test
  void unetShapesFollowTheEncoderDecoder() {
    Graph g = SmallModels.unetLike(1);
    assertEquals(Shape.of(1, 3, 64, 32), g.type(g.outputs().get(0).name()).shape());
    Graph two = SmallModels.twoOutput(1);
    assertEquals(Shape.of(1, 1, 32, 32), two.outputs().get(0).shape());
    assertEquals(Shape.of(1, 4), two.outputs().get(1).shape());
  }

  @Test
  void sameSeedSameWeights() {
    Graph a = SmallModels.plainConvStack(3);
    Graph b = SmallModels.plainConvStack(3);
    Graph c = SmallModels.plainConvStack(4);
    assertEquals(a.initializers(), b.initializers());
    assertTrue(!a.initializers().equals(c.initializers()));
  }
}

package dev.hwc.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.profiles.ProfileLoader;
import org.junit.jupiter.api.Test;

/**
 * The {@code --fine-tune} spec, and what a build says when fine-tuning is asked for without the
 * training module on the class path (hwc-build alone, as in this module's tests).
 */
class FineTuneSpecTest {
  @Test
  void specParsesWithDefaults() {
    Compression.FineTune d = Compression.FineTune.parse("", true);
    assertEquals(Compression.FineTune.DEFAULT_STEPS, d.steps());
    assertTrue(d.distill());
    Compression.FineTune f = Compression.FineTune.parse("steps=50, seconds=30,seed=4,lr=5e-4,batch=2", false);
    assertEquals(50, f.steps());
    assertEquals(30, f.seconds(), 0);
    assertEquals(4, f.seed());
    assertEquals(5e-4, f.learningRate(), 0);
    assertEquals(2, f.batch());
    assertEquals(Compression.FineTune.DEFAULT_RARE, f.rare(), 0);
    assertEquals(1.0, Compression.FineTune.parse("rare=1", true).rare(), 0);
    assertEquals(1.0, Compression.FineTune.parse("rare=1", true).withSteps(9).withTrain(null).rare(), 0, "kept by the withers");
    Compression c = new Compression(Compression.Pruning.parse("unstructured:0.5"), Compression.FineTune.distill(20));
    assertEquals("unstructured-0.50+distill-20", c.id());
  }

  @Test
  void badSpecsAreOneLine() {
    for (String bad : new String[] {"steps", "steps=x", "steps=0", "epochs=3", "lr=2", "seconds=-1", "rare=-1", "rare=x"}) {
      BadInputException e = assertThrows(BadInputException.class, () -> Compression.FineTune.parse(bad, true));
      assertTrue(e.getMessage().startsWith("--fine-tune"), e.getMessage());
      assertTrue(!e.getMessage().contains("\n"));
    }
    BadInputException e = assertThrows(BadInputException.class,
        () -> new Compression(null, Compression.FineTune.distill(5)));
    assertTrue(e.getMessage().contains("needs --prune"), e.getMessage());
  }

  @Test
  void withoutTheTrainingModuleTheBuildSaysHowToGetIt() {
    Compression c = new Compression(Compression.Pruning.parse("unstructured:0.5"), Compression.FineTune.distill(5));
    BadInputException e = assertThrows(BadInputException.class, () -> Compiler.build(BuildRequest.builder(
        ModelInput.graph(SmallModels.plainConvStack(2)), ProfileLoader.builtin("x86-fp32")).precision(Precision.FP32)
        .compression(c).benchSeconds(0).build()));
    assertTrue(e.getMessage().contains("training module"), e.getMessage());
  }
}

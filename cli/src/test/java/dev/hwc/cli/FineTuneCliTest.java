package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.compiler.zoo.SmallModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --fine-tune} on the command line: bad specs and a missing training module (this module's
 * tests run without hwc-training) are one line and exit 2, and nothing is written.
 */
class FineTuneCliTest {
  @TempDir Path dir;

  private void assertOneLineExit2(String mention, String... args) throws Exception {
    Path m = dir.resolve("stack.onnx");
    Files.write(m, new OnnxEmitter().toBytes(SmallModels.plainConvStack(2)));
    Path out = dir.resolve("out");
    String[] full = new String[args.length + 6];
    full[0] = "build";
    full[1] = "--target";
    full[2] = "x86-fp32";
    full[3] = m.toString();
    full[4] = "-o";
    full[5] = out.toString();
    System.arraycopy(args, 0, full, 6, args.length);
    CliTest.Result r = CliTest.hwc(full);
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains(mention), "expected '" + mention + "' in " + r.err());
    assertFalse(r.err().contains("Exception"), r.err());
    assertFalse(Files.exists(out), "nothing written");
  }

  @Test
  void badFineTuneInputsAreOneLine() throws Exception {
    assertOneLineExit2("needs --prune", "--fine-tune");
    assertOneLineExit2("needs --prune", "--distill");
    assertOneLineExit2("steps 'abc' is not a number", "--prune", "unstructured:0.5", "--fine-tune", "steps=abc");
    assertOneLineExit2("unknown key 'epochs'", "--prune", "unstructured:0.5", "--fine-tune", "epochs=3");
    assertOneLineExit2("training module", "--prune", "unstructured:0.5", "--distill", "--fine-tune-steps", "5");
  }
}

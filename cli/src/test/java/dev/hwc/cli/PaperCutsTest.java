package dev.hwc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.common.BadInputException;
import dev.hwc.compiler.zoo.SmallModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small things a new user hits first: each one a clear line and exit 2, or clean output. */
class PaperCutsTest {
  @TempDir Path dir;

  private Path model() throws Exception {
    Path m = dir.resolve("unet.onnx");
    Files.write(m, new OnnxEmitter().toBytes(SmallModels.unetLike(1)));
    return m;
  }

  private static void assertOneLineExit2(CliTest.Result r, String mention) {
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains(mention), "expected '" + mention + "' in " + r.err());
    assertFalse(r.err().contains("java.") || r.err().contains("Exception"), r.err());
  }

  @Test
  void aTrailingXInAShapeIsAnEmptySize() throws Exception {
    BadInputException e = assertThrows(BadInputException.class, () -> ShapeOption.parse(List.of("image=1x1x512x64x")));
    assertTrue(e.getMessage().contains("size 5 is empty"), e.getMessage());
    assertTrue(assertThrows(BadInputException.class, () -> ShapeOption.parse(List.of("image=1x1x512x")))
        .getMessage().contains("'image=1x1x512x': size 4 is empty"));
    assertTrue(assertThrows(BadInputException.class, () -> ShapeOption.parse(List.of("image=x4")))
        .getMessage().contains("size 1 is empty"));
    assertEquals(4, ShapeOption.parse(List.of("image=1x1x512x64")).get("image").length);
    assertOneLineExit2(CliTest.hwc("inspect", model().toString(), "--shape", "x=1x3x32x"), "size 4 is empty");
  }

  @Test
  void evalBesideTheModelIsUsedAndFewSamplesAreWarnedOf() throws Exception {
    Path m = model();
    Path eval = Files.createDirectories(dir.resolve("eval"));
    var g = dev.hwc.compiler.frontend.Frontends.read(m);
    var samples = dev.hwc.compiler.data.SampleSet.random(g, 2, 7);
    for (int i = 0; i < samples.size(); i++) {
      dev.hwc.compiler.data.Npy.writeNpz(eval.resolve("s" + i + ".npz"), samples.get(i));
    }
    CliTest.Result r = CliTest.hwc("build", "--target", "x86-fp32", m.toString(), "-o", dir.resolve("out").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("using eval data found beside the model: " + eval.toAbsolutePath()), r.out());
    assertTrue(r.out().contains("WARNING: the gate is judged on only 2 held-out samples"), r.out());
    assertTrue(Files.readString(dir.resolve("out/report.json")).contains("\"samples\" : 2"));
  }

  @Test
  void inspectOfAnUnknownTargetIsAnError() throws Exception {
    CliTest.Result r = CliTest.hwc("inspect", "--target", "x86", model().toString());
    assertOneLineExit2(r, "unknown profile 'x86'");
    assertEquals("", r.out());
    assertEquals(0, CliTest.hwc("inspect", "--target", "x86-fp32", model().toString()).code());
  }

  @Test
  void aFolderGivenAsTheModelIsSaidToBeAFolder() throws Exception {
    model();
    assertOneLineExit2(CliTest.hwc("inspect", dir.toString()), "is a folder, not a model file");
    CliTest.Result b = CliTest.hwc("build", "--target", "x86-fp32", dir.toString(), "-o", dir.resolve("o").toString());
    assertOneLineExit2(b, "(it holds unet.onnx)");
    assertFalse(Files.exists(dir.resolve("o")));
  }

  @Test
  void aTruncatedCalibrationFileIsOneLineWithoutJavaClassNames() throws Exception {
    Path calib = Files.createDirectories(dir.resolve("calib-cut"));
    Path example = OutputFolderCliTest.copyExample(dir.resolve("wl"));
    byte[] whole = Files.readAllBytes(example.resolve("calib/strips.npz"));
    Files.write(calib.resolve("strips.npz"), java.util.Arrays.copyOf(whole, whole.length / 3));
    CliTest.Result r = CliTest.hwc("build", "--target", "x86-int8", example.resolve("welllog.onnx").toString(),
        "--calib", calib.toString(), "-o", dir.resolve("o").toString());
    assertOneLineExit2(r, "strips.npz");
    assertFalse(Files.exists(dir.resolve("o")));
  }

  @Test
  void verboseIsTakenByEveryCommandAndTurnsTheNativeLogsOn() {
    String key = dev.hwc.backends.NativeLogs.PROPERTY;
    String before = System.getProperty(key);
    try {
      assertEquals(0, CliTest.hwc("targets").code());
      assertEquals(before, System.getProperty(key), "quiet unless asked");
      assertEquals(0, CliTest.hwc("targets", "--verbose").code());
      assertEquals("true", System.getProperty(key));
      System.clearProperty(key);
      assertEquals(0, CliTest.hwc("-v", "targets").code());
      assertEquals("true", System.getProperty(key));
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }

  @Test
  void progressIsOnePlainLineWhenNotOnATerminal() {
    StringWriter out = new StringWriter();
    Progress p = new Progress(new PrintWriter(out, true), "calibrate"); // no console under the test runner
    for (int i = 0; i <= 200; i++) {
      p.accept(i, 200);
    }
    assertEquals("calibrate: 200/200 done" + System.lineSeparator(), out.toString());
    StringWriter term = new StringWriter();
    StringWriter plain = new StringWriter();
    Progress bar = new Progress(new PrintWriter(plain, true), "smooth", new PrintWriter(term, true));
    bar.accept(1, 2);
    bar.accept(2, 2);
    assertEquals("", plain.toString(), "the bar never goes to the output");
    assertTrue(term.toString().startsWith("\rsmooth [###############...............] 1/2\rsmooth ["), term.toString());
  }

  @Test
  void anInt8BuildsOutputHasNoCarriageReturns() throws Exception {
    CliTest.Result r = CliTest.hwc("build", "--target", "x86-int8", "--bench-seconds", "0", "-o",
        dir.resolve("int8").toString());
    assertEquals(0, r.code(), r.err());
    assertFalse(r.out().contains("\r"), r.out());
    assertTrue(r.out().contains("calibrate: "), r.out());
  }
}

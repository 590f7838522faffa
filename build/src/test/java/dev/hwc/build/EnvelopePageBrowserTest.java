package dev.hwc.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hwc.profiles.ProfileLoader;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * envelope.html in a real browser: headless Chromium (Debian's chromium package; .ci/run installs it)
 * loads the page of a small timed sweep, its script runs without errors, the screenshot is not blank,
 * and moving the lever (the page's #step=N sets it through the same input handler) changes the readout;
 * so do real key presses (ArrowRight, End) on the focused lever, sent over the DevTools protocol.
 * Skipped, saying so, only where no Chromium is installed.
 */
class EnvelopePageBrowserTest {
  @TempDir Path dir;

  @Test
  void thePageRendersAndTheLeverMovesTheReadout() throws Exception {
    var chromium = Chromium.find();
    assumeTrue(chromium.isPresent(), "headless Chromium not installed (apt-get install chromium): browser test skipped");
    List<SweepGrid.Entry> grid = SweepTest.grid().subList(5, 9); // levels 0.5 .. 0.8 around the wall
    List<SweepGrid.Entry> withBase = new java.util.ArrayList<>(List.of(SweepTest.grid().get(0)));
    withBase.addAll(grid);
    Path out = dir.resolve("sweep");
    SweepResult r = Compiler.sweep(SweepRequest.of(ModelInput.graph(SweepTest.builtToBreak()),
        ProfileLoader.builtin("x86-fp32")).withGrid(withBase).withBenchSeconds(0.1)
        .withCost(10, null, new double[] {1, 3}).withOutput(out, true).withShip(false, true));
    assertTrue(r.candidates().stream().filter(SweepResult.Candidate::built).allMatch(c -> c.cost() != null),
        "every built candidate is timed and priced");
    Path page = out.resolve("envelope.html");

    Chromium.Output first = chromium.get().dumpDom(page, "step=0");
    Chromium.Output third = chromium.get().dumpDom(page, "step=3");
    for (Chromium.Output o : List.of(first, third)) {
      assertTrue(o.stdout().contains("data-ready=\"yes\""), "the page's script ran to its end");
      assertTrue(o.stdout().contains("<pre id=\"errors\"></pre>"), "no script errors caught on the page");
      assertFalse(o.stderr().contains("Uncaught"), "no uncaught errors in the console: " + o.stderr());
      assertFalse(Pattern.compile("CONSOLE.*(error|Error)").matcher(o.stderr()).find(), "console errors: " + o.stderr());
    }
    String a = readout(first.stdout());
    String b = readout(third.stdout());
    assertEquals(r.candidates().get(0).id(), a);
    assertEquals(r.candidates().get(3).id(), b);
    assertNotEquals(a, b, "moving the lever changes the readout");
    assertTrue(third.stdout().contains("EUR/month"));

    // the keyboard: focus the lever, ArrowRight moves it one step and the readout follows; End goes to the last
    try (Chromium.Session s = chromium.get().open(page, "document.body.getAttribute('data-ready') === 'yes'")) {
      String cand = "document.getElementById('readout').getAttribute('data-candidate')";
      s.evaluate("document.getElementById('lever').value = 0; document.getElementById('lever')"
          + ".dispatchEvent(new Event('input')); document.getElementById('lever').focus()");
      assertEquals("lever", s.evaluate("document.activeElement.id"));
      assertEquals(r.candidates().get(0).id(), s.evaluate(cand));
      s.press("ArrowRight");
      assertEquals("1", s.evaluate("document.getElementById('lever').value"), "ArrowRight moved the lever");
      assertEquals(r.candidates().get(1).id(), s.evaluate(cand), "and the readout with it");
      s.press("End");
      int last = (int) r.candidates().stream().filter(SweepResult.Candidate::built).count() - 1;
      assertEquals(String.valueOf(last), s.evaluate("document.getElementById('lever').value"));
      assertEquals(r.candidates().get(last).id(), s.evaluate(cand), "End: the most compressed candidate");
      assertEquals(r.candidates().get(last).id() + (r.candidates().get(last).passed() ? ", passes" : ", fails the gate"),
          s.evaluate("document.getElementById('lever').getAttribute('aria-valuetext')"));
      assertEquals("", s.evaluate("document.getElementById('errors').textContent"), "no script errors");
    }

    // envelope.png from the sweep itself: a real picture, not a blank page
    Path png = out.resolve("envelope.png");
    assertTrue(Files.exists(png), "the sweep wrote envelope.png");
    BufferedImage img = ImageIO.read(png.toFile());
    Set<Integer> colors = new HashSet<>();
    long nonWhite = 0;
    for (int y = 0; y < img.getHeight(); y += 2) {
      for (int x = 0; x < img.getWidth(); x += 2) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        colors.add(rgb);
        if (rgb != 0xffffff) {
          nonWhite++;
        }
      }
    }
    assertTrue(colors.size() > 20, "distinct colours in the screenshot: " + colors.size());
    assertTrue(nonWhite > img.getWidth() * img.getHeight() / 4 / 50, "non-white pixels: " + nonWhite);
  }

  private static String readout(String dom) {
    Matcher m = Pattern.compile("id=\"readout\"[^>]*data-candidate=\"([^\"]+)\"|data-candidate=\"([^\"]+)\"[^>]*id=\"readout\"")
        .matcher(dom);
    assertTrue(m.find(), "the readout names its candidate");
    return m.group(1) != null ? m.group(1) : m.group(2);
  }
}

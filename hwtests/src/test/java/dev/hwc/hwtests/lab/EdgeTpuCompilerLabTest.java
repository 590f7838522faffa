package dev.hwc.hwtests.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hwc.backends.calib.Calibrator;
import dev.hwc.backends.tflite.EdgeTpuReport;
import dev.hwc.backends.tflite.TflModel;
import dev.hwc.backends.tflite.TflWriter;
import dev.hwc.backends.tflite.TfliteLowering;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.passes.UpgradeOpset;
import dev.hwc.compiler.quant.QuantScheme;
import dev.hwc.compiler.quant.StaticQuantizer;
import dev.hwc.compiler.quant.calib.Calibration;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.profiles.Profile;
import dev.hwc.profiles.ProfileLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hardware lab (Coral machines, -Phardware): the Edge TPU compiler's own verdict against hwc's
 * mapping report. Runs where {@code edgetpu_compiler} is on the PATH (Coral's Debian package; it
 * needs no device), else is skipped with the reason: for each model hwc builds for the Edge TPU,
 * the number of ops the compiler puts on the TPU must equal the report's.
 */
@Tag("edgetpu")
class EdgeTpuCompilerLabTest {
  @TempDir Path dir;

  @Test
  void edgeTpuCompilerAgreesWithTheMappingReport() throws Exception {
    boolean present = System.getenv("PATH") != null && java.util.Arrays.stream(System.getenv("PATH").split(":"))
        .anyMatch(d -> Files.isExecutable(Path.of(d, "edgetpu_compiler")));
    assumeTrue(present, "edgetpu_compiler is not on the PATH (Coral's apt package edgetpu-compiler)");
    Profile edgetpu = ProfileLoader.builtin("edgetpu");
    for (SmallModels.Entry e : List.of(new SmallModels.Entry("depthwise-separable", SmallModels::depthwiseSeparable),
        new SmallModels.Entry("unet-like", SmallModels::unetLike),
        new SmallModels.Entry("leaky-relu-middle", SmallModels::leakyReluInTheMiddle))) {
      Graph g = UpgradeOpset.to(Pipeline.standard().run(e.factory().apply(7)), UpgradeOpset.QDQ_PER_AXIS_OPSET);
      QuantScheme scheme = dev.hwc.backends.TargetBackend.of(edgetpu).quantScheme(edgetpu);
      StaticQuantizer.Plan plan = StaticQuantizer.plan(g, scheme, Set.of());
      Map<String, double[]> lohi = new LinkedHashMap<>();
      Calibrator.calibrate(g, plan.toCalibrate(), SampleSet.random(g.inputs(), 16, 1), Calibration.PERCENTILE)
          .forEach((k, r) -> lohi.put(k, new double[] {r.lo(), r.hi()}));
      Graph q = StaticQuantizer.apply(g, plan, lohi, scheme);
      TflModel m = TfliteLowering.lower(q, TfliteLowering.Options.FULL_INTEGER.withTransposeConvBias(false)).model();
      EdgeTpuReport.Report report = EdgeTpuReport.analyze(m, q, edgetpu);
      Path model = dir.resolve(e.name() + "_int8.tflite");
      Files.write(model, TflWriter.write(m));
      Process p = new ProcessBuilder("edgetpu_compiler", "-s", "-o", dir.toString(), model.toString())
          .redirectErrorStream(true).start();
      String log = new String(p.getInputStream().readAllBytes());
      assertEquals(0, p.waitFor(), log);
      Matcher onTpu = Pattern.compile("run on Edge TPU:\\s*(\\d+)").matcher(log);
      assertTrue(onTpu.find(), "no op count in the compiler's log:\n" + log);
      System.out.printf("%s: edgetpu_compiler maps %s ops, hwc's report %d of %d%n", e.name(), onTpu.group(1),
          report.opsOnTpu(), report.opsTotal());
      assertEquals(report.opsOnTpu(), Integer.parseInt(onTpu.group(1)), e.name() + "\n" + log + "\n" + report.summary());
      assertTrue(Files.isRegularFile(dir.resolve(e.name() + "_int8_edgetpu.tflite")));
      // the segmented deployment: the compiler maps every op of each TPU segment, as the report says
      var segments = dev.hwc.backends.tflite.EdgeTpuSegments.plan(m, report, 3);
      dev.hwc.backends.tflite.EdgeTpuSegments.Manifest man =
          dev.hwc.backends.tflite.EdgeTpuSegments.write(m, segments, dir, e.name() + "_int8", model.getFileName().toString());
      for (dev.hwc.backends.tflite.EdgeTpuSegments.ManifestPart part : man.parts()) {
        if (!part.runtime().equals("edgetpu")) {
          continue;
        }
        Process c = new ProcessBuilder("edgetpu_compiler", "-s", "-o", dir.toString(), dir.resolve(part.file()).toString())
            .redirectErrorStream(true).start();
        String partLog = new String(c.getInputStream().readAllBytes());
        assertEquals(0, c.waitFor(), partLog);
        Matcher mapped = Pattern.compile("run on Edge TPU:\\s*(\\d+)").matcher(partLog);
        assertTrue(mapped.find(), "no op count in the compiler's log:\n" + partLog);
        System.out.printf("%s part %d: edgetpu_compiler maps %s of %d ops%n", e.name(), part.index(), mapped.group(1), part.ops());
        assertEquals(part.ops(), Integer.parseInt(mapped.group(1)), e.name() + " part " + part.index() + "\n" + partLog);
        assertTrue(Files.isRegularFile(dir.resolve(part.compiledFile())), part.compiledFile());
      }
    }
  }
}

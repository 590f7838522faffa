package dev.hwc.cli;

import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import dev.hwc.backends.tflite.Deployment;
import dev.hwc.backends.tflite.EdgeTpuSegments;
import dev.hwc.backends.tflite.TfliteRuntime;
import dev.hwc.common.BadInputException;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.hwtests.bench.BenchInputs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code hwc run deploy.json}: runs a segmented deployment's parts in order on TFLite interpreters
 * (XNNPACK; TPU segments run their CPU file here, this machine has no Edge TPU) and summarizes the
 * outputs and each part's time.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run a segmented deployment (deploy.json from 'hwc build --target edgetpu'): its parts in order, "
        + "each on a TFLite interpreter, the host carrying the tensors between them; prints each output and each part's time.",
        "TPU segments run their CPU .tflite here (no Edge TPU delegate on this machine)."})
final class RunCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MANIFEST", description = "The deployment manifest (deploy.json).")
  Path manifest;

  @Option(names = "--inputs", paramLabel = "PATH",
      description = "Samples: an .npz/.npy file or a folder of them, arrays named after the inputs; the deployment's "
          + "own int8 tensors, or the source model's float ones (NCHW), quantized with the input's params "
          + "(default: seeded random data of the inputs' shapes and types).")
  Path inputs;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the random inputs (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--runs", paramLabel = "N", defaultValue = "1",
      description = "Runs per sample; part times are the mean (default: ${DEFAULT-VALUE}; 'hwc bench deploy.json' measures properly).")
  int runs;

  @Option(names = "--compare", paramLabel = "TFLITE",
      description = "The single-file artifact: run it on the same inputs and say whether every output byte is equal.")
  Path compare;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "Threads per interpreter (default: one per CPU).")
  int threads;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (runs < 1 || threads < 0) {
      throw new BadInputException("--runs must be at least 1 and --threads at least 0");
    }
    PrintWriter out = spec.commandLine().getOut();
    SessionOptions opts = new SessionOptions(threads, true);
    try (Deployment d = Deployment.load(manifest, opts);
        RuntimeSession single = compare == null ? null : new TfliteRuntime().open(compare, opts)) {
      EdgeTpuSegments.Manifest m = d.manifest();
      out.printf(Locale.ROOT, "%s: TPU MAC share %.1f%% (single file %.1f%%); %s%n",
          manifest, 100 * m.tpuMacShare(), 100 * m.singleFileTpuMacShare(), d.describe());
      List<Map<String, Tensor>> samples = BenchInputs.load(d.inputs(), inputs, Map.of(), seed);
      out.println(inputs == null ? "inputs: seeded random (seed " + seed + ")" : "inputs: " + samples.size() + " sample(s) from " + inputs);
      long[] nanos = new long[m.parts().size()];
      boolean allEqual = true;
      for (int s = 0; s < samples.size(); s++) {
        Map<String, Tensor> feed = ownInputs(d, samples.get(s));
        Map<String, Tensor> got = null;
        for (int r = 0; r < runs; r++) {
          got = d.runTimed(feed, nanos);
        }
        Table t = new Table("sample", "output", "dtype", "shape", "min", "max", "mean", "real min", "real max");
        for (EdgeTpuSegments.Binding b : m.outputs()) {
          Tensor x = got.get(b.name());
          double[] v = x.toDoubles();
          double min = Arrays.stream(v).min().orElse(Double.NaN);
          double max = Arrays.stream(v).max().orElse(Double.NaN);
          double mean = Arrays.stream(v).average().orElse(Double.NaN);
          boolean q = b.scale() != null;
          t.row(s, b.name(), x.dtype().shortName(), Arrays.toString(x.shape()), fmt(min), fmt(max), fmt(mean),
              q ? fmt((min - b.zeroPoint()) * b.scale()) : "-", q ? fmt((max - b.zeroPoint()) * b.scale()) : "-");
        }
        t.print(out);
        if (single != null) {
          Map<String, Tensor> want = single.run(feed);
          for (String name : want.keySet()) {
            Tensor g = got.get(name);
            allEqual &= g != null && Arrays.equals(want.get(name).bytes(), g.bytes());
          }
        }
      }
      Table parts = new Table("part", "runtime", "file", "ops", "mean ms");
      long total = 0;
      for (int k = 0; k < nanos.length; k++) {
        EdgeTpuSegments.ManifestPart p = m.parts().get(k);
        total += nanos[k];
        parts.row(k, p.runtime(), p.file(), p.ops(), fmt(nanos[k] / 1e6 / (runs * samples.size())));
      }
      parts.row("all", "", "", m.parts().stream().mapToInt(EdgeTpuSegments.ManifestPart::ops).sum(),
          fmt(total / 1e6 / (runs * samples.size())));
      parts.print(out);
      if (single != null) {
        out.println(allEqual ? "same as " + compare + ": every output byte equal on " + samples.size() + " sample(s)"
            : "DIFFERENT from " + compare + " on the same inputs");
        return allEqual ? Hwc.OK : Hwc.CHECK_FAILED;
      }
    }
    return Hwc.OK;
  }

  /** A sample as the deployment's own inputs: as it is when it already has their types and shapes, else from the source's IO. */
  private static Map<String, Tensor> ownInputs(Deployment d, Map<String, Tensor> sample) {
    boolean own = d.inputs().stream().allMatch(v -> {
      Tensor t = sample.get(v.name());
      return t != null && t.dtype() == v.dtype() && Arrays.equals(t.shape(), v.shape().sizes());
    });
    return own ? sample : d.fromSource(sample);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, Math.abs(v) >= 1000 || v == Math.rint(v) ? "%.0f" : "%.4g", v);
  }
}

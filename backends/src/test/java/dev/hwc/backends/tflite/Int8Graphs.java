package dev.hwc.backends.tflite;

import dev.hwc.backends.calib.Calibrator;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.compiler.passes.UpgradeOpset;
import dev.hwc.compiler.quant.QuantScheme;
import dev.hwc.compiler.quant.StaticQuantizer;
import dev.hwc.compiler.quant.calib.Calibration;
import dev.hwc.compiler.quant.calib.TensorRange;
import dev.hwc.profiles.Profile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The static int8 QDQ graph of a model for a profile, calibrated on ONNX Runtime (as hwc build does). */
final class Int8Graphs {
  private Int8Graphs() {}

  /** The optimized float graph, at the opset QDQ needs. */
  static Graph optimized(Graph g) {
    return UpgradeOpset.to(Pipeline.standard().run(g, PassContext.forTests()), UpgradeOpset.QDQ_PER_AXIS_OPSET);
  }

  static Graph staticQdq(Graph optimized, Profile p, SampleSet calib) throws Exception {
    QuantScheme scheme = dev.hwc.backends.TargetBackend.of(p).quantScheme(p);
    StaticQuantizer.Plan plan = StaticQuantizer.plan(optimized, scheme, Set.of());
    List<String> observe = plan.activations().stream().filter(v -> !plan.fixed().containsKey(v)).toList();
    Map<String, TensorRange> ranges = Calibrator.calibrate(optimized, observe, calib, Calibration.PERCENTILE);
    Map<String, double[]> lohi = new LinkedHashMap<>();
    ranges.forEach((k, r) -> lohi.put(k, new double[] {r.lo(), r.hi()}));
    return StaticQuantizer.apply(optimized, plan, lohi, scheme);
  }
}

package dev.hwc.backends.calib;

import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.compiler.quant.Fp16Ranges;
import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.quant.calib.MinMaxCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ranges a float16 build is planned from: runs the float32 graph on ONNX Runtime over sample
 * inputs, records the largest finite |x| of every float activation (NaN and infinities are left out:
 * the build warns about non-finite samples), and asks
 * {@link Fp16Ranges} which of them cannot live in fp16.
 */
public final class Fp16Calibration {
  private Fp16Calibration() {}

  /** The largest finite |x| of every float node output of {@code g} over {@code samples}. */
  public static Map<String, Double> absMax(Graph g, SampleSet samples) throws Exception {
    Graph typed = ShapeInference.run(g);
    List<String> names = new ArrayList<>();
    for (Node n : typed.nodes()) {
      for (String o : n.outputs()) {
        Value t = o.isEmpty() ? null : typed.type(o);
        if (t != null && t.dtype() == DType.FLOAT) {
          names.add(o);
        }
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    if (names.isEmpty()) {
      return out;
    }
    Map<String, MinMaxCollector> seen = new LinkedHashMap<>();
    names.forEach(v -> seen.put(v, new MinMaxCollector()));
    try (IntermediateRunner r = IntermediateRunner.open(typed, names, SessionOptions.DEFAULT)) {
      for (int i = 0; i < samples.size(); i++) {
        r.run(samples.get(i)).forEach((name, t) -> seen.get(name).add(t));
      }
    }
    seen.forEach((name, c) -> out.put(name, (double) c.absMax()));
    return out;
  }

  /** The float activations of {@code g} to keep in fp32, judged on {@code samples}. */
  public static List<Fp16Ranges.Kept> keepInFp32(Graph g, SampleSet samples) throws Exception {
    Graph typed = ShapeInference.run(g);
    return Fp16Ranges.keepInFp32(typed, absMax(typed, samples));
  }
}

package dev.hwc.backends.calib;

import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.compiler.quant.Fp16Ranges;
import dev.hwc.compiler.quant.calib.Calibration;
import dev.hwc.compiler.quant.calib.TensorRange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ranges a float16 build is planned from: runs the float32 graph on ONNX Runtime over sample
 * inputs, records the largest finite |x| of every float activation (min/max calibration), and asks
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
    Map<String, TensorRange> ranges = Calibrator.calibrate(typed, names, samples, Calibration.MINMAX);
    ranges.forEach((name, r) -> out.put(name, (double) Math.max(Math.abs(r.min()), Math.abs(r.max()))));
    return out;
  }

  /** The float activations of {@code g} to keep in fp32, judged on {@code samples}. */
  public static List<Fp16Ranges.Kept> keepInFp32(Graph g, SampleSet samples) throws Exception {
    Graph typed = ShapeInference.run(g);
    return Fp16Ranges.keepInFp32(typed, absMax(typed, samples));
  }
}

package dev.hwc.build;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.quant.QuantScheme;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Convs that may be slower in int8 than in float on ONNX Runtime's x86 CPU kernels and cost no Q/DQ
 * island to keep float (the build times a plan keeping them float against the all-int8 one, and the
 * speed check keeps the faster): a conv reading the float graph input directly whose input channels are not
 * a multiple of 4 (an RGB stem). MLAS's symmetric int8 conv (MlasConvSymPackWSize in
 * onnxruntime/core/mlas/lib/convsym.cpp) takes only input channel counts that are multiples of 4;
 * the int8 plan pads such a stem to 4 channels ({@link dev.hwc.compiler.quant.QdqOrtConvForms}), and
 * still pays a QuantizeLinear and an NCHW -> NHWC Transpose of the input, which the float stem does
 * not. Measured on the 224 x 224 MobileNetV3-style zoo model (ONNX Runtime profiler, 1 thread, per-node
 * medians): float stem 0.23 ms + its output's Q and reorder, against int8 0.45 ms unpadded, 0.25 ms
 * padded + the Pad 0.03 ms (bench/RESULTS.md, issue 15; the machine was loaded).
 *
 * <p>Other float islands inside the int8 region were measured and lose: a float depthwise conv between
 * integer neighbours pays DQ, Q, two Transposes (ONNX Runtime runs the int8 region in NHWC) and two
 * NCHWc reorders, more than ONNX Runtime's slower int8 depthwise kernel costs (bench/RESULTS.md).
 */
final class OrtConvSpeed {
  private OrtConvSpeed() {}

  static final String REASON = "reads the float graph input with input channels not a multiple of 4: ONNX Runtime's "
      + "fast int8 conv (MLAS ConvSym) needs a multiple of 4, so int8 (padded to 4 channels) plus the input's Q and "
      + "transpose can be slower than float";

  /** The convs worth timing in float on uint8 QDQ targets (ONNX Runtime x86); empty for other schemes. */
  static Set<String> slowerInInt8(Graph g, QuantScheme scheme) {
    Set<String> out = new LinkedHashSet<>();
    if (scheme.fullInteger() || scheme.activations() != DType.UINT8 || !scheme.floatAllowed()) {
      return out;
    }
    for (Node n : g.nodes()) {
      if (!n.op().equals("Conv") || !g.isGraphInput(n.input(0)) || !g.isInitializer(n.input(1))
          || n.attrs().getInt("group", 1) != 1) {
        continue;
      }
      Tensor w = g.initializer(n.input(1));
      if (w.rank() >= 3 && w.shape()[1] % 4 != 0) {
        out.add(n.name());
      }
    }
    return out;
  }
}

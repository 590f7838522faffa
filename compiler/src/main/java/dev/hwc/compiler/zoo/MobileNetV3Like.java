package dev.hwc.compiler.zoo;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;

/**
 * A small MobileNetV3-style classifier (64 x 64 RGB in, 10 logits out), written the way converters
 * export one rather than the way hwc would: every hard swish is spelled as an exporter writes it
 * (the HardSwish op of opset 14, {@code x * HardSigmoid(x)}, or {@code x * relu6(x + 3) / 6} with
 * relu6 as Clip(0, 6) or as Min(Max(x, 0), 6)); inverted-residual blocks with squeeze-excite gates
 * (ReduceMean over H, W or GlobalAveragePool, 1x1 convs, a HardSigmoid or {@code relu6(x + 3) / 6}
 * gate); BatchNormalization after every conv and one standalone after a residual Add; a Pad before
 * a VALID stride-2 conv (TensorFlow's "same"); a Squeeze/Unsqueeze/Reshape chain and a no-op Cast
 * before the classifier. Not in {@link SmallModels#all()}: hwc's passes rewrite most of its ops.
 */
public final class MobileNetV3Like {
  private MobileNetV3Like() {}

  public static Graph build(long seed) {
    return build(seed, 64);
  }

  /** The same network on a {@code size} x {@code size} image (224: MobileNetV3's own input; 64 keeps tests quick). */
  public static Graph build(long seed, int size) {
    GraphBuilder b = new GraphBuilder(size == 64 ? "mobilenet_v3_like" : "mobilenet_v3_like_" + size, seed);
    String x = b.input("image", 1, 3, size, size);
    // stem: TF-style explicit pad + VALID stride-2 conv, BN, hard swish as x * relu6(x + 3) / 6
    String padded = b.node("Pad", Attributes.EMPTY, x, b.constant("stem_pads", Tensor.vector(0, 0, 0, 0, 0, 0, 1, 1)));
    String stem = b.node("Conv", Attributes.of("kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2}),
        padded, b.constant("stem_w", b.randomNormal(Math.sqrt(2.0 / 27), 16, 3, 3, 3)));
    x = swishDivSix(b, b.batchNorm(stem), false);
    // blocks: (expand, out, kernel, stride, squeeze-excite, activation form)
    x = block(b, x, 32, 16, 3, 1, true, 0);
    x = block(b, x, 48, 24, 3, 2, false, 1);
    x = block(b, x, 72, 24, 3, 1, true, 2);
    x = block(b, x, 96, 32, 5, 2, true, 3);
    x = b.batchNorm(x); // a standalone BN after the residual Add of the last block
    // head: 1x1 conv + hard swish, global pool written as ReduceMean, classifier through a reshape chain
    x = b.node("HardSwish", Attributes.EMPTY, b.batchNorm(b.conv(x, 128, 1, 1)));
    x = b.node("ReduceMean", Attributes.of("axes", new long[] {2, 3}, "keepdims", 1L), x);
    x = b.node("Squeeze", Attributes.EMPTY, x, b.constant("sq_axes", Tensor.vector(2, 3)));
    x = b.node("Unsqueeze", Attributes.EMPTY, x, b.constant("un_axes", Tensor.vector(2)));
    x = b.reshape(x, 1, 128);
    x = b.node("Cast", Attributes.of("to", 1L), x);
    b.output(b.gemm(x, 10));
    return b.build();
  }

  /** One inverted-residual block: expand 1x1, depthwise k x k, optional squeeze-excite, project 1x1, residual. */
  private static String block(GraphBuilder b, String x, long expand, long out, int k, int s, boolean se, int form) {
    long in = b.type(x).shape().dim(1).size();
    String y = activation(b, b.batchNorm(b.conv(x, expand, 1, 1)), form);
    y = activation(b, b.batchNorm(b.depthwiseConv(y, k, s)), form);
    if (se) {
      y = squeezeExcite(b, y, form % 2 == 0);
    }
    y = b.batchNorm(b.conv(y, out, 1, 1));
    return s == 1 && in == out ? b.add(x, y) : y;
  }

  private static String activation(GraphBuilder b, String x, int form) {
    return switch (form) {
      case 0 -> b.relu(x);
      case 1 -> b.mul(x, b.node("HardSigmoid", Attributes.of("alpha", 1f / 6, "beta", 0.5f), x));
      case 2 -> swishDivSix(b, x, true);
      default -> b.node("HardSwish", Attributes.EMPTY, x);
    };
  }

  /** x * relu6(x + 3) / 6, relu6 as Clip(0, 6) or as Min(Max(., 0), 6). */
  private static String swishDivSix(GraphBuilder b, String x, boolean minMax) {
    String shifted = b.add(x, b.constant("three", Tensor.scalar(3f)));
    String r6 = minMax
        ? b.node("Min", Attributes.EMPTY, b.node("Max", Attributes.EMPTY, shifted, b.constant("zero", Tensor.scalar(0f))),
            b.constant("six", Tensor.scalar(6f)))
        : b.node("Clip", Attributes.EMPTY, shifted, b.constant("zero", Tensor.scalar(0f)), b.constant("six", Tensor.scalar(6f)));
    return b.node("Div", Attributes.EMPTY, b.mul(x, r6), b.constant("six", Tensor.scalar(6f)));
  }

  /** Squeeze-excite: mean over H, W; 1x1 reduce + ReLU; 1x1 expand; hard-sigmoid gate; scale x. */
  private static String squeezeExcite(GraphBuilder b, String x, boolean reduceMean) {
    long c = b.type(x).shape().dim(1).size();
    String pooled = reduceMean
        ? b.node("ReduceMean", Attributes.of("axes", new long[] {2, 3}, "keepdims", 1L), x)
        : b.globalAveragePool(x);
    String squeezed = b.relu(b.conv(pooled, Math.max(8, c / 4), 1, 1));
    String excited = b.conv(squeezed, c, 1, 1);
    String gate = reduceMean
        ? b.node("HardSigmoid", Attributes.of("alpha", 1f / 6, "beta", 0.5f), excited)
        : b.node("Div", Attributes.EMPTY, b.node("Clip", Attributes.EMPTY, b.add(excited, b.constant("three", Tensor.scalar(3f))),
            b.constant("zero", Tensor.scalar(0f)), b.constant("six", Tensor.scalar(6f))), b.constant("six", Tensor.scalar(6f)));
    return b.mul(x, gate);
  }
}

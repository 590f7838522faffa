package dev.hwc.compiler.zoo;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Small CNNs built with the IR builder from a fixed seed: the shapes that break converters and
 * quantizers in practice (depthwise convs, residual adds, concat skips, transposed convs and
 * resizes, several outputs). Tests round-trip them through every backend; the bundled example is
 * {@link #smallCnn}.
 */
public final class SmallModels {
  private SmallModels() {}

  /** A named model factory, for parameterized tests. */
  public record Entry(String name, LongFunction<Graph> factory) {}

  public static List<Entry> all() {
    return List.of(
        new Entry("plain-conv-stack", SmallModels::plainConvStack),
        new Entry("depthwise-separable", SmallModels::depthwiseSeparable),
        new Entry("residual-add", SmallModels::residualAdd),
        new Entry("concat-skip", SmallModels::concatSkip),
        new Entry("unet-like", SmallModels::unetLike),
        new Entry("two-output", SmallModels::twoOutput));
  }

  /** conv-bn-relu x3 with a stride-2 stage, then global pool and a classifier. */
  public static Graph plainConvStack(long seed) {
    GraphBuilder b = new GraphBuilder("plain_conv_stack", seed);
    String x = b.input("image", 1, 3, 32, 32);
    x = b.relu(b.batchNorm(b.conv(x, 16, 3, 1)));
    x = b.relu(b.batchNorm(b.conv(x, 32, 3, 2)));
    x = b.relu(b.batchNorm(b.conv(x, 32, 3, 1)));
    x = b.flatten(b.globalAveragePool(x));
    b.output(b.softmax(b.gemm(x, 10), 1));
    return b.build();
  }

  /** MobileNet-style: depthwise 3x3 + pointwise 1x1 blocks with BN and clipped ReLU. */
  public static Graph depthwiseSeparable(long seed) {
    GraphBuilder b = new GraphBuilder("depthwise_separable", seed);
    String x = b.input("image", 1, 3, 32, 32);
    x = relu6(b, b.batchNorm(b.conv(x, 16, 3, 2)));
    for (long out : new long[] {32, 32}) {
      x = relu6(b, b.batchNorm(b.depthwiseConv(x, 3, 1)));
      x = relu6(b, b.batchNorm(b.conv(x, out, 1, 1)));
    }
    b.output(b.flatten(b.globalAveragePool(x)));
    return b.build();
  }

  /** Two residual blocks: conv-bn-relu-conv-bn + identity, then relu. */
  public static Graph residualAdd(long seed) {
    GraphBuilder b = new GraphBuilder("residual_add", seed);
    String x = b.input("image", 1, 3, 24, 24);
    x = b.relu(b.batchNorm(b.conv(x, 16, 3, 1)));
    for (int i = 0; i < 2; i++) {
      String y = b.relu(b.batchNorm(b.conv(x, 16, 3, 1)));
      y = b.batchNorm(b.conv(y, 16, 3, 1));
      x = b.relu(b.add(x, y));
    }
    b.output(x);
    return b.build();
  }

  /** Two branches of different depth joined by a channel concat. */
  public static Graph concatSkip(long seed) {
    GraphBuilder b = new GraphBuilder("concat_skip", seed);
    String x = b.input("image", 1, 3, 32, 32);
    String stem = b.relu(b.conv(x, 8, 3, 1));
    String deep = b.relu(b.conv(b.relu(b.conv(stem, 8, 3, 1)), 8, 3, 1));
    String joined = b.concat(1, stem, deep);
    b.output(b.maxPool(b.relu(b.conv(joined, 16, 1, 1)), 2, 2));
    return b.build();
  }

  /** A two-level encoder-decoder: stride-2 convs down, ConvTranspose and Resize up, concat skips, 3 mask channels. */
  public static Graph unetLike(long seed) {
    GraphBuilder b = new GraphBuilder("unet_like", seed);
    String x = b.input("image", 1, 1, 64, 32);
    String e1 = b.relu(b.batchNorm(b.conv(x, 8, 3, 1)));
    String e2 = b.relu(b.batchNorm(b.conv(e1, 16, 3, 2)));
    String e3 = b.relu(b.batchNorm(b.conv(e2, 32, 3, 2)));
    String d2 = b.relu(b.convTranspose(e3, 16, 2, 2));
    d2 = b.relu(b.conv(b.concat(1, d2, e2), 16, 3, 1));
    String d1 = b.resize(d2, 2, "nearest");
    d1 = b.relu(b.conv(b.concat(1, d1, e1), 8, 3, 1));
    b.output(b.softmax(b.conv(d1, 3, 1, 1), 1));
    return b.build();
  }

  /** A shared trunk with two heads: a per-pixel sigmoid mask and a pooled regression vector. */
  public static Graph twoOutput(long seed) {
    GraphBuilder b = new GraphBuilder("two_output", seed);
    String x = b.input("image", 1, 3, 32, 32);
    String t = b.relu(b.batchNorm(b.conv(x, 16, 3, 1)));
    t = b.relu(b.batchNorm(b.conv(t, 16, 3, 1)));
    b.output(b.sigmoid(b.conv(t, 1, 1, 1)));
    b.output(b.gemm(b.flatten(b.globalAveragePool(t)), 4));
    return b.build();
  }

  /**
   * A compute-bound CNN for speed measurements (not in {@link #all()}: too slow for unit tests): six
   * 3x3 conv-BN-ReLU layers, 64 channels at 56x56, then a pooled classifier. Its convolutions are the
   * shape bench/RESULTS.md times for this machine's int8 and fp32 ceilings.
   */
  public static Graph convStack64(long seed) {
    GraphBuilder b = new GraphBuilder("conv_stack_64", seed);
    String x = b.input("image", 1, 3, 56, 56);
    x = b.relu(b.batchNorm(b.conv(x, 64, 3, 1)));
    for (int i = 0; i < 6; i++) {
      x = b.relu(b.batchNorm(b.conv(x, 64, 3, 1)));
    }
    b.output(b.gemm(b.flatten(b.globalAveragePool(x)), 10));
    return b.build();
  }

  /**
   * A CNN with an op the Edge TPU cannot run in the middle (not in {@link #all()}): two conv-ReLU
   * layers, a HardSwish (int8 on TFLite, not on Coral's op list), two more conv-ReLU layers and a
   * 1x1 head. The Edge TPU compiler would split at the HardSwish and run the rest on the CPU.
   */
  public static Graph hardSwishInTheMiddle(long seed) {
    GraphBuilder b = new GraphBuilder("hard_swish_middle", seed);
    String x = b.input("image", 1, 3, 32, 32);
    x = b.relu(b.conv(x, 16, 3, 1));
    x = b.relu(b.conv(x, 16, 3, 1));
    x = b.node("HardSwish", Attributes.EMPTY, x);
    x = b.relu(b.conv(x, 32, 3, 2));
    x = b.relu(b.conv(x, 32, 3, 1));
    b.output(b.conv(x, 4, 1, 1));
    return b.build();
  }

  /**
   * Like {@link #hardSwishInTheMiddle} with a LeakyRelu (int8 LEAKY_RELU on TFLite, not on Coral's
   * op list, and with no spelling in ops the Edge TPU has) in the middle: the split point.
   */
  public static Graph leakyReluInTheMiddle(long seed) {
    GraphBuilder b = new GraphBuilder("leaky_relu_middle", seed);
    String x = b.input("image", 1, 3, 32, 32);
    x = b.relu(b.conv(x, 16, 3, 1));
    x = b.relu(b.conv(x, 16, 3, 1));
    x = b.node("LeakyRelu", Attributes.of("alpha", 0.1f), x);
    x = b.relu(b.conv(x, 32, 3, 2));
    x = b.relu(b.conv(x, 32, 3, 1));
    b.output(b.conv(x, 4, 1, 1));
    return b.build();
  }

  /** The bundled example until the well-log model lands: the UNet-like segmenter, seed 7. */
  public static Graph smallCnn() {
    return unetLike(7);
  }

  private static String relu6(GraphBuilder b, String x) {
    String lo = b.constant("clip_min", dev.hwc.compiler.ir.Tensor.scalar(0f));
    String hi = b.constant("clip_max", dev.hwc.compiler.ir.Tensor.scalar(6f));
    return b.node("Clip", Attributes.EMPTY, x, lo, hi);
  }
}

package dev.hwc.compiler.zoo;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Graph;
import java.util.Arrays;

/**
 * The bundled example's architecture: an encoder-decoder that segments scanned well-log strips
 * into three masks (background, curve 1, curve 2), in the spirit of the published curve
 * digitizers (stride-2 encoder stages, self-attention at the bottleneck, an upsampling decoder
 * with skips, a softmax over the mask channels).
 *
 * <pre>
 * image [1, 1, H, W]
 *   stem: conv3x3 c0, relu, conv3x3 c0, relu                       -> e0  (H x W)
 *   stage i = 1..S: conv3x3 stride 2 c_i, relu, conv3x3 c_i, relu   -> e_i (H/2^i x W/2^i)
 *   bottleneck: A self-attention layers over the H/2^S x W/2^S positions (MatMul, Softmax), residual
 *   decoder i = S-1..0: ConvTranspose 2x2 stride 2 c_i, relu, concat e_i, conv3x3 c_i, relu
 *   head: conv1x1 3, Softmax over channels                          -> masks [1, 3, H, W]
 * </pre>
 *
 * The graph carries metadata naming its mask channels ({@link #MASKS_KEY}) and which of them are
 * thin curves, one per row ({@link #CURVES_KEY}), which hwc's evaluation reads.
 */
public final class WellLogNet {
  public static final String INPUT = "image";
  public static final String OUTPUT = "masks";
  /** Metadata: {@code output:channel,channel,...} for each mask output (';' between outputs). */
  public static final String MASKS_KEY = "hwc.masks";
  /** Metadata: {@code output:channel,...} naming the channels that are thin curves (one per image row). */
  public static final String CURVES_KEY = "hwc.curves";

  /**
   * @param height input rows
   * @param width input columns
   * @param channels c0 (full resolution) then one per stride-2 stage
   * @param attentionLayers self-attention layers at the bottleneck
   * @param attentionDim query/key width of each attention layer
   */
  public record Config(int height, int width, int[] channels, int attentionLayers, int attentionDim) {
    public Config {
      channels = channels.clone();
      int down = 1 << (channels.length - 1);
      if (height % down != 0 || width % down != 0) {
        throw new IllegalArgumentException(height + " x " + width + " is not divisible by " + down);
      }
    }

    @Override
    public int[] channels() {
      return channels.clone();
    }

    @Override
    public String toString() {
      return height + "x" + width + " channels " + Arrays.toString(channels) + ", " + attentionLayers
          + " attention layers of width " + attentionDim;
    }
  }

  /** The bundled model's configuration: 512 x 64 strips, 5 stride-2 stages, 2 attention layers. */
  public static final Config DEFAULT = new Config(512, 64, new int[] {12, 24, 32, 48, 64, 96}, 2, 32);

  private WellLogNet() {}

  public static Graph build(long seed) {
    return build(DEFAULT, seed);
  }

  public static Graph build(Config cfg, long seed) {
    GraphBuilder b = new GraphBuilder("welllog", seed);
    int[] c = cfg.channels();
    int stages = c.length - 1;
    String x = b.input(INPUT, 1, 1, cfg.height(), cfg.width());
    String[] skips = new String[c.length];
    x = b.relu(b.conv(x, c[0], 3, 1));
    x = b.relu(b.conv(x, c[0], 3, 1));
    skips[0] = x;
    for (int i = 1; i <= stages; i++) {
      x = b.relu(b.conv(x, c[i], 3, 2));
      x = b.relu(b.conv(x, c[i], 3, 1));
      skips[i] = x;
    }
    for (int a = 0; a < cfg.attentionLayers(); a++) {
      x = b.selfAttention(x, cfg.attentionDim());
    }
    for (int i = stages - 1; i >= 0; i--) {
      x = b.relu(b.convTranspose(x, c[i], 2, 2));
      x = b.relu(b.conv(b.concat(1, x, skips[i]), c[i], 3, 1));
    }
    String masks = b.softmax(b.conv(x, 3, 1, 1), 1);
    b.output(masks);
    Graph.Editor e = b.build().edit().renameValue(masks, OUTPUT);
    e.metadata().put(MASKS_KEY, OUTPUT + ":background,curve1,curve2");
    e.metadata().put(CURVES_KEY, OUTPUT + ":curve1,curve2");
    e.metadata().put("hwc.model", "well-log curve digitizer, " + cfg);
    return e.build();
  }
}

package dev.hwc.compiler.quant;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites QDQ convs into the forms ONNX Runtime's fast x86 int8 conv kernels take (uint8 activations,
 * symmetric int8 weights), exactly or up to the weights' own rounding:
 *
 * <ul>
 *   <li><b>Channel scale into the next conv.</b> A squeeze-excite block ends in {@code x * g} with a
 *       per-channel gate {@code g} of shape [1, C, 1, 1], read by a 1 x 1 conv alone; {@code W (x * g) =
 *       (W * g) x}, so the gate goes into the conv's weights: {@code Conv(DQ(x), DQ(Q(DQ(W) * g)))}, the
 *       scaled weights quantized on W's own per-channel scales (|g| <= 1 keeps them in range; a gate that
 *       may exceed 1 is left alone), and the bias requantized to the new input scale. ONNX Runtime runs
 *       the channel-broadcast QLinearMul of a squeeze-excite block (in NHWC after its layout transform)
 *       at 0.27 ms on 112 x 112 x 32 against 0.08 ms for fp32's Mul; the conv with computed weights is
 *       still one QLinearConv, and the block's multiply is gone (0.38 -> 0.21 ms with its conv and the
 *       weights' small kernels). Only on maps of {@value #MIN_FOLDED_PIXELS} pixels or more: below, the
 *       fold's fixed cost exceeds what it saves.
 *   <li><b>Input channels padded to 4.</b> MLAS's symmetric int8 conv ({@code MlasConvSymPackWSize} in
 *       onnxruntime/core/mlas/lib/convsym.cpp) takes input channel counts that are multiples of 4 only;
 *       an RGB stem (3 channels) falls back to the slower generic path. A conv whose input is read
 *       straight from a QuantizeLinear gets a zero-filled channel (an integer Pad between the Q and its
 *       DQ) and zero weights for it: the same integer sums, on the fast path (0.45 -> 0.25 ms for the
 *       224 x 224 MobileNetV3-style stem, the Pad 0.03 ms). Bit-exact with 7-bit weights; with 8-bit
 *       ones, CPUs without VNNI (U8S8 through VPMADDUBSW, 16-bit pair sums) saturate on either path,
 *       not in the same places (QdqOrtConvFormsTest).
 *   <li><b>Depthwise channels padded to 16.</b> MLAS's symmetric depthwise int8 conv takes channel counts
 *       that are multiples of 16 only (on x86); the others fall back to the generic path. The input's
 *       integers get constant channels (a uint8 Concat between its Q and DQ: faster than ONNX Runtime's
 *       Pad on NHWC's innermost axis, 0.027 against 0.041 ms on 56 x 56 x 80), the filters zero ones, and
 *       the output's integers are sliced back (a uint8 Slice between its Q and its DQs). The same integers
 *       on the original channels. Measured on an AVX-512 VNNI CPU, 1 thread: 72 channels on 56 x 56, the
 *       conv 0.195 -> 0.077 ms (+ Concat and Slice, 0.13 ms in all); on 16 x 16, 0.024 -> 0.033 ms (a loss),
 *       hence {@value #MIN_DEPTHWISE_PADDED_PIXELS} pixels at least.
 * </ul>
 *
 * Measured with ONNX Runtime 1.29's profiler, 1 thread (bench/OrtProfile.java; bench/RESULTS.md, issue
 * 15, 2026-12-03). For ONNX Runtime x86 (uint8 activations) only: TensorRT builds its own kernels.
 */
public final class QdqOrtConvForms {
  private QdqOrtConvForms() {}

  /** Input channels of a group-1 conv that MLAS's symmetric int8 conv needs a multiple of. */
  static final int INPUT_CHANNEL_ALIGNMENT = 4;

  /**
   * Smallest input map (H x W) worth a channel Pad: the Pad's fixed cost (0.016 ms measured on a
   * 1 x 1 squeeze-excite input) exceeds what the fast path saves on a tiny conv (0.013 ms in all).
   */
  static final long MIN_PADDED_PIXELS = 64;

  /**
   * Smallest gated map (H x W) whose squeeze-excite scale is folded. The fold costs five small kernels
   * (about 0.03 ms: the gate's DQ and Transpose, the weights' DQ, Mul and Q) and a conv on weights ONNX
   * Runtime cannot prepack; it saves the broadcast QLinearMul, whose cost grows with the map. Measured
   * (1 thread, per-node medians, the MobileNetV3-style model): 112 x 112 saves 0.18 ms, 56 x 56 0.11 ms,
   * 28 x 28 is even, 32 x 32 and smaller lose 0.006-0.02 ms.
   */
  static final long MIN_FOLDED_PIXELS = 2048;

  /**
   * @param graph the rewritten graph (the input graph itself when nothing applied)
   * @param nodes what was rewritten: the squeeze-excite Muls folded, or the convs padded, by name
   */
  public record Rewrite(Graph graph, List<String> nodes) {}

  /**
   * Folds squeeze-excite channel scales into the next 1 x 1 conv's weights. Not exact: the scaled
   * weights are rounded on W's grid, not the product x * g on its activation grid (with the fold
   * forced on every gate of the 64 x 64 MobileNetV3-style model, whose maps are below
   * {@link #MIN_FOLDED_PIXELS}, the first sample's cosine to fp32 went from 0.9886 to 0.9879 on the
   * AVX2 machine of bench/RESULTS.md, and to 0.9873 with the stem padded too).
   */
  public static Rewrite foldChannelScales(Graph g) {
    List<String> done = new ArrayList<>();
    return new Rewrite(foldChannelScales(g, done), done);
  }

  /**
   * The rewrites: squeeze-excite scales folded, input channels padded, and depthwise channels padded to a
   * multiple of {@code depthwiseAlignment} (the profile's {@code quantization.depthwiseChannelAlignment};
   * 0: not padded).
   */
  public static Graph rewrite(Graph g, int depthwiseAlignment) {
    Graph out = padInputChannels(foldChannelScales(g).graph()).graph();
    return depthwiseAlignment > 1 ? padDepthwiseChannels(out, depthwiseAlignment).graph() : out;
  }

  /** Channel counts of a depthwise conv that MLAS's symmetric int8 depthwise kernel needs a multiple of on x86. */
  public static final int DEPTHWISE_CHANNEL_ALIGNMENT = 16;

  /**
   * Smallest depthwise output map (H x W) worth padding: the Concat and the Slice around it cost about
   * 0.02 ms each on 56 x 56 x 72 (3136 pixels, a gain of 0.07 ms) and 0.01 ms each on 16 x 16 (256 pixels,
   * a loss of 0.01 ms); between the two, unmeasured.
   */
  static final long MIN_DEPTHWISE_PADDED_PIXELS = 1024;

  /**
   * Pads a QDQ depthwise conv whose channel count is not a multiple of 16 to the next multiple: constant
   * channels concatenated to the input's integers (between its Q and DQ), zero filters and biases for the new
   * channels, an integer Slice of the output's channels back to the original count (between its Q and
   * the DQs that read it). The same integers on the original channels: the new channels have zero
   * weights and are dropped.
   */
  public static Rewrite padDepthwiseChannels(Graph g) {
    return padDepthwiseChannels(g, DEPTHWISE_CHANNEL_ALIGNMENT);
  }

  /** As {@link #padDepthwiseChannels(Graph)}, to a multiple of {@code alignment} channels. */
  public static Rewrite padDepthwiseChannels(Graph g, int alignment) {
    List<String> done = new ArrayList<>();
    return new Rewrite(padDepthwiseChannels(g, alignment, done), done);
  }

  /** Pads the input channels of convs read from a QuantizeLinear to a multiple of 4 (the same integer sums). */
  public static Rewrite padInputChannels(Graph g) {
    List<String> done = new ArrayList<>();
    return new Rewrite(padInputChannels(g, done), done);
  }

  private static Graph foldChannelScales(Graph g, List<String> done) {
    Graph.Editor e = g.edit();
    StaticQuantizer.Names names = new StaticQuantizer.Names(g);
    for (Node mul : g.nodes()) {
      if (!mul.op().equals("Mul") || !mul.domain().isEmpty() || g.isGraphOutput(mul.output(0))) {
        continue;
      }
      Node dqx = g.producer(mul.input(0));
      Node dqg = g.producer(mul.input(1));
      if (!isScalarDq(g, dqx) || !isScalarDq(g, dqg) || !gateShape(g, mul.input(1), g.type(mul.input(0)))
          || !atMostOne(g, dqg) || pixels(g.type(mul.input(0)).shape()) < MIN_FOLDED_PIXELS) {
        continue;
      }
      List<Node> qs = g.consumers(mul.output(0));
      if (qs.size() != 1 || !qs.get(0).op().equals("QuantizeLinear")) {
        continue;
      }
      Node q = qs.get(0);
      List<Node> dqs = g.consumers(q.output(0));
      if (dqs.size() != 1 || !isScalarDq(g, dqs.get(0)) || g.isGraphOutput(q.output(0))) {
        continue;
      }
      Node dqy = dqs.get(0);
      List<Node> convs = g.consumers(dqy.output(0));
      if (convs.size() != 1 || !pointwise(convs.get(0)) || !convs.get(0).input(0).equals(dqy.output(0))
          || g.isGraphOutput(dqy.output(0))) {
        continue;
      }
      Node conv = convs.get(0);
      Node dqw = g.producer(conv.input(1));
      Node dqb = conv.hasInput(2) ? g.producer(conv.input(2)) : null;
      if (!constantDq(g, dqw) || g.consumers(conv.input(1)).size() != 1
          || conv.hasInput(2) && (!constantDq(g, dqb) || g.consumers(conv.input(2)).size() != 1)) {
        continue;
      }
      float[] wScale = g.initializer(dqw.input(1)).toFloats();
      float xScale = (float) g.initializer(dqx.input(1)).getDouble(0);
      String p = conv.name() + "_scaled_weights";
      String wf = names.fresh(p + "_float");
      String wq = names.fresh(p + "_quantized");
      String wd = names.fresh(p + "_dequantized");
      Attributes wAxis = dqw.attrs();
      e.addNode(new Node(names.fresh(p + "_mul"), "Mul", List.of(dqw.output(0), mul.input(1)), List.of(wf), Attributes.EMPTY));
      e.addNode(new Node(names.fresh(p + "_QuantizeLinear"), "QuantizeLinear", List.of(wf, dqw.input(1), dqw.input(2)),
          List.of(wq), wAxis));
      e.addNode(new Node(names.fresh(p + "_DequantizeLinear"), "DequantizeLinear", List.of(wq, dqw.input(1), dqw.input(2)),
          List.of(wd), wAxis));
      List<String> ins = new ArrayList<>(List.of(mul.input(0), wd));
      if (dqb != null) {
        // the bias is int32 at input scale x weight scale: requantize it to the new input's scale
        double[] bq = g.initializer(dqb.input(0)).toDoubles();
        float[] bs = g.initializer(dqb.input(1)).toFloats();
        double[] nq = new double[bq.length];
        float[] ns = new float[bq.length];
        for (int i = 0; i < bq.length; i++) {
          ns[i] = xScale * wScale[wScale.length == 1 ? 0 : i];
          nq[i] = Math.rint(bq[i] * bs[bs.length == 1 ? 0 : i] / ns[i]);
        }
        String bqName = names.fresh(conv.name() + "_bias_requantized");
        String bsName = names.fresh(conv.name() + "_bias_requantized_scale");
        String bzName = names.fresh(conv.name() + "_bias_requantized_zero_point");
        String bd = names.fresh(conv.name() + "_bias_requantized_dequantized");
        e.putInitializer(bqName, Tensor.fromDoubles(DType.INT32, new long[] {bq.length}, nq));
        e.putInitializer(bsName, Tensor.ofFloats(new long[] {bq.length}, ns));
        e.putInitializer(bzName, Tensor.fromDoubles(DType.INT32, new long[] {bq.length}, new double[bq.length]));
        e.addNode(new Node(names.fresh(bqName + "_DequantizeLinear"), "DequantizeLinear", List.of(bqName, bsName, bzName),
            List.of(bd), Attributes.of("axis", 0L)));
        e.removeNode(dqb);
        ins.add(bd);
      }
      e.replaceNode(conv, List.of(conv.withInputs(ins)));
      e.removeNode(mul);
      e.removeNode(q);
      e.removeNode(dqy);
      done.add(mul.name());
    }
    return done.isEmpty() ? g : dev.hwc.compiler.ops.ShapeInference.run(
        new dev.hwc.compiler.passes.EliminateDeadNodes().run(e.build(), dev.hwc.compiler.passes.PassContext.defaults()));
  }

  private static Graph padInputChannels(Graph g, List<String> done) {
    Graph.Editor e = g.edit();
    StaticQuantizer.Names names = new StaticQuantizer.Names(g);
    for (Node conv : g.nodes()) {
      if (!conv.op().equals("Conv") || !conv.domain().isEmpty() || conv.attrs().getInt("group", 1) != 1) {
        continue;
      }
      Node dq = g.producer(conv.input(0));
      Node dqw = g.producer(conv.input(1));
      if (!isScalarDq(g, dq) || g.consumers(dq.output(0)).size() != 1 || g.isGraphOutput(dq.output(0))
          || !constantDq(g, dqw) || g.consumers(conv.input(1)).size() != 1) {
        continue;
      }
      Node q = g.producer(dq.input(0));
      Tensor w = g.initializer(dqw.input(0));
      if (q == null || !q.op().equals("QuantizeLinear") || w.dtype() != DType.INT8 || w.rank() != 4
          || w.shape()[1] % INPUT_CHANNEL_ALIGNMENT == 0 || g.type(dq.input(0)) == null
          || g.type(dq.input(0)).shape().rank() != 4 || pixels(g.type(dq.input(0)).shape()) < MIN_PADDED_PIXELS) {
        continue;
      }
      long[] s = w.shape();
      long extra = INPUT_CHANNEL_ALIGNMENT - s[1] % INPUT_CHANNEL_ALIGNMENT;
      int k = (int) (s[2] * s[3]);
      byte[] src = w.bytes();
      byte[] dst = new byte[(int) (s[0] * (s[1] + extra) * k)];
      for (int o = 0; o < s[0]; o++) {
        for (int c = 0; c < s[1]; c++) {
          System.arraycopy(src, (int) ((o * s[1] + c) * k), dst, (int) ((o * (s[1] + extra) + c) * k), k);
        }
      }
      String wName = names.fresh(dqw.input(0) + "_channels_padded");
      String pads = names.fresh(conv.name() + "_channel_pads");
      String padded = names.fresh(dq.input(0) + "_channels_padded");
      e.putInitializer(wName, Tensor.ofBytes(DType.INT8, new long[] {s[0], s[1] + extra, s[2], s[3]}, dst));
      e.putInitializer(pads, Tensor.vector(0, 0, 0, 0, 0, extra, 0, 0));
      // the padded channel's integers are never read by a non-zero weight: any value will do (zero)
      e.addNode(new Node(names.fresh(conv.name() + "_channel_pad"), "Pad", List.of(dq.input(0), pads), List.of(padded),
          Attributes.EMPTY));
      e.replaceNode(dq, List.of(dq.withInputs(List.of(padded, dq.input(1), dq.input(2)))));
      e.replaceNode(dqw, List.of(dqw.withInputs(List.of(wName, dqw.input(1), dqw.input(2)))));
      e.valueTypes().remove(dq.output(0));
      e.valueTypes().remove(dqw.output(0));
      done.add(conv.name());
    }
    return done.isEmpty() ? g : dev.hwc.compiler.ops.ShapeInference.run(
        new dev.hwc.compiler.passes.EliminateDeadNodes().run(e.build(), dev.hwc.compiler.passes.PassContext.defaults()));
  }

  /**
   * A per-channel DequantizeLinear's scales padded from {@code c} to {@code cp} channels, as a new
   * initializer's name: the new channels take the first channel's scale (with scale 1 there, ONNX
   * Runtime 1.29 left the conv float).
   */
  private static String paddedScale(Graph g, Graph.Editor e, StaticQuantizer.Names names, Node dq, long c, long cp) {
    float[] sc = java.util.Arrays.copyOf(g.initializer(dq.input(1)).toFloats(), (int) cp);
    java.util.Arrays.fill(sc, (int) c, (int) cp, sc[0]);
    String name = names.fresh(dq.input(1) + "_channels_padded");
    e.putInitializer(name, Tensor.ofFloats(new long[] {cp}, sc));
    return name;
  }

  /** {@code cp} zero points of {@code type} (symmetric weights and biases) for a padded DequantizeLinear, as a new initializer's name. */
  private static String paddedZero(Graph.Editor e, StaticQuantizer.Names names, Node dq, long cp, DType type) {
    String name = names.fresh(dq.input(2) + "_channels_padded");
    e.putInitializer(name, Tensor.fromDoubles(type, new long[] {cp}, new double[(int) cp]));
    return name;
  }

  private static Graph padDepthwiseChannels(Graph g, int alignment, List<String> done) {
    Graph.Editor e = g.edit();
    StaticQuantizer.Names names = new StaticQuantizer.Names(g);
    for (Node conv : g.nodes()) {
      if (!conv.op().equals("Conv") || !conv.domain().isEmpty() || g.isGraphOutput(conv.output(0))) {
        continue;
      }
      long groups = conv.attrs().getInt("group", 1);
      Node dq = g.producer(conv.input(0));
      Node dqw = g.producer(conv.input(1));
      Node dqb = conv.hasInput(2) ? g.producer(conv.input(2)) : null;
      if (groups <= 1 || groups % alignment == 0 || !isScalarDq(g, dq)
          || g.consumers(dq.output(0)).size() != 1 || g.isGraphOutput(dq.output(0)) || !constantDq(g, dqw)
          || g.consumers(conv.input(1)).size() != 1
          || conv.hasInput(2) && (!constantDq(g, dqb) || g.consumers(conv.input(2)).size() != 1)) {
        continue;
      }
      Node qx = g.producer(dq.input(0));
      Tensor w = g.initializer(dqw.input(0));
      List<Node> qs = g.consumers(conv.output(0));
      if (qx == null || !qx.op().equals("QuantizeLinear") || w.dtype() != DType.INT8 || w.rank() != 4
          || w.shape()[0] != groups || w.shape()[1] != 1 || qs.size() != 1 || !qs.get(0).op().equals("QuantizeLinear")
          || g.isGraphOutput(qs.get(0).output(0)) || g.type(conv.output(0)) == null
          || g.type(conv.output(0)).shape().rank() != 4 || pixels(g.type(conv.output(0)).shape()) < MIN_DEPTHWISE_PADDED_PIXELS) {
        continue;
      }
      Shape xs = g.type(dq.input(0)) == null ? null : g.type(dq.input(0)).shape();
      if (xs == null || xs.rank() != 4 || !xs.isStatic() || xs.dim(0).size() != 1) {
        continue; // the constant channels are of one sample's size
      }
      Node qy = qs.get(0);
      List<Node> readers = g.consumers(qy.output(0));
      if (readers.isEmpty() || !readers.stream().allMatch(r -> isScalarDq(g, r))) {
        continue;
      }
      long c = groups;
      long cp = (c + alignment - 1) / alignment * alignment;
      long[] s = w.shape();
      byte[] wp = java.util.Arrays.copyOf(w.bytes(), (int) (cp * s[2] * s[3]));
      String wName = names.fresh(dqw.input(0) + "_channels_padded");
      e.putInitializer(wName, Tensor.ofBytes(DType.INT8, new long[] {cp, 1, s[2], s[3]}, wp));
      List<String> dqwIns = new ArrayList<>(List.of(wName, dqw.input(1), dqw.input(2)));
      Tensor ws = g.initializer(dqw.input(1));
      if (ws.numElements() > 1) {
        dqwIns = List.of(wName, paddedScale(g, e, names, dqw, c, cp), paddedZero(e, names, dqw, cp, DType.INT8));
      }
      e.replaceNode(dqw, List.of(dqw.withInputs(dqwIns)));
      e.valueTypes().remove(dqw.output(0));
      if (dqb != null) {
        Tensor bq = g.initializer(dqb.input(0));
        Tensor bs = g.initializer(dqb.input(1));
        String bName = names.fresh(dqb.input(0) + "_channels_padded");
        e.putInitializer(bName, Tensor.fromDoubles(DType.INT32, new long[] {cp}, java.util.Arrays.copyOf(bq.toDoubles(), (int) cp)));
        List<String> dqbIns = new ArrayList<>(List.of(bName, dqb.input(1), dqb.input(2)));
        if (bs.numElements() > 1) {
          dqbIns = List.of(bName, paddedScale(g, e, names, dqb, c, cp), paddedZero(e, names, dqb, cp, DType.INT32));
        }
        e.replaceNode(dqb, List.of(dqb.withInputs(dqbIns)));
        e.valueTypes().remove(dqb.output(0));
      }
      String fill = names.fresh(conv.name() + "_depthwise_fill");
      String padded = names.fresh(dq.input(0) + "_depthwise_padded");
      long[] fs = {1, cp - c, xs.dim(2).size(), xs.dim(3).size()};
      e.putInitializer(fill, Tensor.ofBytes(DType.UINT8, fs, new byte[(int) (fs[1] * fs[2] * fs[3])]));
      // the new channels meet zero filters only: any value will do (zero); a Concat with constant channels
      // (a block copy per pixel in NHWC) runs faster than ONNX Runtime's Pad on the innermost axis
      e.addNode(new Node(names.fresh(conv.name() + "_depthwise_pad"), "Concat", List.of(dq.input(0), fill), List.of(padded),
          Attributes.of("axis", 1L)));
      e.replaceNode(dq, List.of(dq.withInputs(List.of(padded, dq.input(1), dq.input(2)))));
      e.valueTypes().remove(dq.output(0));
      e.replaceNode(conv, List.of(conv.withAttrs(conv.attrs().with("group", cp))));
      e.valueTypes().remove(conv.output(0));
      e.valueTypes().remove(qy.output(0));
      String padOut = names.fresh(qy.output(0) + "_depthwise_padded");
      String sliced = qy.output(0);
      String starts = names.fresh(conv.name() + "_slice_starts");
      String ends = names.fresh(conv.name() + "_slice_ends");
      String axes = names.fresh(conv.name() + "_slice_axes");
      e.putInitializer(starts, Tensor.vector(0));
      e.putInitializer(ends, Tensor.vector(c));
      e.putInitializer(axes, Tensor.vector(1));
      e.replaceNode(qy, List.of(new Node(qy.name(), qy.op(), qy.inputs(), List.of(padOut), qy.attrs())));
      e.addNode(new Node(names.fresh(conv.name() + "_depthwise_slice"), "Slice", List.of(padOut, starts, ends, axes),
          List.of(sliced), Attributes.EMPTY));
      done.add(conv.name());
    }
    return done.isEmpty() ? g : dev.hwc.compiler.ops.ShapeInference.run(
        new dev.hwc.compiler.passes.EliminateDeadNodes().run(e.build(), dev.hwc.compiler.passes.PassContext.defaults()));
  }

  /** H x W of a rank-4 shape; unknown sizes count as large. */
  private static long pixels(Shape s) {
    long h = s.dim(2).size();
    long w = s.dim(3).size();
    return h < 0 || w < 0 ? Long.MAX_VALUE : h * w;
  }

  /** A 1 x 1, stride-1, unpadded, group-1 Conv (the squeeze-excite block's projection). */
  private static boolean pointwise(Node n) {
    if (!n.op().equals("Conv") || !n.domain().isEmpty() || n.attrs().getInt("group", 1) != 1) {
      return false;
    }
    for (String a : List.of("kernel_shape", "strides", "dilations")) {
      if (n.attrs().has(a) && java.util.Arrays.stream(n.attrs().getInts(a, new long[0])).anyMatch(v -> v != 1)) {
        return false;
      }
    }
    return !n.attrs().has("pads") || java.util.Arrays.stream(n.attrs().getInts("pads", new long[0])).allMatch(v -> v == 0);
  }

  /** The gate is [1, C, 1, 1] against a [1, C, H, W] input of more than one pixel. */
  private static boolean gateShape(Graph g, String gate, dev.hwc.compiler.ir.Value x) {
    dev.hwc.compiler.ir.Value gv = g.type(gate);
    if (gv == null || x == null || !gv.shape().isStatic() || !x.shape().hasRank()) {
      return false;
    }
    Shape gs = gv.shape();
    Shape xs = x.shape();
    // a gate of batch 1 only: the weights are one per model, not per sample
    return gs.rank() == 4 && xs.rank() == 4 && gs.dim(0).size() == 1 && xs.dim(0).size() == 1
        && gs.dim(1).size() == xs.dim(1).size() && gs.dim(2).size() == 1 && gs.dim(3).size() == 1
        && xs.dim(2).size() * xs.dim(3).size() != 1;
  }

  /** Whether a DQ's representable range lies within [-1, 1] (the gate may scale weights without leaving their range). */
  private static boolean atMostOne(Graph g, Node dq) {
    return QdqHardActivations.rangeWithin(g, dq, -1, 1);
  }

  private static boolean isScalarDq(Graph g, Node n) {
    return n != null && n.op().equals("DequantizeLinear") && n.inputs().size() == 3 && g.isInitializer(n.input(1))
        && g.isInitializer(n.input(2)) && g.initializer(n.input(1)).numElements() == 1
        && g.initializer(n.input(2)).numElements() == 1;
  }

  private static boolean constantDq(Graph g, Node n) {
    return n != null && n.op().equals("DequantizeLinear") && n.inputs().size() == 3 && g.isInitializer(n.input(0))
        && g.isInitializer(n.input(1)) && g.isInitializer(n.input(2))
        && g.initializer(n.input(2)).toDoubles().length > 0
        && java.util.Arrays.stream(g.initializer(n.input(2)).toDoubles()).allMatch(z -> z == 0);
  }
}

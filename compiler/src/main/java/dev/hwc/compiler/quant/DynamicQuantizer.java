package dev.hwc.compiler.quant;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.ShapeInference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dynamic int8 quantization for MatMul-heavy models (transformers): weights are int8 per output
 * column at build time, activations are quantized per run from their own min and max, so no
 * calibration is needed. Each {@code MatMul(x, W)} becomes
 * {@code DynamicQuantizeLinear(x) -> MatMulInteger(xq, Wq) -> Cast -> Mul(x_scale * w_scale)},
 * the pattern ONNX Runtime fuses into one DynamicQuantizeMatMul kernel; MatMuls that read the same
 * activation share one DynamicQuantizeLinear. Large embedding tables read by Gather are stored as
 * int8 with one scale per row, and dequantized after the lookup, so only the gathered rows are
 * ever widened.
 *
 * <p>With {@code qAttention} (ONNX Runtime targets that offer {@code com.microsoft:QAttention}), a
 * {@code com.microsoft:MultiHeadAttention} whose query, key and value are {@code MatMul(x, Wq/Wk/Wv)} of
 * one activation (as {@code FuseAttention} leaves them for int8 targets) becomes
 * {@code DynamicQuantizeLinear(x) -> QAttention(xq, [Wq|Wk|Wv] int8 per column, bias, ...)}: one packed
 * integer QKV projection inside ONNX Runtime's fused attention kernel, instead of three integer MatMuls
 * and a float attention core (onnxruntime docs/ContribOperators.md, com.microsoft.QAttention:
 * https://github.com/microsoft/onnxruntime/blob/main/docs/ContribOperators.md). The three MatMuls are
 * reported as quantized layers; keeping any of them float leaves that attention as it was.
 */
public final class DynamicQuantizer {
  /** Embedding tables smaller than this stay float: the saving is not worth two extra nodes. */
  public static final long MIN_TABLE_ELEMENTS = 1 << 16;

  private DynamicQuantizer() {}

  /** What was quantized, for the report. */
  public record Result(Graph graph, List<String> matMuls, List<String> tables) {}

  public static Result apply(Graph g, Set<String> keepFloatNodes) {
    return apply(g, keepFloatNodes, false);
  }

  /** As {@link #apply(Graph, Set)}; {@code qAttention}: attention with its projections becomes QAttention. */
  public static Result apply(Graph g, Set<String> keepFloatNodes, boolean qAttention) {
    Graph.Editor e = g.edit();
    StaticQuantizer.Names names = new StaticQuantizer.Names(g);
    Map<String, String[]> dynamicInputs = new LinkedHashMap<>();
    List<String> matMuls = new ArrayList<>();
    List<String> tables = new ArrayList<>();
    Map<String, Node[]> attention = qAttention ? packableAttention(g, keepFloatNodes) : Map.of();
    Set<String> packed = new java.util.HashSet<>();
    attention.values().forEach(p -> java.util.Arrays.stream(p).forEach(m -> packed.add(m.name())));
    for (Node n : g.nodes()) {
      Node[] qkv = attention.get(n.name());
      if (qkv != null) {
        String[] xq = dynamicInputs.computeIfAbsent(qkv[0].input(0), x -> quantizeActivation(e, names, x));
        replaceAttention(g, e, names, n, qkv, xq);
        for (Node m : qkv) {
          matMuls.add(m.name());
        }
        continue;
      }
      if (keepFloatNodes.contains(n.name()) || !n.domain().isEmpty() || packed.contains(n.name())) {
        continue;
      }
      if (n.op().equals("MatMul") && isFloat(g, n.input(0)) && g.isInitializer(n.input(1))
          && g.initializer(n.input(1)).rank() == 2 && g.initializer(n.input(1)).dtype() == DType.FLOAT) {
        String[] xq = dynamicInputs.computeIfAbsent(n.input(0), x -> quantizeActivation(e, names, x));
        replaceMatMul(g, e, names, n, xq);
        matMuls.add(n.name());
      } else if (n.op().equals("Gather") && n.attrs().getInt("axis", 0) == 0 && g.isInitializer(n.input(0))
          && g.initializer(n.input(0)).rank() == 2 && g.initializer(n.input(0)).dtype() == DType.FLOAT
          && g.initializer(n.input(0)).numElements() >= MIN_TABLE_ELEMENTS) {
        replaceGather(g, e, names, n);
        tables.add(n.input(0));
      }
    }
    return new Result(ShapeInference.run(e.build()), matMuls, tables);
  }

  /**
   * Whether this quantizer makes every weighted layer of {@code g} integer: the graph has at least one
   * MatMul it quantizes, and no other node reads a float constant of rank 2 or more (a Conv, Gemm or packed
   * Attention weight, a constant added to an activation) except the embedding tables Gather reads. Then a
   * static plan has no weighted layer of its own to add (on ONNX Runtime its int8 MatMuls run the same
   * integer GEMM, and it cannot pack attention into QAttention).
   */
  public static boolean coversWeightedLayers(Graph g) {
    boolean any = false;
    for (Node n : g.nodes()) {
      boolean dynamicMatMul = n.op().equals("MatMul") && n.domain().isEmpty() && isFloat(g, n.input(0))
          && g.isInitializer(n.input(1)) && g.initializer(n.input(1)).rank() == 2
          && g.initializer(n.input(1)).dtype() == DType.FLOAT;
      any |= dynamicMatMul;
      for (int i = 0; i < n.inputs().size(); i++) {
        if (!n.hasInput(i) || !g.isInitializer(n.input(i)) || dynamicMatMul && i == 1
            || n.op().equals("Gather") && n.domain().isEmpty() && i == 0) {
          continue;
        }
        Tensor t = g.initializer(n.input(i));
        long big = java.util.Arrays.stream(t.shape()).filter(d -> d > 1).count();
        if (t.dtype() == DType.FLOAT && big >= 2) {
          return false;
        }
      }
    }
    return any;
  }

  /**
   * The MultiHeadAttention nodes (by name) whose query, key and value inputs are each the sole use of a
   * float {@code MatMul(x, W)} of the same x with a constant [H, H] weight, none kept float, with a
   * constant [3H] bias and at most a 2-D key padding mask: each with its three MatMuls (q, k, v).
   */
  private static Map<String, Node[]> packableAttention(Graph g, Set<String> keepFloat) {
    Map<String, Node[]> out = new LinkedHashMap<>();
    for (Node n : g.nodes()) {
      if (!n.op().equals("MultiHeadAttention") || !n.domain().equals(dev.hwc.compiler.ops.ContribOps.DOMAIN)
          || n.inputs().size() > 5 || !n.hasInput(3) || !g.isInitializer(n.input(3)) || n.outputs().size() != 1
          || keepFloat.contains(n.name())) {
        continue;
      }
      Node[] qkv = new Node[3];
      boolean ok = true;
      for (int i = 0; i < 3 && ok; i++) {
        Node mm = n.hasInput(i) ? g.producer(n.input(i)) : null;
        ok = mm != null && mm.op().equals("MatMul") && mm.domain().isEmpty() && !keepFloat.contains(mm.name())
            && g.consumers(mm.output(0)).size() == 1 && !g.isGraphOutput(mm.output(0)) && isFloat(g, mm.input(0))
            && g.isInitializer(mm.input(1)) && g.initializer(mm.input(1)).rank() == 2
            && g.initializer(mm.input(1)).dtype() == DType.FLOAT
            && (i == 0 || mm.input(0).equals(qkv[0].input(0))
                && java.util.Arrays.equals(g.initializer(mm.input(1)).shape(), g.initializer(qkv[0].input(1)).shape()));
        qkv[i] = mm;
      }
      if (!ok) {
        continue;
      }
      long[] w = g.initializer(qkv[0].input(1)).shape();
      Tensor bias = g.initializer(n.input(3));
      Value x = g.type(qkv[0].input(0));
      if (w[0] != w[1] || bias.numElements() != 3 * w[1] || x == null || !x.shape().hasRank() || x.shape().rank() != 3
          || n.hasInput(4) && (g.type(n.input(4)) == null || g.type(n.input(4)).dtype() != DType.INT32
              || !g.type(n.input(4)).shape().hasRank() || g.type(n.input(4)).shape().rank() != 2)) {
        continue;
      }
      out.put(n.name(), qkv);
    }
    return out;
  }

  /** MultiHeadAttention(q, k, v, bias, mask) -> QAttention(xq, [Wq|Wk|Wv] int8, bias, x_scale, w_scale, mask, x_zp). */
  private static void replaceAttention(Graph g, Graph.Editor e, StaticQuantizer.Names names, Node mha, Node[] qkv,
      String[] xq) {
    long h = g.initializer(qkv[0].input(1)).shape()[0];
    long n = g.initializer(qkv[0].input(1)).shape()[1];
    float[] packedW = new float[(int) (h * 3 * n)];
    for (int j = 0; j < 3; j++) {
      float[] w = g.initializer(qkv[j].input(1)).toFloats();
      for (int r = 0; r < h; r++) {
        System.arraycopy(w, (int) (r * n), packedW, (int) (r * 3 * n + j * n), (int) n);
      }
    }
    WeightQuantizer.Quantized wq = WeightQuantizer.perChannel(Tensor.ofFloats(new long[] {h, 3 * n}, packedW), 1, 127);
    String wValues = names.fresh(mha.name() + "_qkv_weight_quantized");
    String wScale = names.fresh(mha.name() + "_qkv_weight_scale");
    e.putInitializer(wValues, wq.values());
    e.putInitializer(wScale, Tensor.ofFloats(new long[] {3 * n}, wq.params().scale()));
    for (Node mm : qkv) {
      e.removeNode(mm);
      e.valueTypes().remove(mm.output(0));
      if (g.consumers(mm.input(1)).size() == 1) {
        e.removeInitializer(mm.input(1));
      }
    }
    Attributes a = Attributes.of("num_heads", mha.attrs().getInt("num_heads", 1));
    if (mha.attrs().has("scale")) {
      a = a.with("scale", (float) mha.attrs().getFloat("scale", 0));
    }
    if (mha.attrs().has("mask_filter_value")) {
      a = a.with("mask_filter_value", (float) mha.attrs().getFloat("mask_filter_value", -10000));
    }
    e.replaceNode(mha, List.of(new Node(mha.name(), "QAttention", dev.hwc.compiler.ops.ContribOps.DOMAIN,
        List.of(xq[0], wValues, mha.input(3), xq[1], wScale, mha.input(4), xq[2]), mha.outputs(), a)));
  }

  private static String[] quantizeActivation(Graph.Editor e, StaticQuantizer.Names names, String x) {
    String q = names.fresh(x + "_quantized");
    String scale = names.fresh(x + "_scale");
    String zp = names.fresh(x + "_zero_point");
    e.addNode(new Node(names.fresh(x + "_DynamicQuantizeLinear"), "DynamicQuantizeLinear", List.of(x),
        List.of(q, scale, zp), Attributes.EMPTY));
    return new String[] {q, scale, zp};
  }

  private static void replaceMatMul(Graph g, Graph.Editor e, StaticQuantizer.Names names, Node mm, String[] xq) {
    Tensor w = g.initializer(mm.input(1));
    WeightQuantizer.Quantized wq = WeightQuantizer.perChannel(w, 1, 127);
    String base = mm.input(1);
    String wValues = names.fresh(base + "_quantized");
    String wScale = names.fresh(base + "_scale");
    String wZp = names.fresh(base + "_zero_point");
    long n = w.shape()[1];
    e.putInitializer(wValues, wq.values());
    e.putInitializer(wScale, Tensor.ofFloats(new long[] {n}, wq.params().scale()));
    e.putInitializer(wZp, Tensor.fromDoubles(DType.INT8, new long[] {n}, new double[(int) n]));
    String acc = names.fresh(mm.output(0) + "_int32");
    String accF = names.fresh(mm.output(0) + "_float");
    String scale = names.fresh(mm.output(0) + "_scale");
    e.replaceNode(mm, List.of(
        new Node(names.fresh(mm.name() + "_MatMulInteger"), "MatMulInteger",
            List.of(xq[0], wValues, xq[2], wZp), List.of(acc), Attributes.EMPTY),
        new Node(names.fresh(mm.name() + "_Cast"), "Cast", List.of(acc), List.of(accF),
            Attributes.of("to", (long) DType.FLOAT.onnxCode)),
        new Node(names.fresh(mm.name() + "_scale_Mul"), "Mul", List.of(xq[1], wScale), List.of(scale),
            Attributes.EMPTY),
        new Node(mm.name(), "Mul", List.of(accF, scale), mm.outputs(), Attributes.EMPTY)));
    if (g.consumers(base).size() == 1) {
      e.removeInitializer(base);
    }
  }

  private static void replaceGather(Graph g, Graph.Editor e, StaticQuantizer.Names names, Node gather) {
    Tensor table = g.initializer(gather.input(0));
    WeightQuantizer.Quantized q = WeightQuantizer.perChannel(table, 0, 127);
    String base = gather.input(0);
    String values = names.fresh(base + "_quantized");
    String rowScales = names.fresh(base + "_row_scale");
    e.putInitializer(values, q.values());
    e.putInitializer(rowScales, Tensor.ofFloats(new long[] {table.shape()[0]}, q.params().scale()));
    String rowsQ = names.fresh(gather.output(0) + "_int8");
    String rowsF = names.fresh(gather.output(0) + "_float");
    String scales = names.fresh(gather.output(0) + "_row_scale");
    String scalesCol = names.fresh(gather.output(0) + "_row_scale_col");
    Node unsqueeze = g.opset() < 13
        ? new Node(names.fresh(gather.name() + "_Unsqueeze"), "Unsqueeze", List.of(scales), List.of(scalesCol),
            Attributes.of("axes", new long[] {-1}))
        : new Node(names.fresh(gather.name() + "_Unsqueeze"), "Unsqueeze",
            List.of(scales, constant(e, names, base + "_last_axis", Tensor.vector(-1))), List.of(scalesCol), Attributes.EMPTY);
    e.replaceNode(gather, List.of(
        new Node(names.fresh(gather.name() + "_rows"), "Gather", List.of(values, gather.input(1)), List.of(rowsQ),
            Attributes.of("axis", 0L)),
        new Node(names.fresh(gather.name() + "_Cast"), "Cast", List.of(rowsQ), List.of(rowsF),
            Attributes.of("to", (long) DType.FLOAT.onnxCode)),
        new Node(names.fresh(gather.name() + "_scales"), "Gather", List.of(rowScales, gather.input(1)), List.of(scales),
            Attributes.of("axis", 0L)),
        unsqueeze,
        new Node(gather.name(), "Mul", List.of(rowsF, scalesCol), gather.outputs(), Attributes.EMPTY)));
    if (g.consumers(base).size() == 1) {
      e.removeInitializer(base);
    }
  }

  private static String constant(Graph.Editor e, StaticQuantizer.Names names, String hint, Tensor t) {
    String name = names.fresh(hint);
    e.putInitializer(name, t);
    return name;
  }

  private static boolean isFloat(Graph g, String value) {
    Value v = g.type(value);
    return v != null && v.dtype() == DType.FLOAT;
  }
}

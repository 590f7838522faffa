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
 */
public final class DynamicQuantizer {
  /** Embedding tables smaller than this stay float: the saving is not worth two extra nodes. */
  public static final long MIN_TABLE_ELEMENTS = 1 << 16;

  private DynamicQuantizer() {}

  /** What was quantized, for the report. */
  public record Result(Graph graph, List<String> matMuls, List<String> tables) {}

  public static Result apply(Graph g, Set<String> keepFloatNodes) {
    Graph.Editor e = g.edit();
    StaticQuantizer.Names names = new StaticQuantizer.Names(g);
    Map<String, String[]> dynamicInputs = new LinkedHashMap<>();
    List<String> matMuls = new ArrayList<>();
    List<String> tables = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (keepFloatNodes.contains(n.name()) || !n.domain().isEmpty()) {
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

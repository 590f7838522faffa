package dev.hwc.backends.tflite;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Value;
import dev.hwc.common.BadInputException;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.TensorType;

/**
 * Lowers an IR graph (float, or the QDQ graph of a static int8 plan) to a TFLite program in NHWC:
 * graph inputs and outputs of rank 4 are NHWC unless NCHW IO is asked for (then a TRANSPOSE sits at
 * that boundary and nowhere else), layout-sensitive ops run channels-last, and the op rules of
 * {@link TfliteOps} rewrite axes instead of transposing. The IO layouts are recorded in the model's
 * metadata ({@value #IO_METADATA}) so a checker can feed the source model's NCHW samples.
 */
public final class TfliteLowering {
  /** Metadata entry naming each graph input and output with its layout: "image=NHWC;logits=IR". */
  public static final String IO_METADATA = "hwc_io_layout";

  /**
   * @param fp16 float weights stored as FLOAT16 behind DEQUANTIZE (fp16 TFLite)
   * @param io the type of graph inputs and outputs where the graph quantizes them: float (QUANTIZE
   *     and DEQUANTIZE inside the model), int8, or uint8 (zero point + 128, with a QUANTIZE to int8
   *     at each edge, as Coral's uint8 camera pipelines expect)
   * @param nchwIo keep rank-4 graph inputs and outputs in the source's NCHW
   * @param transposeConvBias give TRANSPOSE_CONV its bias input (version 3); false writes version 2
   *     with the bias as an ADD after it, for targets whose compiler takes only v2 (the Edge TPU)
   */
  public record Options(boolean fp16, IoType io, boolean nchwIo, boolean transposeConvBias) {
    public static final Options FLOAT = new Options(false, IoType.FLOAT, false, true);
    public static final Options FULL_INTEGER = new Options(false, IoType.INT8, false, true);

    public Options withTransposeConvBias(boolean b) {
      return new Options(fp16, io, nchwIo, b);
    }

    public Options withIo(IoType t) {
      return new Options(fp16, t, nchwIo, transposeConvBias);
    }
  }

  /** Graph IO types of quantized TFLite models. */
  public enum IoType {
    FLOAT, INT8, UINT8;

    /** From a profile's IO precision name: fp32/float, int8, uint8. */
    public static IoType of(String precision) {
      return switch (precision) {
        case "int8" -> INT8;
        case "uint8" -> UINT8;
        case "fp32", "float", "float32" -> FLOAT;
        default -> throw new BadInputException("TFLite graph IO cannot be " + precision + "; use fp32, int8 or uint8");
      };
    }
  }

  /**
   * @param internalTransposes TRANSPOSE ops the lowering had to keep inside the graph (0 for CNNs)
   * @param notes findings for the report (concat inputs with very different ranges...)
   */
  public record Result(TflModel model, int internalTransposes, List<String> notes) {}

  private TfliteLowering() {}

  /**
   * The graph rewrites this backend needs before lowering (and before quantization, so the plan sees
   * the same ops): the exporters' erf GELU becomes one Gelu (opset 20), since TFLite has GELU but no
   * Erf. A graph without Erf is returned as it is.
   */
  public static Graph prepare(Graph g) {
    if (g.nodes().stream().noneMatch(n -> n.op().equals("Erf"))) {
      return g;
    }
    return new dev.hwc.compiler.passes.FuseGelu().run(dev.hwc.compiler.passes.UpgradeOpset.to(g, 20),
        dev.hwc.compiler.passes.PassContext.defaults());
  }

  /**
   * Why the TFLite backend has no lowering for an op: recurrent ops and control flow by name (they
   * would need UNIDIRECTIONAL_SEQUENCE_LSTM / BIDIRECTIONAL_SEQUENCE_LSTM, an unrolled form, or
   * WHILE/IF subgraphs, none of which the backend writes), anything else plainly.
   */
  public static String whyNot(String op) {
    return switch (op) {
      case "LSTM", "GRU", "RNN" -> op + " is a recurrent op, which the TFLite backend does not lower"
          + " (no UNIDIRECTIONAL_SEQUENCE_LSTM or unrolled form yet); build it for an ONNX Runtime target";
      case "If", "Loop", "Scan" -> op + " is control flow (a node with subgraphs), which the TFLite backend does"
          + " not lower (no WHILE/IF subgraphs); build it for an ONNX Runtime target";
      default -> "the TFLite backend cannot lower " + op;
    };
  }

  /** Ops of g without a TFLite lowering, with their counts, in name order. */
  public static Map<String, Integer> unsupported(Graph g) {
    Map<String, Integer> missing = new TreeMap<>();
    for (Node n : g.nodes()) {
      if (!Lowerer.isQdq(n) && !TfliteOps.RULES.containsKey(n.op())) {
        String kind = switch (n.op()) {
          case "LSTM", "GRU", "RNN" -> " [recurrent]";
          case "If", "Loop", "Scan" -> " [control flow]";
          default -> "";
        };
        missing.merge(n.op() + kind, 1, Integer::sum);
      } else if (n.op().equals("Erf")) {
        missing.merge("Erf outside a GELU", 1, Integer::sum);
      }
    }
    return missing;
  }

  public static Result lower(Graph g, Options o) {
    Map<String, Integer> missing = unsupported(g);
    if (!missing.isEmpty()) {
      StringJoiner j = new StringJoiner(", ");
      missing.forEach((op, count) -> j.add(op + " (" + count + (count == 1 ? " node" : " nodes") + ")"));
      throw new BadInputException("the TFLite backend cannot lower " + j + " yet; it lowers "
          + String.join(", ", TfliteOps.RULES.keySet()));
    }
    Lowerer c = new Lowerer(g, o);
    StringJoiner io = new StringJoiner(";");
    for (Value v : g.inputs()) {
      long[] shape = c.shape(v.name());
      // rank-4 inputs are NHWC, unless only Transposes read them (an exporter's NHWC input: the
      // Transpose to NCHW then cancels against the layout instead of being written)
      boolean onlyTransposed = g.consumers(v.name()).stream().allMatch(r -> r.op().equals("Transpose"));
      Layout layout = shape.length == 4 && !o.nchwIo() && !onlyTransposed ? Layout.NHWC : Layout.IR;
      TflModel.Quant q = o.io() != IoType.FLOAT ? commonInputParams(c, v.name()) : null;
      int t;
      if (q != null && o.io() == IoType.UINT8) {
        int u = c.m.activation(v.name(), TensorType.UINT8, layout.shape(shape), uint8(q));
        c.m.inputs.add(u);
        t = c.m.activation(v.name() + "_int8", TensorType.INT8, layout.shape(shape), q);
        c.emit(BuiltinOperator.QUANTIZE, c.version(null, BuiltinOperator.QUANTIZE, true), new int[] {u}, new int[] {t},
            TflModel.Options.NONE, null, "io");
      } else {
        t = c.m.activation(v.name(), q != null ? TensorType.INT8 : Lowerer.tensorType(v.dtype()), layout.shape(shape), q);
        c.m.inputs.add(t);
      }
      c.bind(v.name(), t, layout);
      io.add(v.name() + "=" + layout);
    }
    for (Node n : g.nodes()) {
      if (c.isFolded(n)) {
        continue;
      }
      switch (n.op()) {
        case "QuantizeLinear" -> quantize(c, n);
        case "DequantizeLinear" -> {
          if (!g.isInitializer(n.input(0))) {
            c.bind(n.output(0), c.val(n.input(0)).tensor(), c.val(n.input(0)).layout());
          }
        }
        default -> TfliteOps.RULES.get(n.op()).lower(c, n);
      }
    }
    for (Value v : g.outputs()) {
      Lowerer.Val val = c.val(v.name());
      int t = val.tensor();
      if (o.io() == IoType.FLOAT && c.m.tensor(t).type == TensorType.INT8) {
        t = c.dequantize(t, null);
      }
      Layout layout = val.layout();
      if (layout == Layout.NHWC && o.nchwIo() || layout == Layout.NLC) { // IO is NHWC or the IR's
        t = c.relayout(t, layout, Layout.IR, null, "io");
        layout = Layout.IR;
      }
      if (o.io() == IoType.UINT8 && c.m.tensor(t).type == TensorType.INT8) {
        TflModel.Tensor src = c.m.tensor(t);
        int u = c.m.activation(v.name(), TensorType.UINT8, src.shape, uint8(src.quant));
        c.emit(BuiltinOperator.QUANTIZE, c.version(null, BuiltinOperator.QUANTIZE, true), new int[] {t}, new int[] {u},
            TflModel.Options.NONE, null, "io");
        t = u;
      }
      c.m.tensor(t).name = v.name();
      c.m.outputs.add(t);
      io.add(v.name() + "=" + layout);
    }
    c.m.metadata.put(IO_METADATA, io.toString());
    c.m.description = "hwc: " + g.name();
    return new Result(c.m, c.internalTransposes(), List.copyOf(c.notes));
  }

  /** The same real values in uint8: zero point + 128. */
  private static TflModel.Quant uint8(TflModel.Quant q) {
    return TflModel.Quant.perTensor(q.scale()[0], q.zeroPoint()[0] + 128);
  }

  /** The params every QuantizeLinear reading a graph input agrees on, or null (the input stays float). */
  private static TflModel.Quant commonInputParams(Lowerer c, String input) {
    // an NHWC input's layout Transposes (cancelled by the lowering) pass it through to its quantizers
    List<Node> readers = new java.util.ArrayList<>();
    for (Node r : c.g.consumers(input)) {
      boolean layoutOnly = r.op().equals("Transpose") && !c.g.isGraphOutput(r.output(0));
      readers.addAll(layoutOnly ? c.g.consumers(r.output(0)) : List.of(r));
    }
    if (readers.isEmpty() || !readers.stream().allMatch(r -> r.op().equals("QuantizeLinear"))) {
      return null;
    }
    TflModel.Quant q = c.paramsOf(readers.get(0));
    return readers.stream().allMatch(r -> c.paramsOf(r).sameAs(q)) ? q : null;
  }

  private static void quantize(Lowerer c, Node n) {
    Lowerer.Val x = c.val(n.input(0));
    TflModel.Quant p = c.paramsOf(n);
    TflModel.Tensor src = c.m.tensor(x.tensor());
    int t;
    if (src.type == TensorType.INT8) {
      t = c.requantize(x.tensor(), p, n);
    } else {
      t = c.m.activation(n.output(0), TensorType.INT8, src.shape, p);
      c.emit(BuiltinOperator.QUANTIZE, c.version(n, BuiltinOperator.QUANTIZE, true), new int[] {x.tensor()}, new int[] {t},
          TflModel.Options.NONE, n, "quantize");
    }
    c.bind(n.output(0), t, x.layout());
  }
}

package dev.hwc.compiler.zoo;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import java.util.List;

/**
 * Small sequence models around ONNX's recurrent ops (random weights, fixed seeds), the way exporters
 * write them: a projection (MatMul + Add + Relu) feeds the recurrent op, whose sequence output goes
 * through a Reshape and a classifier MatMul; the recurrent states are graph inputs and outputs with
 * their own names ({@code h0}/{@code c0} in, {@code h_n}/{@code c_n} out).
 */
public final class RecurrentModels {
  public static final int SEQ = 8;
  public static final int FEATURES = 6;
  public static final int PROJECTED = 16;
  public static final int HIDDEN = 12;
  public static final int CLASSES = 4;

  private RecurrentModels() {}

  /** Bidirectional LSTM, layout 0: frames [8, 1, 6], h0/c0 [2, 1, 12] -> logits [8, 4], h_n, c_n. */
  public static Graph lstm() {
    GraphBuilder b = new GraphBuilder("lstm_tagger", 14, 14);
    String x = b.input("frames", SEQ, 1, FEATURES);
    String h0 = b.input("h0", 2, 1, HIDDEN);
    String c0 = b.input("c0", 2, 1, HIDDEN);
    String p = projection(b, x);
    String w = b.constant("lstm_W", b.randomNormal(0.25, 2, 4 * HIDDEN, PROJECTED));
    String r = b.constant("lstm_R", b.randomNormal(0.25, 2, 4 * HIDDEN, HIDDEN));
    String bias = b.constant("lstm_B", b.randomNormal(0.1, 2, 8 * HIDDEN));
    List<String> outs = List.of("lstm_Y", "h_n", "c_n");
    b.nodeNamedN(outs, "LSTM", Attributes.of("hidden_size", (long) HIDDEN, "direction", "bidirectional"),
        p, w, r, bias, "", h0, c0);
    String flat = b.node("Reshape", Attributes.EMPTY, "lstm_Y",
        b.constant("flat_shape", Tensor.ofLongs(new long[] {2}, SEQ, 2 * HIDDEN)));
    String logits = b.nodeNamed("logits", "MatMul", Attributes.EMPTY, flat,
        b.constant("classifier_W", b.randomNormal(0.3, 2 * HIDDEN, CLASSES)));
    b.output(logits).output("h_n").output("c_n");
    return b.build();
  }

  /**
   * Reverse GRU with linear_before_reset: frames [8, 1, 6], h0 [1, 1, 12] -> logits [8, 4], h_n. Sequence
   * first (layout 0): ONNX Runtime's CPU kernels refuse layout 1, so a batch-first source could not be
   * run as the reference.
   */
  public static Graph gru() {
    GraphBuilder b = new GraphBuilder("gru_tagger", 15, 14);
    String x = b.input("frames", SEQ, 1, FEATURES);
    String h0 = b.input("h0", 1, 1, HIDDEN);
    String p = projection(b, x);
    String w = b.constant("gru_W", b.randomNormal(0.25, 1, 3 * HIDDEN, PROJECTED));
    String r = b.constant("gru_R", b.randomNormal(0.25, 1, 3 * HIDDEN, HIDDEN));
    String bias = b.constant("gru_B", b.randomNormal(0.1, 1, 6 * HIDDEN));
    b.nodeNamedN(List.of("gru_Y", "h_n"), "GRU",
        Attributes.of("hidden_size", (long) HIDDEN, "direction", "reverse", "linear_before_reset", 1L), p, w, r, bias, "", h0);
    String flat = b.node("Reshape", Attributes.EMPTY, "gru_Y",
        b.constant("flat_shape", Tensor.ofLongs(new long[] {2}, SEQ, HIDDEN)));
    String logits = b.nodeNamed("logits", "MatMul", Attributes.EMPTY, flat,
        b.constant("classifier_W", b.randomNormal(0.3, HIDDEN, CLASSES)));
    b.output(logits).output("h_n");
    return b.build();
  }

  private static String projection(GraphBuilder b, String x) {
    String m = b.node("MatMul", Attributes.EMPTY, x, b.constant("proj_W", b.randomNormal(0.4, FEATURES, PROJECTED)));
    String a = b.node("Add", Attributes.EMPTY, m, b.constant("proj_b", b.randomNormal(0.1, PROJECTED)));
    return b.node("Relu", Attributes.EMPTY, a);
  }
}

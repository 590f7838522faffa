package dev.hwc.compiler.zoo;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.List;

/**
 * Small models with ONNX control flow (random weights, fixed seeds), whose subgraphs read values of the
 * outer graph by name: an {@code If} choosing between two branches by the sign of the input's sum, and a
 * {@code Loop} of four steps carrying a state through a Tanh layer, with the per-step states as a scan
 * output.
 */
public final class ControlFlowModels {
  private ControlFlowModels() {}

  /**
   * x [2, 3] -> h = x W (outer); cond = sum(x) > 0; then: relu(h * x) (outer h and x), else: h + c (a
   * branch initializer) -> y = If + bias.
   */
  public static Graph ifModel() {
    GraphBuilder b = new GraphBuilder("if_branches", 21, 13);
    String x = b.input("x", 2, 3);
    String h = b.node("MatMul", Attributes.EMPTY, x, b.constant("W", b.randomNormal(0.5, 3, 3)));
    String sum = b.node("ReduceSum", Attributes.of("keepdims", 0L), x);
    String cond = b.node("Cast", Attributes.of("to", (long) DType.BOOL.onnxCode), b.node("Relu", Attributes.EMPTY, sum));

    Graph.Editor then = Graph.Editor.empty("then", 13);
    then.addNode(new Node("then_mul", "Mul", List.of(h, x), List.of("then_m"), Attributes.EMPTY));
    then.addNode(new Node("then_relu", "Relu", List.of("then_m"), List.of("then_out"), Attributes.EMPTY));
    then.outputs().add(new Value("then_out", DType.FLOAT, Shape.of(2, 3)));

    Graph.Editor other = Graph.Editor.empty("else", 13);
    other.putInitializer("else_c", b.randomNormal(1.0, 3));
    other.addNode(new Node("else_add", "Add", List.of(h, "else_c"), List.of("else_out"), Attributes.EMPTY));
    other.outputs().add(new Value("else_out", DType.FLOAT, Shape.of(2, 3)));

    String chosen = b.node("If", Attributes.of("then_branch", then.build(), "else_branch", other.build()), cond);
    b.output(b.nodeNamed("y", "Add", Attributes.EMPTY, chosen, b.constant("bias", b.randomNormal(0.1, 3))));
    return b.build();
  }

  /**
   * x [1, 4] -> Loop(M = 4, cond = true, state = x): state' = tanh(state W + c) (W outer, c in the body);
   * outputs: final state "state" [1, 4] and the stacked states "steps" [4, 1, 4].
   */
  public static Graph loopModel() {
    GraphBuilder b = new GraphBuilder("loop_steps", 22, 13);
    String x = b.input("x", 1, 4);
    String w = b.constant("W", b.randomNormal(0.6, 4, 4));
    String m = b.constant("trips", Tensor.ofLongs(new long[0], 4));
    String keepGoing = b.constant("keep_going", Tensor.fromDoubles(DType.BOOL, new long[0], new double[] {1}));

    Graph.Editor body = Graph.Editor.empty("body", 13);
    body.inputs().add(new Value("i", DType.INT64, Shape.SCALAR));
    body.inputs().add(new Value("cond_in", DType.BOOL, Shape.SCALAR));
    body.inputs().add(new Value("s_in", DType.FLOAT, Shape.of(1, 4)));
    body.putInitializer("body_c", b.randomNormal(0.2, 4));
    body.addNode(new Node("body_mm", "MatMul", List.of("s_in", w), List.of("body_h"), Attributes.EMPTY));
    body.addNode(new Node("body_add", "Add", List.of("body_h", "body_c"), List.of("body_a"), Attributes.EMPTY));
    body.addNode(new Node("body_tanh", "Tanh", List.of("body_a"), List.of("s_out"), Attributes.EMPTY));
    body.addNode(new Node("body_cond", "Identity", List.of("cond_in"), List.of("cond_out"), Attributes.EMPTY));
    body.addNode(new Node("body_scan", "Identity", List.of("s_out"), List.of("scan_out"), Attributes.EMPTY));
    body.outputs().add(new Value("cond_out", DType.BOOL, Shape.SCALAR));
    body.outputs().add(new Value("s_out", DType.FLOAT, Shape.of(1, 4)));
    body.outputs().add(new Value("scan_out", DType.FLOAT, Shape.of(1, 4)));

    b.nodeNamedN(List.of("state", "steps"), "Loop", Attributes.of("body", body.build()), m, keepGoing, x);
    b.output("state").output("steps");
    return b.build();
  }

  /**
   * Scan over x [5, 3] (axis 0) with a running sum [3] as the state: state' = state + x_t * w (w outer),
   * y_t = relu(state'); outputs "total" [3] and the stacked "ys" [5, 3].
   */
  public static Graph scanModel() {
    GraphBuilder b = new GraphBuilder("scan_sum", 23, 13);
    String x = b.input("x", 5, 3);
    String s0 = b.input("s0", 3);
    String w = b.constant("w", b.randomNormal(1.0, 3));

    Graph.Editor body = Graph.Editor.empty("body", 13);
    body.inputs().add(new Value("s_in", DType.FLOAT, Shape.of(3)));
    body.inputs().add(new Value("x_t", DType.FLOAT, Shape.of(3)));
    body.addNode(new Node("body_mul", "Mul", List.of("x_t", w), List.of("body_m"), Attributes.EMPTY));
    body.addNode(new Node("body_add", "Add", List.of("s_in", "body_m"), List.of("s_out"), Attributes.EMPTY));
    body.addNode(new Node("body_relu", "Relu", List.of("s_out"), List.of("y_t"), Attributes.EMPTY));
    body.outputs().add(new Value("s_out", DType.FLOAT, Shape.of(3)));
    body.outputs().add(new Value("y_t", DType.FLOAT, Shape.of(3)));

    b.nodeNamedN(List.of("total", "ys"), "Scan", Attributes.of("body", body.build(), "num_scan_inputs", 1L), s0, x);
    b.output("total").output("ys");
    return b.build();
  }
}

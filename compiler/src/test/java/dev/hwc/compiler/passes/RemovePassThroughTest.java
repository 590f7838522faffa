package dev.hwc.compiler.passes;

import static dev.hwc.compiler.passes.PassTesting.apply;
import static dev.hwc.compiler.passes.PassTesting.assertWithin;
import static dev.hwc.compiler.passes.PassTesting.maxOutputDiff;
import static dev.hwc.compiler.passes.PassTesting.only;
import static dev.hwc.compiler.passes.PassTesting.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemovePassThroughTest {
  private static final RemovePassThrough PASS = new RemovePassThrough();

  private static String identity(GraphBuilder b, String x) {
    return b.node("Identity", Attributes.EMPTY, x);
  }

  private static List<String> outputNames(Graph g) {
    return g.outputs().stream().map(Value::name).toList();
  }

  @Test
  void identityInsideTheGraphIsBypassed() {
    GraphBuilder b = new GraphBuilder("mid", 1);
    String x = b.input("x", 2, 3);
    String r1 = b.relu(x);
    String id = identity(b, r1);
    b.output(b.sigmoid(id));
    Graph g = b.build();

    Graph f = apply(PASS, g);

    assertEquals(List.of("Relu", "Sigmoid"), ops(f));
    assertEquals(List.of(r1), only(f, "Sigmoid").inputs());
    assertNull(f.type(id), "the removed value's type is gone");
    assertWithin(0, maxOutputDiff(g, f, 1), "outputs");
  }

  @Test
  void graphOutputKeepsItsNameByRenamingTheProducer() {
    GraphBuilder b = new GraphBuilder("out", 1);
    String x = b.input("x", 2, 3);
    String r = b.relu(x);
    String side = b.sigmoid(r); // another reader of the renamed value
    b.output(identity(b, identity(b, r)));
    b.output(side);
    Graph g = b.build();
    List<String> names = outputNames(g);

    Graph f = apply(PASS, g);

    assertEquals(List.of("Relu", "Sigmoid"), ops(f));
    assertEquals(names, outputNames(f), "graph output names unchanged");
    assertEquals(names.get(0), only(f, "Relu").output(0));
    assertEquals(List.of(names.get(0)), only(f, "Sigmoid").inputs());
    assertWithin(0, maxOutputDiff(g, f, 2), "outputs");
  }

  @Test
  void inputToOutputPassthroughKeepsItsIdentity() {
    GraphBuilder b = new GraphBuilder("io", 1);
    String x = b.input("x", 2, 3);
    b.output(identity(b, x));
    b.output(b.relu(x));
    Graph g = b.build();
    assertSame(g, apply(PASS, g));
  }

  @Test
  void outputToOutputAndConstantToOutputKeepTheirIdentity() {
    GraphBuilder b = new GraphBuilder("oo", 1);
    String x = b.input("x", 2);
    String r = b.relu(x);
    b.output(r);
    b.output(identity(b, r));
    b.output(identity(b, b.constant("c", Tensor.ofFloats(new long[] {2}, 1, 2))));
    Graph g = b.build();
    assertSame(g, apply(PASS, g));
  }

  @Test
  void inferenceDropoutIsRemoved() {
    GraphBuilder b = new GraphBuilder("drop", 1);
    String x = b.input("x", 2, 3);
    String ratio = b.constant("ratio", Tensor.scalar(0.1f));
    String off = b.constant("training", Tensor.fromDoubles(dev.hwc.compiler.ir.DType.BOOL, new long[0], new double[] {0}));
    String d1 = b.node("Dropout", Attributes.of("ratio", 0.5f), x);
    List<String> d2 = b.nodeN("Dropout", Attributes.EMPTY, 2, b.relu(d1), ratio, off); // mask unread
    b.output(b.sigmoid(d2.get(0)));
    Graph g = b.build();

    Graph f = apply(PASS, g);

    assertEquals(List.of("Relu", "Sigmoid"), ops(f));
    assertWithin(0, maxOutputDiff(g, f, 3), "outputs");
  }

  @Test
  void dropoutStaysWhenTrainingOrItsMaskIsRead() {
    GraphBuilder b = new GraphBuilder("drop_kept", 1);
    String x = b.input("x", 2, 3);
    String on = b.constant("training", Tensor.fromDoubles(dev.hwc.compiler.ir.DType.BOOL, new long[0], new double[] {1}));
    String training = b.node("Dropout", Attributes.EMPTY, x, "", on);
    List<String> masked = b.nodeN("Dropout", Attributes.EMPTY, 2, training);
    b.output(masked.get(0));
    b.output(masked.get(1));
    Graph g = b.build();
    assertSame(g, apply(PASS, g));
  }

  @Test
  void passThroughOutputWithManyReadersRewiresAll() {
    GraphBuilder b = new GraphBuilder("fan", 1);
    String x = b.input("x", 4);
    String id = identity(b, b.relu(x));
    b.output(b.add(b.sigmoid(id), b.node("Neg", Attributes.EMPTY, id)));
    Graph g = b.build();

    Graph f = apply(PASS, g);

    assertFalse(ops(f).contains("Identity"));
    assertEquals(4, f.nodes().size());
    assertWithin(0, maxOutputDiff(g, f, 4), "outputs");
  }
}

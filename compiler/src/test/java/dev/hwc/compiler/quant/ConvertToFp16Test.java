package dev.hwc.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.profiles.ProfileLoader;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConvertToFp16Test {
  private static final float EPS = 1e-12f;

  private static Graph convert(Graph g, boolean fp32Io, String... keep) {
    Graph out = PassContext.forTests().run(new ConvertToFp16(fp32Io, List.of(keep)), g);
    assertEquals(List.of(), GraphValidator.validate(out), "graph after convert-fp16");
    return out;
  }

  private static List<Node> nodes(Graph g, String op) {
    return g.nodes().stream().filter(n -> n.op().equals(op)).toList();
  }

  private static Node only(Graph g, String op) {
    List<Node> found = nodes(g, op);
    assertEquals(1, found.size(), op + " nodes in " + g.nodes().stream().map(Node::op).toList());
    return found.get(0);
  }

  private static DType in(Graph g, Node n, int i) {
    return g.type(n.input(i)).dtype();
  }

  private static DType out(Graph g, Node n) {
    return g.type(n.output(0)).dtype();
  }

  /** x -> Conv -> Relu -> GlobalAveragePool -> Flatten -> Softmax. */
  private static Graph convSoftmax() {
    GraphBuilder b = new GraphBuilder("conv-softmax", 1);
    String x = b.input("x", 1, 3, 8, 8);
    b.output(b.softmax(b.flatten(b.globalAveragePool(b.relu(b.conv(x, 4, 3, 1)))), 1));
    return b.build();
  }

  @Test
  void weightsAndActivationsBecomeFp16AndKeptOpsStayFp32BehindCasts() {
    Graph g = convSoftmax();
    Graph f = convert(g, true, "Softmax");

    assertEquals(DType.FLOAT, f.inputs().get(0).dtype(), "fp32 graph input");
    assertEquals(DType.FLOAT, f.outputs().get(0).dtype(), "fp32 graph output");
    Node conv = only(f, "Conv");
    assertEquals(DType.FLOAT16, in(f, conv, 0));
    assertEquals(DType.FLOAT16, f.initializer(conv.input(1)).dtype());
    assertEquals(DType.FLOAT16, f.initializer(conv.input(2)).dtype());
    assertEquals(DType.FLOAT16, out(f, only(f, "Flatten")));
    Node softmax = only(f, "Softmax");
    assertEquals(DType.FLOAT, in(f, softmax, 0));
    assertEquals(DType.FLOAT, out(f, softmax));
    assertEquals(g.outputs().get(0).name(), softmax.output(0), "the kept op produces the fp32 output directly");
    assertEquals(2, nodes(f, "Cast").size(), "x to fp16, Flatten's result to fp32");
    assertEquals(g.outputs().stream().map(Value::name).toList(), f.outputs().stream().map(Value::name).toList());
    assertEquals(g.parameterBytes() / 2, f.parameterBytes());
  }

  @Test
  void fp16GraphIoHasNoCastsAtTheEdges() {
    Graph g = convSoftmax();
    Graph f = convert(g, false, "Softmax");
    assertEquals(DType.FLOAT16, f.inputs().get(0).dtype());
    assertEquals(DType.FLOAT16, f.outputs().get(0).dtype());
    assertEquals(List.of(g.inputs().get(0).name()), List.of(only(f, "Conv").input(0)), "Conv reads the input itself");
    List<Node> casts = nodes(f, "Cast");
    assertEquals(2, casts.size(), "around Softmax only");
    assertEquals(g.outputs().get(0).name(), casts.get(1).output(0), "the last Cast writes the graph output");
    assertEquals(DType.FLOAT, out(f, only(f, "Softmax")));
  }

  @Test
  void consecutiveFp32OpsHaveNoCastsBetweenThemAndTheirConstantsStayFp32() {
    // LayerNorm spelled out: (x - mean) / sqrt(mean((x - mean)^2) + eps)
    GraphBuilder b = new GraphBuilder("layernorm", 1);
    String x = b.input("x", 2, 8);
    String mean = b.node("ReduceMean", Attributes.of("axes", new long[] {-1}), x);
    String d = b.node("Sub", Attributes.EMPTY, x, mean);
    String sq = b.node("Pow", Attributes.EMPTY, d, b.constant("two", Tensor.scalar(2f)));
    String var = b.node("ReduceMean", Attributes.of("axes", new long[] {-1}), sq);
    String eps = b.constant("eps", Tensor.scalar(EPS));
    String std = b.node("Sqrt", Attributes.EMPTY, b.add(var, eps));
    b.output(b.node("Div", Attributes.EMPTY, d, std));
    Graph g = b.build();

    Graph f = convert(g, false, "ReduceMean", "Pow", "Sqrt");

    Node add = only(f, "Add");
    assertEquals(DType.FLOAT, in(f, add, 0), "Add between ReduceMean and Sqrt runs in fp32");
    assertEquals(DType.FLOAT, in(f, add, 1));
    assertEquals(EPS, (float) f.initializer(add.input(1)).getDouble(0), "epsilon kept exactly");
    Node pow = only(f, "Pow");
    assertEquals(DType.FLOAT, f.initializer(pow.input(1)).dtype(), "kept op's constant stays fp32");
    for (Node n : nodes(f, "Cast")) {
      Node p = f.producer(n.input(0));
      assertTrue(p == null || !Set.of("Pow", "ReduceMean", "Add").contains(p.op())
          || f.consumers(n.output(0)).stream().noneMatch(c -> Set.of("ReduceMean", "Add", "Sqrt").contains(c.op())),
          "no Cast between fp32 ops: " + n.describe());
    }
    // x to fp32 for the first ReduceMean, its mean to fp16 for Sub, Sub's result to fp32 for Pow, Sqrt's result to fp16
    assertEquals(4, nodes(f, "Cast").size(), f.nodes().stream().map(Node::describe).toList().toString());
    assertEquals(DType.FLOAT16, out(f, only(f, "Div")));
  }

  @Test
  void constantsAreClampedFlushedAndEpsilonsKeptAlive() {
    Tensor t = ConvertToFp16.toFp16(Tensor.ofFloats(new long[] {8},
        1e5f, Float.NEGATIVE_INFINITY, 1e-9f, -3e-8f, 0.5f, Float.NaN, 65504f, 1e-3f));
    double[] v = t.toDoubles();
    assertEquals(DType.FLOAT16, t.dtype());
    assertEquals(10000, v[0]);
    assertEquals(-10000, v[1]);
    assertEquals(0, v[2]);
    assertEquals(0, v[3]);
    assertEquals(0.5, v[4]);
    assertTrue(Double.isNaN(v[5]));
    assertEquals(10000, v[6]);
    assertEquals(1e-3, v[7], 1e-6);
    double eps = ConvertToFp16.toFp16(Tensor.scalar(1e-12f)).getDouble(0);
    assertTrue(eps > 0 && eps < 2e-7, "a one-element epsilon stays positive: " + eps);
    assertTrue(ConvertToFp16.toFp16(Tensor.scalar(-1e-12f)).getDouble(0) < 0);
  }

  @Test
  void castToFloatInAnFp16RegionCastsToFloat16() {
    GraphBuilder b = new GraphBuilder("mask", 1);
    String x = b.input("x", 2, 4);
    String mask = b.input("mask", DType.INT64, Shape.of(2, 4));
    String m = b.node("Cast", Attributes.of("to", (long) DType.FLOAT.onnxCode), mask);
    b.output(b.node("Mul", Attributes.EMPTY, x, m));
    String m2 = b.node("Cast", Attributes.of("to", (long) DType.FLOAT.onnxCode), mask);
    b.output(b.softmax(b.add(m2, b.constant("one", Tensor.scalar(1f))), -1));
    Graph g = b.build();

    Graph f = convert(g, true, "Softmax");

    List<Node> casts = nodes(f, "Cast").stream().filter(n -> n.input(0).equals(mask)).toList();
    assertEquals(2, casts.size());
    assertEquals(DType.FLOAT16.onnxCode, casts.get(0).attrs().getInt("to", 0), "read by an fp16 Mul");
    assertEquals(DType.FLOAT.onnxCode, casts.get(1).attrs().getInt("to", 0), "read only by fp32 ops");
    assertEquals(DType.FLOAT, in(f, only(f, "Add"), 0), "Add feeding Softmax alone runs in fp32");
    assertEquals(DType.INT64, f.inputs().get(1).dtype(), "integer inputs untouched");
  }

  @Test
  void resizeScalesStayFp32WhetherResizeIsKeptOrNot() {
    GraphBuilder b = new GraphBuilder("resize", 1);
    String x = b.input("x", 1, 2, 4, 4);
    b.output(b.relu(b.resize(b.relu(x), 2, "nearest")));
    Graph g = b.build();

    Graph inFp16 = convert(g, true);
    Node r = only(inFp16, "Resize");
    assertEquals(DType.FLOAT16, in(inFp16, r, 0));
    assertEquals(DType.FLOAT, in(inFp16, r, 2), "scales are float32 in ONNX");
    assertEquals(DType.FLOAT16, out(inFp16, r));

    Graph kept = convert(g, true, "Resize");
    Node k = only(kept, "Resize");
    assertEquals(DType.FLOAT, in(kept, k, 0));
    assertEquals(DType.FLOAT, in(kept, k, 2));
    assertEquals(DType.FLOAT, out(kept, k));
  }

  @Test
  void aConstantReadInBothPrecisionsIsStoredTwice() {
    GraphBuilder b = new GraphBuilder("shared", 1);
    String x = b.input("x", 2, 3);
    String c = b.constant("c", Tensor.ofFloats(new long[] {3}, 1, 2, 3));
    String y = b.add(x, c);
    b.output(b.node("Pow", Attributes.EMPTY, b.relu(y), c));
    Graph g = b.build();

    Graph f = convert(g, false, "Pow");

    assertEquals(DType.FLOAT16, f.initializer(only(f, "Add").input(1)).dtype());
    assertEquals(DType.FLOAT, f.initializer(only(f, "Pow").input(1)).dtype());
    assertNotEquals(only(f, "Add").input(1), only(f, "Pow").input(1));
  }

  @Test
  void shapeReadsFp16ValuesWithoutACastAndIntegerChainsAreUntouched() {
    GraphBuilder b = new GraphBuilder("shape", 1);
    String x = b.input("x", 2, 3, 4);
    String r = b.relu(x);
    String s = b.node("Shape", Attributes.EMPTY, r);
    b.output(b.node("Reshape", Attributes.EMPTY, b.relu(r), s));
    Graph g = b.build();
    Graph f = convert(g, false);
    assertTrue(nodes(f, "Cast").isEmpty());
    assertEquals(DType.INT64, out(f, only(f, "Shape")));
    assertEquals(DType.FLOAT16, f.outputs().get(0).dtype());
  }

  @Test
  void aGraphOutputReadInsideKeepsItsNameAndItsReadersShareTheFp16Value() {
    GraphBuilder b = new GraphBuilder("out-read", 1);
    String x = b.input("x", 2, 3);
    String r = b.relu(x);
    b.output(r);
    b.output(b.sigmoid(r));
    Graph g = b.build();

    Graph f = convert(g, true);

    Node relu = only(f, "Relu");
    assertNotEquals(r, relu.output(0));
    assertEquals(DType.FLOAT16, out(f, relu));
    assertEquals(List.of(relu.output(0)), only(f, "Sigmoid").inputs());
    assertEquals(List.of(r, g.outputs().get(1).name()), f.outputs().stream().map(Value::name).toList());
    assertEquals(DType.FLOAT, f.type(r).dtype());
    assertEquals(3, nodes(f, "Cast").size(), "x in, two outputs out");
  }

  @Test
  void constantOfShapeFillsWithFp16InAnFp16Region() {
    GraphBuilder b = new GraphBuilder("fill", 1);
    String x = b.input("x", 2, 3);
    String s = b.node("Shape", Attributes.EMPTY, x);
    String ones = b.node("ConstantOfShape", Attributes.of("value", Tensor.ofFloats(new long[] {1}, 1f)), s);
    b.output(b.add(x, ones));
    Graph f = convert(b.build(), false);
    Node fill = only(f, "ConstantOfShape");
    assertEquals(DType.FLOAT16, fill.attrs().getTensor("value").dtype());
    assertEquals(DType.FLOAT16, out(f, fill));
  }

  @Test
  void theCudaFp16ProfileKeepsItsListedOpsInFp32() {
    ConvertToFp16 p = ConvertToFp16.forProfile(ProfileLoader.builtin("cuda-fp16"), true);
    assertTrue(p.keepFp32().containsAll(Set.of("Softmax", "ReduceMean", "Pow", "Sqrt", "LayerNormalization", "Resize")));
    assertTrue(p.fp32Io());
    assertEquals(ConvertToFp16.NAME, p.info().name());
  }

  @Test
  void aGraphWithoutFloat32ValuesIsReturnedAsItIs() {
    GraphBuilder b = new GraphBuilder("ints", 1);
    String x = b.input("x", DType.INT64, Shape.of(4));
    b.output(b.node("Add", Attributes.EMPTY, x, b.constant("k", Tensor.vector(1, 2, 3, 4))));
    Graph g = b.build();
    assertSame(g, convert(g, false));
  }
}

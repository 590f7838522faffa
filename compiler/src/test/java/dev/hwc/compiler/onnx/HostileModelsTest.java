package dev.hwc.compiler.onnx;

import static dev.hwc.compiler.onnx.OnnxModels.FLOAT;
import static dev.hwc.compiler.onnx.OnnxModels.floatRaw;
import static dev.hwc.compiler.onnx.OnnxModels.model;
import static dev.hwc.compiler.onnx.OnnxModels.node;
import static dev.hwc.compiler.onnx.OnnxModels.tensorInfo;
import static dev.hwc.compiler.onnx.OnnxModels.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.hwc.common.BadInputException;
import dev.hwc.compiler.analysis.ModelStats;
import dev.hwc.compiler.frontend.Frontends;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.ops.ShapeInference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models that once crashed the reader (exit 3) or were silently accepted: each a one-line BadInputException now. */
class HostileModelsTest {
  @TempDir Path dir;

  private String refused(GraphProto.Builder g) throws Exception {
    Path file = write(model(17, g.setName("g").build()), dir.resolve("m.onnx"));
    BadInputException e = assertThrows(BadInputException.class, () -> read(file));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage();
  }

  private static Graph read(Path file) throws Exception {
    Graph g = GraphValidator.check(ShapeInference.run(Frontends.read(file)));
    ModelStats.of(g);
    return g;
  }

  @Test
  void emptyGraphs() throws Exception {
    assertTrue(refused(GraphProto.newBuilder().addInput(tensorInfo("x", FLOAT, 1, 4)).addOutput(tensorInfo("x", FLOAT, 1, 4)))
        .endsWith("has an empty graph (no nodes): there is nothing to compile"));
    assertTrue(refused(GraphProto.newBuilder().addInitializer(floatRaw("c", new long[] {4}, 1, 2, 3, 4))
        .addNode(node("r", "Relu", List.of("c"), List.of("y"))).addOutput(tensorInfo("y", FLOAT, 4)))
        .endsWith("has an empty graph (no inputs): there is nothing to compile"));
    assertTrue(refused(GraphProto.newBuilder().addInput(tensorInfo("x", FLOAT, 4))
        .addNode(node("r", "Relu", List.of("x"), List.of("y"))))
        .endsWith("has an empty graph (no outputs): there is nothing to compile"));
  }

  @Test
  void nodesWithoutAnOutput() throws Exception { // fuzzer finding: reached shape inference (index out of bounds)
    String m = refused(GraphProto.newBuilder().addInput(tensorInfo("x", FLOAT, 4))
        .addNode(node("r", "Relu", List.of("x"), List.of())).addNode(node("s", "Relu", List.of("x"), List.of("y")))
        .addOutput(tensorInfo("y", FLOAT, 4)));
    assertTrue(m.contains("node 'r' (Relu)") && m.endsWith("has no output"), m);
    m = refused(GraphProto.newBuilder().addInput(tensorInfo("x", FLOAT, 4))
        .addNode(node("r", "Relu", List.of("x"), List.of(""))).addNode(node("s", "Relu", List.of("x"), List.of("y")))
        .addOutput(tensorInfo("y", FLOAT, 4)));
    assertTrue(m.endsWith("has no output name"), m);
  }

  @Test
  void anInitializerShadowingTheOnlyInput() throws Exception {
    String m = refused(GraphProto.newBuilder().addInput(tensorInfo("x", FLOAT, 4))
        .addInitializer(floatRaw("x", new long[] {4}, 1, 2, 3, 4))
        .addNode(node("r", "Relu", List.of("x"), List.of("y"))).addOutput(tensorInfo("y", FLOAT, 4)));
    assertTrue(m.endsWith("graph input 'x' is shadowed by an initializer of the same name, so the model would have"
        + " no inputs; rename or drop the initializer"), m);
  }

  @Test
  void weightsListedAsInputsTooStillRead() throws Exception {
    // keep_initializers_as_inputs exports: the weight is a graph input with a default, the real input stays
    Path file = write(model(17, GraphProto.newBuilder().setName("g").addInput(tensorInfo("x", FLOAT, 4))
        .addInput(tensorInfo("w", FLOAT, 4)).addInitializer(floatRaw("w", new long[] {4}, 1, 2, 3, 4))
        .addNode(node("a", "Add", List.of("x", "w"), List.of("y"))).addOutput(tensorInfo("y", FLOAT, 4))
        .build()), dir.resolve("kept.onnx"));
    Graph g = read(file);
    assertEquals(1, g.inputs().size());
    assertEquals("x", g.inputs().get(0).name());
  }

  @Test
  void inputsWhoseSizeOverflows64Bits() throws Exception {
    long big = 1L << 31;
    String m = refused(GraphProto.newBuilder().addInput(tensorInfo("x", FLOAT, big, big))
        .addNode(node("r", "Relu", List.of("x"), List.of("y"))).addOutput(tensorInfo("y", FLOAT, big, big)));
    assertEquals("graph input 'x' of shape [2147483648,2147483648] fp32 is too large: hwc holds at most 2147483639"
        + " bytes per tensor", m);
    long huge = 1L << 32;
    m = refused(GraphProto.newBuilder().addInput(tensorInfo("x", FLOAT, huge, huge, huge))
        .addNode(node("r", "Relu", List.of("x"), List.of("y"))).addOutput(tensorInfo("y", FLOAT, huge, huge, huge)));
    assertEquals("graph input 'x' of shape [4294967296,4294967296,4294967296] fp32 is too large: hwc holds at most"
        + " 2147483639 bytes per tensor", m);
  }

  @Test
  void aMacCountThatOverflowsIsAnErrorNotZero() throws Exception {
    long n = 1L << 28;
    String m = refused(GraphProto.newBuilder().addInput(tensorInfo("a", FLOAT, n, 1)).addInput(tensorInfo("b", FLOAT, 1, n))
        .addNode(node("mm1", "MatMul", List.of("a", "b"), List.of("c")))
        .addNode(node("mm2", "MatMul", List.of("c", "c"), List.of("y"))).addOutput(tensorInfo("y", FLOAT, n, n)));
    assertEquals("the MAC count of MatMul 'mm2' is too large (72057594037927936 x 268435456 overflows 64 bits)", m);
  }

  private GraphProto.Builder externalAdd(String location, long offset) {
    TensorProto.Builder w = TensorProto.newBuilder().setName("w").setDataType(FLOAT).addDims(4)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location));
    if (offset > 0) {
      w.addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(Long.toString(offset)));
    }
    return GraphProto.newBuilder().addInput(tensorInfo("x", FLOAT, 4)).addInitializer(w)
        .addNode(node("a", "Add", List.of("x", "w"), List.of("y"))).addOutput(tensorInfo("y", FLOAT, 4));
  }

  @Test
  void externalDataSymlinkLoop() throws Exception {
    Files.createSymbolicLink(dir.resolve("a.bin"), Path.of("b.bin"));
    Files.createSymbolicLink(dir.resolve("b.bin"), Path.of("a.bin"));
    assertEquals("external data 'a.bin' of tensor 'w' cannot be read: a symlink loop (too many levels of symbolic links)",
        refused(externalAdd("a.bin", 0)));
  }

  @Test
  void externalDataFifoIsNotOpened() throws Exception {
    Path fifo = dir.resolve("w.bin");
    boolean made;
    try {
      made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
    } catch (java.io.IOException e) {
      made = false;
    }
    assumeTrue(made);
    String m = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> refused(externalAdd("w.bin", 0)));
    assertTrue(m.contains("not a regular file (a FIFO)"), m);
  }

  @Test
  void anOffsetPastTheEndShowsNoNegativeLength() throws Exception {
    Files.write(dir.resolve("w.bin"), new byte[16]);
    String m = refused(externalAdd("w.bin", 100));
    assertEquals("external data 'w.bin' of tensor 'w' is out of range: offset 100 > file size 16", m);
  }

  @Test
  void aModelThatIsADeviceIsNotRead() throws Exception {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero));
    Path link = dir.resolve("zero.onnx");
    Files.createSymbolicLink(link, zero);
    BadInputException e = assertThrows(BadInputException.class, () -> read(link));
    assertEquals("cannot read ONNX model " + link + ": not a regular file (a character device); hwc reads only regular"
        + " files", e.getMessage());
  }
}

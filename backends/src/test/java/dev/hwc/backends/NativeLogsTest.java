package dev.hwc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native runtimes' own stderr lines, seen from a real child JVM: quiet by default, shown with
 * -Dhwc.verbose=true; and ONNX Runtime loads from hwc's cache, leaving nothing in the temporary folder.
 */
class NativeLogsTest {
  @TempDir Path dir;

  record Run(String out, String err, List<String> tmp) {}

  private Run child(boolean verbose) throws Exception {
    Path tmp = Files.createDirectories(dir.resolve(verbose ? "tmp-v" : "tmp"));
    Path bad = dir.resolve("bad.onnx");
    // Gather(x[4], i[1]): run with i = 26, ONNX Runtime fails the run and logs an error line
    OnnxMl.ModelProto m = OnnxMl.ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .setGraph(OnnxMl.GraphProto.newBuilder().setName("g")
            .addInput(vi("x", 1, 4)).addInput(vi("i", 7, 1)).addOutput(vi("y", 1, 1))
            .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Gather").setName("gather").addInput("x").addInput("i")
                .addOutput("y")))
        .build();
    Files.write(bad, m.toByteArray());
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-Djava.io.tmpdir=" + tmp));
    if (verbose) {
      cmd.add("-D" + NativeLogs.PROPERTY + "=true");
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NativeLogsChild.class.getName(), dir.toString(),
        bad.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("TMPDIR", tmp.toString());
    pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
    pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
    pb.environment().remove("HWC_VERBOSE");
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), err);
    try (Stream<Path> s = Files.list(tmp)) {
      return new Run(new String(out, StandardCharsets.UTF_8), err, s.map(q -> q.getFileName().toString()).toList());
    }
  }

  @Test
  void nativeLogsAreQuietByDefaultAndShownWhenVerbose() throws Exception {
    Run quiet = child(false);
    assertTrue(quiet.out().contains("onnx rejected") && quiet.out().contains("done"), quiet.out() + quiet.err());
    assertEquals("", quiet.err(), "nothing on stderr by default");
    Run loud = child(true);
    assertTrue(loud.err().contains("XNNPACK"), "TFLite's INFO line with verbose: " + loud.err());
    assertTrue(loud.err().contains("onnxruntime"), "ONNX Runtime's error line with verbose: " + loud.err());
  }

  @Test
  void onnxRuntimeLoadsFromHwcsCacheAndLeavesNothingInTmp() throws Exception {
    Run r = child(false);
    assertEquals(List.of(), r.tmp(), "left in the temporary folder");
    try (Stream<Path> s = Files.list(dir.resolve("cache/hwc"))) {
      List<Path> cached = s.toList();
      assertEquals(1, cached.size(), cached.toString());
      assertTrue(cached.get(0).getFileName().toString().startsWith("onnxruntime-"), cached.toString());
      assertTrue(Files.exists(cached.get(0).resolve(System.mapLibraryName("onnxruntime"))));
      long before = Files.getLastModifiedTime(cached.get(0).resolve(System.mapLibraryName("onnxruntime"))).toMillis();
      assertEquals(List.of(), child(false).tmp());
      assertEquals(before, Files.getLastModifiedTime(cached.get(0).resolve(System.mapLibraryName("onnxruntime")))
          .toMillis(), "extracted once, then reused");
    }
    assertFalse(r.err().contains("onnxruntime-java"));
  }

  private static OnnxMl.ValueInfoProto vi(String name, int type, long n) {
    return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type)
            .setShape(OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(n))))).build();
  }
}

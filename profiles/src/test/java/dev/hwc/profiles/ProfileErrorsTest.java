package dev.hwc.profiles;

import dev.hwc.common.BadInputException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad profiles: every error is one line that names file:line and the problem. */
class ProfileErrorsTest {
  /** A small valid float profile; line numbers below refer to it. */
  private static final String BASE = String.join("\n",
      "id: mine",                                              // 1
      "artifact: onnx",                                        // 2
      "runtime: onnxruntime",                                  // 3
      "precisions:",                                           // 4
      "  weights: [fp32]",                                     // 5
      "  activations: [fp32]",                                 // 6
      "  io: [fp32]",                                          // 7
      "ops:",                                                  // 8
      "  Conv: {}",                                            // 9
      "  Softmax: { limits: [{maxElements: 16000}] }",         // 10
      "");

  /** A valid int8 profile; line numbers below refer to it. */
  private static final String INT8 = String.join("\n",
      "id: mine8",                                             // 1
      "artifact: tflite",                                      // 2
      "runtime: tflite",                                       // 3
      "precisions:",                                           // 4
      "  weights: [int8]",                                     // 5
      "  activations: [int8, fp32]",                           // 6
      "  io: [int8]",                                          // 7
      "quantization:",                                         // 8
      "  weights:",                                            // 9
      "    dtype: int8",                                       // 10
      "    symmetric: true",                                   // 11
      "    perChannel: true",                                  // 12
      "    channelAxis: { Conv: 0 }",                          // 13
      "    min: -127",                                         // 14
      "    max: 127",                                          // 15
      "  activations:",                                        // 16
      "    dtype: int8",                                       // 17
      "    symmetric: false",                                  // 18
      "    perTensor: true",                                   // 19
      "    min: -128",                                         // 20
      "    max: 127",                                          // 21
      "  fixedOutputRanges:",                                  // 22
      "    Sigmoid: { scale: 0.00390625, zeroPoint: -128 }",   // 23
      "ops:",                                                  // 24
      "  Conv: { limits: [sameDilation] }",                    // 25
      "  Sigmoid: {}",                                         // 26
      "partitioning:",                                         // 27
      "  mode: whole-graph",                                   // 28
      "");

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  /** Loads {@code text} and returns the error message, checked to be one line that starts with file:line. */
  private String error(String text, int line) throws IOException {
    Path file = write("my.yaml", text);
    BadInputException e = assertThrows(BadInputException.class, () -> ProfileLoader.load(file));
    String message = e.getMessage();
    assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
    String prefix = "bad profile " + file + ":" + line + ": ";
    assertTrue(message.startsWith(prefix), "expected prefix '" + prefix + "' in: " + message);
    return message.substring(prefix.length());
  }

  @Test
  void theBaseProfilesAreValid() throws IOException {
    assertEquals("mine", ProfileLoader.load(write("a.yaml", BASE)).id());
    assertEquals("mine8", ProfileLoader.load(write("b.yaml", INT8)).id());
  }

  @Test
  void unknownField() throws IOException {
    assertEquals("unknown field 'opz'; did you mean 'ops'? (expected one of: artifact, contribOps, description, gate, "
        + "id, keepHigherPrecision, memory, ops, partitioning, precisions, quantization, runtime, shapes)",
        error(BASE + "opz: 1\n", 11));
  }

  @Test
  void unknownNestedFieldNamesItsParent() throws IOException {
    assertEquals("ops.Conv: unknown field 'limit'; did you mean 'limits'? (expected one of: limits, lowersTo, note, "
        + "opVersion)", error(BASE.replace("Conv: {}", "Conv: { limit: [sameDilation] }"), 9));
    assertTrue(error(INT8.replace("    symmetric: true\n", "    symetric: true\n"), 11)
        .startsWith("quantization.weights: unknown field 'symetric'; did you mean 'symmetric'?"));
  }

  @Test
  void unknownConstraintKind() throws IOException {
    String message = error(BASE.replace("maxElements", "maxElemnts"), 10);
    assertTrue(message.startsWith("ops.Softmax.limits[0]: unknown constraint 'maxElemnts'; did you mean "
        + "'maxElements'? (known: sameDilation, noFusedActivation, "), message);
  }

  @Test
  void unknownConstraintKindInBlockStyleGetsItsOwnLine() throws IOException {
    String block = INT8.replace("  Conv: { limits: [sameDilation] }",
        "  Conv:\n    limits:\n      - sameDilation\n      - bigKernel: 3");
    assertTrue(error(block, 28).startsWith("ops.Conv.limits[1]: unknown constraint 'bigKernel'"));
  }

  @Test
  void badArtifactValue() throws IOException {
    assertEquals("artifact must be one of onnx, tflite, tensorrt, got 'pb'", error(BASE.replace("onnx\n", "pb\n"), 2));
  }

  @Test
  void stringWhereNumberBelongs() throws IOException {
    assertEquals("gate.minCosine: expected a number, got 'high'", error(BASE + "gate: { minCosine: high }\n", 11));
    assertEquals("shapes.maxRank: expected an integer, got '4'", error(BASE + "shapes:\n  maxRank: \"4\"\n", 12));
    assertEquals("ops.Softmax.limits[0]: value of 'maxElements' must be an integer, got '16000'",
        error(BASE.replace("16000", "\"16000\""), 10));
  }

  @Test
  void otherWrongTypes() throws IOException {
    assertEquals("artifact: expected a string, got 5", error(BASE.replace("artifact: onnx", "artifact: 5"), 2));
    assertEquals("shapes.maxRank: expected an integer, got 4.5", error(BASE + "shapes: { maxRank: 4.5 }\n", 11));
    assertEquals("ops: expected a mapping, got a list", error(BASE.replace("  Conv: {}\n", "  - Conv\n")
        .replace("  Softmax: { limits: [{maxElements: 16000}] }\n", ""), 8));
    assertEquals("precisions.weights[1]: empty entry (null); give a value or remove it",
        error(BASE.replace("weights: [fp32]", "weights: [fp32, ~]"), 5));
  }

  @Test
  void yamlSyntaxError() throws IOException {
    assertEquals("YAML syntax error: expected ',' or '}', but got :",
        error(BASE.replace("  Conv: {}", "  Conv: { lowersTo: X"), 10));
    assertTrue(error("id: x\n\tartifact: onnx\n", 2).startsWith("YAML syntax error: found character '\\t(TAB)'"));
  }

  @Test
  void emptyFile() throws IOException {
    String expected = "file is empty; expected a mapping of profile fields (id, artifact, ...)";
    assertEquals(expected, error("", 1));
    assertEquals(expected, error("# nothing but a comment\n\n", 1));
  }

  @Test
  void truncatedFile() throws IOException {
    // cut inside a flow mapping: a syntax error at the end
    assertEquals("YAML syntax error: expected ',' or '}', but got <stream end>",
        error(BASE.substring(0, BASE.indexOf("Softmax") + 12), 10));
    // cut after a key: the section is empty
    assertEquals("precisions: expected a mapping, got nothing (empty)",
        error(BASE.substring(0, BASE.indexOf("precisions:") + 11), 4));
    // cut at a line boundary: what is left is valid YAML that lacks required fields
    assertEquals("missing required field 'precisions' (weights, activations and io lists)",
        error(BASE.substring(0, BASE.indexOf("precisions:")), 1));
  }

  @Test
  void binaryFile() throws IOException {
    Path file = dir.resolve("model.onnx");
    Files.write(file, new byte[] {'i', 'd', ':', ' ', 'x', '\n', 0x08, (byte) 0xff, (byte) 0xfe, 0x00});
    BadInputException e = assertThrows(BadInputException.class, () -> ProfileLoader.load(file));
    assertEquals("bad profile " + file + ":2: not UTF-8 text (a binary file?)", e.getMessage());
    assertEquals("control character U+0000 (a binary file?)", error("id: x\nartifact: \u0000\n", 2));
  }

  @Test
  void nonMappingTopLevel() throws IOException {
    assertEquals("top level must be a mapping of profile fields, got a list", error("- id: x\n- artifact: onnx\n", 1));
    assertEquals("top level must be a mapping of profile fields, got 'edgetpu'", error("edgetpu\n", 1));
    assertEquals("top level must be a mapping of profile fields, got nothing (null)", error("~\n", 1));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "id: mine             | missing required field 'id' (a short name such as edgetpu)",
      "artifact: onnx       | missing required field 'artifact' (one of onnx, tflite, tensorrt)",
      "runtime: onnxruntime | missing required field 'runtime' (one of onnxruntime, tflite, tensorrt)",
  })
  void missingRequiredTopLevelField(String line, String expected) throws IOException {
    String text = BASE.replace(line + "\n", "");
    assertTrue(text.length() < BASE.length());
    assertEquals(expected, error(text, 1));
  }

  @Test
  void missingPrecisions() throws IOException {
    String noPrecisions = BASE.replace("precisions:\n  weights: [fp32]\n  activations: [fp32]\n  io: [fp32]\n", "");
    assertEquals("missing required field 'precisions' (weights, activations and io lists)", error(noPrecisions, 1));
    assertEquals("missing required field 'io' (a list of fp32, fp16, bf16, int8, uint8, int16, int32)",
        error(BASE.replace("  io: [fp32]\n", ""), 4));
  }

  @Test
  void missingOrEmptyRequiredValues() throws IOException {
    assertEquals("'id' is empty (expected a short name such as edgetpu)", error(BASE.replace("id: mine", "id:"), 1));
    assertEquals("missing required field 'ops' (the IR ops this target supports)",
        error(BASE.substring(0, BASE.indexOf("ops:")), 1));
    assertEquals("quantization.weights: missing required field 'symmetric' (true or false)",
        error(INT8.replace("    symmetric: true\n", ""), 9));
    assertEquals("quantization: missing required field 'activations' (dtype, symmetric, perTensor, min, max)",
        error(INT8.replace("  activations:\n    dtype: int8\n    symmetric: false\n    perTensor: true\n"
            + "    min: -128\n    max: 127\n", ""), 8));
    assertEquals("quantization.fixedOutputRanges.Sigmoid: missing required field 'scale' (a number)",
        error(INT8.replace("{ scale: 0.00390625, zeroPoint: -128 }", "{ zeroPoint: -128 }"), 23));
  }

  @Test
  void depthwiseChannelAlignmentOutOfRange() throws IOException {
    String bad = INT8.replace("ops:\n", "  depthwiseChannelAlignment: -16\nops:\n");
    assertEquals("quantization.depthwiseChannelAlignment: must be between 0 and 1024, got -16", error(bad, 24));
    Path ok = write("ok.yaml", INT8.replace("ops:\n", "  depthwiseChannelAlignment: 16\nops:\n"));
    assertEquals(16, ProfileLoader.load(ok).quantization().depthwiseChannelAlignment());
  }

  @Test
  void duplicateKey() throws IOException {
    assertEquals("duplicate key 'id' (first at line 1)", error(BASE + "id: other\n", 11));
  }

  @Test
  void sourceIsNotSetByTheFile() throws IOException {
    assertEquals("field 'source' is set by the loader (where the profile came from), not by the file; remove it",
        error(BASE + "source: builtin:edgetpu\n", 11));
  }

  @Test
  void aliasesAndSecondDocumentsAreRejected() throws IOException {
    assertEquals("keepHigherPrecision[0]: YAML aliases (*name) are not supported in profiles",
        error(BASE + "description: &d Conv\nkeepHigherPrecision: [*d]\n", 12));
    assertEquals("a second YAML document; a profile file holds one document", error(BASE + "---\nid: other\n", 12));
  }

  @Test
  void constraintForms() throws IOException {
    assertEquals("ops.Softmax.limits[0]: constraint 'maxElements' needs a value: write {maxElements: N}",
        error(BASE.replace("{maxElements: 16000}", "maxElements"), 10));
    assertEquals("ops.Softmax.limits[0]: constraint 'sameDilation' takes no value: write it bare, as sameDilation",
        error(BASE.replace("{maxElements: 16000}", "{sameDilation: 1}"), 10));
    assertEquals("ops.Softmax.limits[0]: one limit per entry: 'maxElements' and 'inputRank' are in the same "
        + "mapping; write them as two list items",
        error(BASE.replace("{maxElements: 16000}", "{maxElements: 16000, inputRank: 1}"), 10));
    assertEquals("ops.Softmax.limits[0]: a limit is a kind name (sameDilation) or a one-entry mapping "
        + "{kind: integer}, got a list", error(BASE.replace("{maxElements: 16000}", "[maxElements]"), 10));
    assertEquals("ops.Softmax.limits[0]: constraint 'maxElements' must be at least 1, got -1",
        error(BASE.replace("16000", "-1"), 10));
    assertEquals("ops.Softmax.limits[1]: constraint 'maxElements' is given twice",
        error(BASE.replace("{maxElements: 16000}", "{maxElements: 16000}, {maxElements: 1}"), 10));
  }

  @Test
  void vocabularyChecks() throws IOException {
    assertEquals("precisions.io[1]: unknown precision 'int4'; did you mean 'int8'? (known: fp32, fp16, bf16, int8, "
        + "uint8, int16, int32)", error(INT8.replace("io: [int8]", "io: [int8, int4]"), 7));
    assertEquals("partitioning.mode must be one of whole-graph, first-unsupported-to-cpu, per-op-fallback, got 'split'",
        error(INT8.replace("mode: whole-graph", "mode: split"), 28));
    assertEquals("runtime 'onnxruntime' cannot run a tflite artifact (use tflite)",
        error(INT8.replace("runtime: tflite", "runtime: onnxruntime"), 3));
    assertEquals("ops.sigmoid: 'sigmoid' is not an IR op name (an ONNX op type such as Conv or Softmax)",
        error(INT8.replace("  Sigmoid: {}", "  sigmoid: {}"), 26));
    assertEquals("id must be lower-case letters, digits, '.', '_' or '-', got 'My Profile'",
        error(BASE.replace("id: mine", "id: My Profile"), 1));
  }

  @Test
  void quantizationConsistency() throws IOException {
    assertEquals("quantization.weights.channelAxis.Gemm: channelAxis names 'Gemm', which is not in ops",
        error(INT8.replace("{ Conv: 0 }", "{ Conv: 0, Gemm: 0 }"), 13));
    assertEquals("quantization.activations.min -129 is outside int8 (-128..127)",
        error(INT8.replace("min: -128", "min: -129"), 20));
    assertEquals("quantization.weights.min 127 must be less than max -127",
        error(INT8.replace("    min: -127\n    max: 127\n", "    min: 127\n    max: -127\n"), 14));
    assertEquals("quantization.fixedOutputRanges.Sigmoid.zeroPoint: zeroPoint 200 is outside the activation range "
        + "-128..127", error(INT8.replace("zeroPoint: -128", "zeroPoint: 200"), 23));
    assertEquals("quantization.zeroPoint is 'zero' but activations are not symmetric",
        error(INT8.replace("  fixedOutputRanges:", "  zeroPoint: zero\n  fixedOutputRanges:"), 22));
    assertEquals("quantization.weights.dtype 'int8' is not in precisions.weights [uint8]",
        error(INT8.replace("weights: [int8]", "weights: [uint8]"), 10));
    assertEquals("precisions.activations allows int8 but the profile has no 'quantization' section to say how",
        error(BASE.replace("activations: [fp32]", "activations: [fp32, int8]"), 6));
    assertEquals("keepHigherPrecision[0]: keepHigherPrecision names 'Softmax', which is not in ops",
        error(INT8 + "keepHigherPrecision: [Softmax]\n", 29));
    assertEquals("keepHigherPrecision lists ops but precisions.activations has no float type to keep them in",
        error(INT8.replace("activations: [int8, fp32]", "activations: [int8]") + "keepHigherPrecision: [Conv]\n", 29));
  }

  @Test
  void gateRangesAndPartialGates() throws IOException {
    assertEquals("gate.minIoU must be between 0 and 1, got 1.5", error(INT8 + "gate:\n  minIoU: 1.5\n", 30));
    Gate gate = ProfileLoader.load(write("g.yaml", BASE + "gate: { minCosine: 0.5 }\n")).gate();
    assertEquals(new Gate(0.5, Gate.DEFAULT.minIoU(), Gate.DEFAULT.maxRelativeL2()), gate);
  }

  @Test
  void optionalSectionsTakeDefaults() throws IOException {
    Profile p = ProfileLoader.load(write("d.yaml", BASE));
    assertEquals("", p.description());
    assertEquals(ShapeLimits.NONE, p.shapes());
    assertEquals(Memory.UNKNOWN, p.memory());
    assertEquals(Gate.DEFAULT, p.gate());
    assertTrue(p.partitioning().isWholeGraph());
    assertFalse(p.isQuantized());
    assertNull(p.op("Conv").orElseThrow().lowersTo());
    assertTrue(p.op("Conv").orElseThrow().limits().isEmpty());
    assertEquals(new ShapeLimits(false, null, 4, null),
        ProfileLoader.load(write("s.yaml", BASE + "shapes: { maxRank: 4 }\n")).shapes());
  }

  @Test
  void fileProblems() throws IOException {
    Path missing = dir.resolve("nope.yaml");
    assertEquals("bad profile " + missing + ": no such file",
        assertThrows(BadInputException.class, () -> ProfileLoader.load(missing)).getMessage());
    assertEquals("bad profile " + dir + ": is a directory, not a YAML file",
        assertThrows(BadInputException.class, () -> ProfileLoader.load(dir)).getMessage());
  }

  @Test
  void devicesAndFifosAreRefusedBeforeTheyAreOpened() throws Exception {
    java.nio.file.Path zero = java.nio.file.Path.of("/dev/zero");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(zero));
    Path link = dir.resolve("zero.yaml");
    Files.createSymbolicLink(link, zero);
    // before: /dev/zero passed the size check (size 0) and was read until the heap ran out
    assertEquals("bad profile " + link + ": not a regular file (a character device); hwc reads only regular files",
        assertThrows(BadInputException.class, () -> ProfileLoader.load(link)).getMessage());
    assertEquals("bad profile " + zero + ": not a regular file (a character device); hwc reads only regular files",
        assertThrows(BadInputException.class, () -> ProfileLoader.load(zero)).getMessage());
  }

  @Test
  void aBuiltinIdIsRefusedUnlessOverriding() throws IOException {
    Path file = write("x.yaml", BASE.replace("id: mine", "id: x86-fp32"));
    BadInputException e = assertThrows(BadInputException.class,
        () -> ProfileLoader.load(file, null, false));
    assertEquals("bad profile " + file + ":1: id 'x86-fp32' is a built-in target; give your profile its own id, or"
        + " pass --override-builtin to replace the built-in 'x86-fp32' with it", e.getMessage());
    assertEquals("x86-fp32", ProfileLoader.load(file, null, true).id());
  }

  @Test
  void opNamesMustBeKnownWhenTheRegistryIsGiven() throws IOException {
    Path file = write("t.yaml", BASE.replace("  Conv: {}", "  Conw: {}"));
    assertEquals("mine", ProfileLoader.load(file).id()); // spelling alone cannot tell
    BadInputException e = assertThrows(BadInputException.class,
        () -> ProfileLoader.load(file, java.util.Set.of("Conv", "Softmax"), false));
    assertEquals("bad profile " + file + ":9: ops.Conw: 'Conw' is not an op hwc knows; did you mean 'Conv'?"
        + " (an op hwc cannot read would never be used)", e.getMessage());
  }

  @Test
  void controlCharactersInAnIdAreEscapedInTheMessage() throws IOException {
    String message = error(BASE.replace("id: mine", "id: \"m\\e[2Jx\""), 1);
    assertEquals("id must be lower-case letters, digits, '.', '_' or '-', got 'm\\x1b[2Jx'", message);
  }
}

package dev.hwc.profiles;

import dev.hwc.common.BadInputException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's own profile: a copy of a built-in with one change. */
class UserProfileTest {
  @TempDir Path dir;

  private static String builtinText(String id) throws IOException {
    try (InputStream in = UserProfileTest.class.getClassLoader().getResourceAsStream("profiles/" + id + ".yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void copyOfEdgeTpuWithALargerSoftmaxLoadsWithItsPathAsSource() throws IOException {
    String text = builtinText("edgetpu")
        .replace("id: edgetpu", "id: my-edgetpu")
        .replace("{maxElements: 16000}", "{maxElements: 32000}");
    Path file = dir.resolve("my-edgetpu.yaml");
    Files.writeString(file, text);

    Profile mine = ProfileLoader.load(file);
    Profile builtin = ProfileLoader.builtin("edgetpu");
    assertEquals(file.toString(), mine.source());
    assertEquals("my-edgetpu", mine.id());
    assertEquals(OptionalLong.of(32000), mine.op("Softmax").orElseThrow().value(ConstraintKind.MAX_ELEMENTS));
    // everything else is the built-in's
    assertEquals(builtin.quantization(), mine.quantization());
    assertEquals(builtin.ops().keySet(), mine.ops().keySet());
    assertEquals(builtin.op("Conv"), mine.op("Conv"));
    assertEquals(builtin.shapes(), mine.shapes());
    assertEquals(builtin.memory(), mine.memory());
  }

  @Test
  void resolveTakesIdsAndPaths() throws IOException {
    assertSame(ProfileLoader.builtin("x86-int8"), ProfileLoader.resolve("x86-int8"));
    Path file = dir.resolve("reduced.yaml");
    Files.writeString(file, builtinText("x86-int8").replace("id: x86-int8", "id: x86-int8-reduce-range")
        .replace("    min: -127\n    max: 127\n", "    min: -64\n    max: 64\n"));
    Profile p = ProfileLoader.resolve(file.toString());
    assertEquals(file.toString(), p.source());
    assertEquals(-64, p.quantization().weights().min());
    assertTrue(assertThrows(BadInputException.class, () -> ProfileLoader.resolve("nonesuch"))
        .getMessage().startsWith("unknown profile 'nonesuch' (built-in: arm64-int8, "));
    assertEquals("bad profile " + dir.resolve("gone.yaml") + ": no such file",
        assertThrows(BadInputException.class, () -> ProfileLoader.resolve(dir.resolve("gone.yaml").toString()))
            .getMessage());
  }
}

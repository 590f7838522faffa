package dev.hwc.compiler.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hwc.compiler.ops.OpRegistry;
import dev.hwc.profiles.ProfileLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every op name a built-in profile lists (ops, quantization lists, keepHigherPrecision) is an op of the registry. */
class BuiltinProfileOpsTest {
  @TempDir Path dir;

  @Test
  void everyBuiltinProfileNamesOnlyRegistryOps() throws Exception {
    for (String id : ProfileLoader.builtinIds()) {
      Path copy = dir.resolve(id + ".yaml");
      try (var in = getClass().getClassLoader().getResourceAsStream("profiles/" + id + ".yaml")) {
        Files.write(copy, in.readAllBytes());
      }
      // the user-profile path checks each op name against the registry; the built-in's own id is allowed here
      assertEquals(id, ProfileLoader.load(copy, UserProfiles.knownOps(), true).id());
    }
    // the ONNX ops and ONNX Runtime's contrib ops (com.microsoft:Attention...) the fusion passes emit
    assertEquals(OpRegistry.names().size() + OpRegistry.contribNames().size(), UserProfiles.knownOps().size());
  }
}

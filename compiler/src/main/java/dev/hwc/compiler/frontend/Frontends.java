package dev.hwc.compiler.frontend;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.common.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds the frontend for a model file among those registered with ServiceLoader. */
public final class Frontends {
  private Frontends() {}

  public static List<Frontend> all() {
    List<Frontend> out = new ArrayList<>();
    ServiceLoader.load(Frontend.class).forEach(out::add);
    return out;
  }

  /** Reads a model with the first frontend that accepts it. */
  public static Graph read(Path model) throws IOException {
    if (!Files.exists(model)) {
      throw new BadInputException("model not found: " + model);
    }
    if (Files.isDirectory(model)) {
      List<String> inside = new ArrayList<>();
      try (var s = Files.list(model)) {
        s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx") || n.endsWith(".tflite")).sorted()
            .limit(3).forEach(inside::add);
      } catch (IOException e) {
        // nothing to suggest
      }
      throw new BadInputException(model + " is a folder, not a model file: give the model file itself"
          + (inside.isEmpty() ? "" : " (it holds " + String.join(", ", inside) + ")"));
    }
    List<Frontend> all = all();
    for (Frontend f : all) {
      if (f.accepts(model)) {
        return f.read(model);
      }
    }
    throw new BadInputException(
        "no frontend reads " + model + " (available: "
            + String.join(", ", all.stream().map(Frontend::id).toList()) + ")");
  }
}

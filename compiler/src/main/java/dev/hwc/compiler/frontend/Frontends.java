package dev.hwc.compiler.frontend;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.common.BadInputException;
import dev.hwc.common.SafeFiles;
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
    List<Frontend> all = all();
    for (Frontend f : all) {
      if (f.accepts(model)) {
        return requireNonEmpty(f.read(model), model);
      }
    }
    throw new BadInputException(
        "no frontend reads " + SafeFiles.printable(model.toString()) + " (available: "
            + String.join(", ", all.stream().map(Frontend::id).toList()) + ")");
  }

  /** Whatever the frontend, a graph without nodes, inputs or outputs has nothing to compile. */
  static Graph requireNonEmpty(Graph g, Path model) {
    String missing = g.nodes().isEmpty() ? "no nodes" : g.inputs().isEmpty() ? "no inputs"
        : g.outputs().isEmpty() ? "no outputs" : null;
    if (missing != null) {
      throw new BadInputException("model " + SafeFiles.printable(model.toString()) + " has an empty graph ("
          + missing + "): there is nothing to compile");
    }
    return g;
  }
}

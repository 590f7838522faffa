package dev.hwc.compiler.frontend;

import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Value;
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
    for (Value v : g.inputs()) {
      requireHoldable(v);
    }
    return g;
  }

  /**
   * A graph input's samples are made, read and fed as one Java array, so a static input must fit one
   * (2 GiB); larger dims (say [2^31, 2^31]) are refused here, before their size can overflow anywhere.
   */
  static void requireHoldable(Value v) {
    if (!v.shape().hasRank()) {
      return;
    }
    long bytes = Math.max(1, v.dtype().byteSize);
    for (Dim d : v.shape().dims()) {
      if (!d.isStatic()) {
        continue;
      }
      long size = d.size();
      if (size == 0) {
        return; // an empty tensor
      }
      bytes = size > SafeFiles.ARRAY_MAX / bytes ? SafeFiles.ARRAY_MAX + 1 : bytes * size;
    }
    if (bytes > SafeFiles.ARRAY_MAX) {
      throw new BadInputException("graph input '" + SafeFiles.printable(v.name()) + "' of shape " + v.shape() + " "
          + v.dtype().shortName() + " is too large: hwc holds at most " + SafeFiles.ARRAY_MAX + " bytes per tensor");
    }
  }
}

package dev.hwc.build;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.ir.Graph;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;

/**
 * The model a build starts from: a file (.onnx), a graph already in memory, or the example bundled
 * with hwc: the trained well-log curve digitizer (examples/welllog, see its README) with its
 * calibration and eval strips.
 */
public final class ModelInput {
  /** The bundled example's folder among the jar's resources. */
  public static final String EXAMPLE_DIR = "/examples/welllog/";
  /** The bundled example model's resource path. */
  public static final String EXAMPLE_RESOURCE = EXAMPLE_DIR + "welllog.onnx";
  /** Data shipped beside it: calibration strips (found as calib/ beside the model) and eval strips with ground truth. */
  static final List<String> EXAMPLE_DATA = List.of("calib/strips.npz", "eval/strips.npz");

  private final Path file;
  private final Graph graph;

  private ModelInput(Path file, Graph graph) {
    this.file = file;
    this.graph = graph;
  }

  /** A model file. */
  public static ModelInput file(Path model) {
    return new ModelInput(Objects.requireNonNull(model), null);
  }

  /** A graph in memory (built with GraphBuilder, or read and edited); checked against itself as written to ONNX. */
  public static ModelInput graph(Graph g) {
    return new ModelInput(null, Objects.requireNonNull(g));
  }

  /** The bundled example, with its calibration data (found as calib/ beside it) and eval strips. */
  public static ModelInput bundledExample() {
    return new ModelInput(null, null);
  }

  public boolean isBundledExample() {
    return file == null && graph == null;
  }

  /** The file, or null for an in-memory graph and the bundled example. */
  public Path file() {
    return file;
  }

  /** The in-memory graph, or null. */
  public Graph graph() {
    return graph;
  }

  /** The name artifacts are named after: the file name without extension, the graph's name, or "welllog". */
  public String stem() {
    if (graph != null) {
      return graph.name() == null || graph.name().isBlank() ? "model" : graph.name();
    }
    return file == null ? "welllog" : stem(file);
  }

  static String stem(Path model) {
    String name = model.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  /** The user's model file (bad input when it is missing), or the bundled example copied to a temporary folder. */
  Path resolveFile() throws IOException {
    if (file != null) {
      if (!Files.exists(file)) {
        throw new BadInputException("model not found: " + file);
      }
      return file;
    }
    Path dir = Files.createTempDirectory("hwc-example");
    dir.toFile().deleteOnExit();
    Path model = dir.resolve("welllog.onnx");
    copy(EXAMPLE_RESOURCE, model);
    for (String d : EXAMPLE_DATA) {
      Path target = dir.resolve(d);
      Files.createDirectories(target.getParent());
      target.getParent().toFile().deleteOnExit();
      copy(EXAMPLE_DIR + d, target);
    }
    return model;
  }

  /** The eval strips beside the bundled example's temporary copy. */
  static Path bundledEval(Path model) {
    return model.toAbsolutePath().getParent().resolve("eval");
  }

  private static void copy(String resource, Path file) throws IOException {
    try (InputStream in = ModelInput.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the bundled example's " + resource + " is missing from the jar");
      }
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      file.toFile().deleteOnExit();
    }
  }
}

package dev.hwc.cli;

import dev.hwc.common.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Where the model comes from: the user's file, or the example bundled in the jar: the trained
 * well-log curve digitizer (examples/welllog, see its README) with its calibration and eval strips.
 */
final class ModelSource {
  /** The bundled example's folder among the jar's resources. */
  static final String EXAMPLE_DIR = "/examples/welllog/";
  /** The bundled example model's resource path. */
  static final String EXAMPLE_RESOURCE = EXAMPLE_DIR + "welllog.onnx";
  /** Data shipped beside it: calibration strips (found as calib/ beside the model) and eval strips with ground truth. */
  static final List<String> EXAMPLE_DATA = List.of("calib/strips.npz", "eval/strips.npz");

  private ModelSource() {}

  /** The user's model, or the bundled example (and its calib/ and eval/ folders) copied to a temporary folder. */
  static Path resolve(Path model) throws IOException {
    if (model != null) {
      if (!Files.exists(model)) {
        throw new BadInputException("model not found: " + model);
      }
      return model;
    }
    Path dir = Files.createTempDirectory("hwc-example");
    dir.toFile().deleteOnExit();
    Path file = dir.resolve("welllog.onnx");
    copy(EXAMPLE_RESOURCE, file);
    for (String d : EXAMPLE_DATA) {
      Path target = dir.resolve(d);
      Files.createDirectories(target.getParent());
      target.getParent().toFile().deleteOnExit();
      copy(EXAMPLE_DIR + d, target);
    }
    return file;
  }

  /** The eval strips beside the bundled example's temporary copy. */
  static Path bundledEval(Path model) {
    return model.toAbsolutePath().getParent().resolve("eval");
  }

  private static void copy(String resource, Path file) throws IOException {
    try (InputStream in = ModelSource.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the bundled example's " + resource + " is missing from the jar");
      }
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      file.toFile().deleteOnExit();
    }
  }

  static String stem(Path model) {
    String name = model.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}

package dev.hwc.cli;

import dev.hwc.profiles.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Where the model comes from: the user's file, or the example bundled in the jar. */
final class ModelSource {
  /** The bundled example model's resource path (see examples/README.md for how it was made). */
  static final String EXAMPLE_RESOURCE = "/examples/smallcnn/smallcnn.onnx";

  private ModelSource() {}

  /** The user's model, or the bundled example copied to a temporary file. */
  static Path resolve(Path model) throws IOException {
    if (model != null) {
      if (!Files.exists(model)) {
        throw new BadInputException("model not found: " + model);
      }
      return model;
    }
    try (InputStream in = ModelSource.class.getResourceAsStream(EXAMPLE_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the bundled example " + EXAMPLE_RESOURCE + " is missing from the jar");
      }
      Path dir = Files.createTempDirectory("hwc-example");
      Path file = dir.resolve("smallcnn.onnx");
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      file.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return file;
    }
  }

  static String stem(Path model) {
    String name = model.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}

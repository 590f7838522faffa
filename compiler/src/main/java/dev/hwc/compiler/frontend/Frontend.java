package dev.hwc.compiler.frontend;

import dev.hwc.compiler.ir.Graph;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads a model file into hwc's IR. Frontends only translate: they do no optimization. Registered
 * with {@code java.util.ServiceLoader} (one line in META-INF/services), found by {@link Frontends}.
 */
public interface Frontend {
  /** Short id: "onnx", "tflite", "savedmodel". */
  String id();

  /** True when this frontend reads the given file or folder (by extension or magic bytes). */
  boolean accepts(Path model);

  /**
   * Reads the model. Malformed, truncated or hostile input gives a {@link
   * dev.hwc.common.BadInputException} with a one-line message naming the problem.
   */
  Graph read(Path model) throws IOException;
}

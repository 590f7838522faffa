package dev.hwc.backends;

import dev.hwc.compiler.ir.Graph;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Serializes an IR graph into a target artifact. Emitters only serialize (every decision is a pass
 * or the planner's) and are deterministic: the same graph gives the same bytes. Registered with
 * {@code java.util.ServiceLoader}.
 */
public interface Emitter {
  /** Artifact format id, as named in profiles: "onnx", "tflite", "tensorrt". */
  String format();

  /** File extension of the artifact, without dot. */
  String extension();

  /** Writes the artifact to {@code file} (the caller owns the folder and its atomic move). */
  void emit(Graph graph, Path file) throws IOException;
}

package dev.hwc.backends.tflite;

import dev.hwc.backends.Emitter;
import dev.hwc.compiler.ir.Graph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes .tflite artifacts: {@link TfliteLowering} then {@link TflWriter}. A float graph gives an
 * fp32 model (fp16 weights with {@link TfliteLowering.Options#fp16()}); the QDQ graph of a static
 * int8 plan gives a full-integer model with int8 IO where the plan quantizes it.
 */
public final class TfliteEmitter implements Emitter {
  private final TfliteLowering.Options options;

  public TfliteEmitter() {
    this(TfliteLowering.Options.FULL_INTEGER);
  }

  public TfliteEmitter(TfliteLowering.Options options) {
    this.options = options;
  }

  @Override
  public String format() {
    return "tflite";
  }

  @Override
  public String extension() {
    return "tflite";
  }

  @Override
  public void emit(Graph graph, Path file) throws IOException {
    write(graph, file);
  }

  /**
   * Lowers the graph once, writes the artifact, and returns the lowering's result (the op list, the
   * TRANSPOSE count, the notes), so a caller that reports on the artifact never lowers it again.
   */
  public TfliteLowering.Result write(Graph graph, Path file) throws IOException {
    TfliteLowering.Result lowered = TfliteLowering.lower(graph, options);
    Files.write(file, TflWriter.write(lowered.model()));
    return lowered;
  }
}

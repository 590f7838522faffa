package dev.hwc.compiler.tflite;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.frontend.Frontend;
import dev.hwc.compiler.ir.Graph;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads {@code *.tflite} flatbuffers into the IR (see {@link TfliteImporter} for what is read and
 * how NHWC becomes the IR's NCHW). Empty, truncated, foreign or hostile files give one line.
 */
public final class TfliteFrontend implements Frontend {
  /** Largest file read: flatbuffers address with 32-bit offsets. */
  public static final long MAX_MODEL_BYTES = Integer.MAX_VALUE;

  @Override
  public String id() {
    return "tflite";
  }

  @Override
  public boolean accepts(Path model) {
    Path name = model.getFileName();
    return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".tflite") && !Files.isDirectory(model);
  }

  @Override
  public Graph read(Path model) throws IOException {
    if (!Files.isRegularFile(model)) {
      throw new BadInputException("cannot read TFLite model " + model + ": not a file");
    }
    long size = Files.size(model);
    if (size < 8) {
      throw new BadInputException("cannot read TFLite model " + model + ": " + size + " bytes is too short for a TFLite flatbuffer");
    }
    if (size > MAX_MODEL_BYTES) {
      throw new BadInputException("cannot read TFLite model " + model + ": " + size + " bytes is over the 2 GiB flatbuffer limit");
    }
    byte[] bytes = Files.readAllBytes(model);
    return read(bytes, model.toString());
  }

  /** Translates the bytes of a .tflite file; {@code source} names it in errors. */
  public static Graph read(byte[] bytes, String source) {
    // the file identifier "TFL3" sits at bytes 4..8 of a TFLite flatbuffer
    if (bytes.length < 8 || bytes[4] != 'T' || bytes[5] != 'F' || bytes[6] != 'L' || bytes[7] != '3') {
      throw new BadInputException("cannot read TFLite model " + source + ": not a TFLite flatbuffer (no TFL3 identifier)");
    }
    ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    try {
      return new TfliteImporter(org.tensorflow.lite.schema.Model.getRootAsModel(bb), source).translate();
    } catch (IndexOutOfBoundsException | IllegalArgumentException | java.nio.BufferUnderflowException e) {
      if (e instanceof BadInputException b) {
        throw b;
      }
      throw new BadInputException("cannot read TFLite model " + source + ": the flatbuffer is truncated or malformed ("
          + e.getClass().getSimpleName() + ")");
    }
  }
}

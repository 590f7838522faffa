package dev.hwc.profiles;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The kind of file a target runs, as a profile's {@code artifact} field names it. Each format has one
 * backend that writes it (see {@code dev.hwc.backends.TargetBackend}); a TensorRT engine is built from
 * the ONNX file hwc writes for it.
 */
public enum ArtifactFormat {
  ONNX("onnx"),
  TFLITE("tflite"),
  TENSORRT("tensorrt");

  private final String id;

  ArtifactFormat(String id) {
    this.id = id;
  }

  /** The name in profile files and reports: {@code onnx}, {@code tflite}, {@code tensorrt}. */
  @JsonValue
  public String id() {
    return id;
  }

  @Override
  public String toString() {
    return id;
  }

  public static Optional<ArtifactFormat> byId(String id) {
    return Arrays.stream(values()).filter(f -> f.id.equals(id)).findFirst();
  }

  /** The names, in declaration order. */
  public static List<String> ids() {
    return Arrays.stream(values()).map(ArtifactFormat::id).toList();
  }
}

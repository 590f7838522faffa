package dev.hwc.hwtests.bench;

import dev.hwc.backends.Runtime;
import dev.hwc.common.BadInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/** Runtime ids, their short aliases, the default runtime of each artifact format, and lookup. */
public final class Runtimes {
  /** Short names accepted by --runtime. */
  public static final Map<String, String> ALIASES = Map.of(
      "ort", "onnxruntime", "ort-cuda", "onnxruntime-cuda", "trt", "tensorrt");

  private Runtimes() {}

  /** The runtime id for a --runtime value (alias or id), or the artifact's default when null. */
  public static String resolve(String idOrAlias, Path artifact) {
    if (idOrAlias != null && !idOrAlias.isBlank()) {
      String id = ALIASES.getOrDefault(idOrAlias.toLowerCase(Locale.ROOT), idOrAlias.toLowerCase(Locale.ROOT));
      if (!ids().contains(id)) {
        throw new BadInputException("unknown runtime '" + idOrAlias + "'; known: " + String.join(", ", ids())
            + " (aliases: ort, ort-cuda, trt)");
      }
      return id;
    }
    String name = artifact.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".onnx")) {
      return "onnxruntime";
    }
    if (name.endsWith(".tflite") || name.endsWith(".json")) { // .json: a segmented deployment's deploy.json
      return "tflite";
    }
    if (name.endsWith(".engine") || name.endsWith(".plan") || name.endsWith(".trt")) {
      return "tensorrt";
    }
    throw new BadInputException("cannot tell the runtime of " + artifact + " from its extension; pass --runtime");
  }

  /** Bytes of an artifact: the file's, or for a segmented deployment's deploy.json, its parts' and its own. */
  public static long artifactBytes(Path artifact) throws java.io.IOException {
    long bytes = java.nio.file.Files.size(artifact);
    if (artifact.getFileName().toString().endsWith(".json")) {
      for (var p : dev.hwc.backends.tflite.Deployment.read(artifact).parts()) {
        bytes += java.nio.file.Files.size(artifact.toAbsolutePath().getParent().resolve(p.file()));
      }
    }
    return bytes;
  }

  /** The file extensions a runtime takes. */
  public static List<String> extensions(String id) {
    return switch (id) {
      case "onnxruntime", "onnxruntime-cuda" -> List.of(".onnx");
      case "tflite" -> List.of(".tflite", ".json");
      case "tensorrt" -> List.of(".onnx", ".engine", ".plan", ".trt");
      default -> List.of();
    };
  }

  /** Every registered runtime id. */
  public static List<String> ids() {
    List<String> out = new ArrayList<>();
    ServiceLoader.load(Runtime.class).stream().forEach(p -> out.add(p.get().id()));
    return out;
  }

  /** The registered runtime with this id. */
  public static Runtime find(String id) {
    for (Runtime r : ServiceLoader.load(Runtime.class)) {
      if (r.id().equals(id)) {
        return r;
      }
    }
    throw new BadInputException("no runtime '" + id + "' is registered; known: " + String.join(", ", ids()));
  }
}

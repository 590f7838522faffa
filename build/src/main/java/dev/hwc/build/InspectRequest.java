package dev.hwc.build;

import dev.hwc.profiles.Profile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to inspect: a model file, the targets to judge it for, and fixed input shapes.
 *
 * @param model the model file (.onnx)
 * @param targets the targets whose legality is reported, in this order
 * @param shapes fixed input shapes (input name to dims), for models with symbolic dims
 */
public record InspectRequest(Path model, List<Profile> targets, Map<String, long[]> shapes) {
  public InspectRequest {
    Objects.requireNonNull(model, "model");
    targets = List.copyOf(targets == null ? List.of() : targets);
    shapes = shapes == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
  }
}

package dev.hwc.hwtests.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hwc.hwtests.bench.Runtimes;
import dev.hwc.common.BadInputException;
import dev.hwc.common.SafeFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A lab plan (YAML): models × targets (× thread counts), how to measure, optionally what to price.
 * Paths are relative to the plan file.
 *
 * <pre>
 * name: minilm
 * bench: {warmup: 20, seconds: 5}          # or runs: N
 * cost: {sheet: default, rate: 10}          # optional: EUR/month at 10 requests/s
 * models:
 *   - name: minilm-fp32
 *     path: models/all-minilm-l6-v2.onnx
 *     shapes: {input_ids: 1x128, attention_mask: 1x128, token_type_ids: 1x128}
 *     inputs: samples/                      # optional .npz/.npy samples
 * targets:
 *   - {name: cpu, runtime: ort, hardware: cpu, threads: [1, 2]}
 *   - {name: gpu, runtime: tensorrt, hardware: gpu}
 *   - {name: coral, runtime: tflite, hardware: edgetpu}
 * </pre>
 */
public record LabPlan(String name, Bench bench, Cost cost, List<Model> models, List<Target> targets) {
  /** Largest file read: a plan or sheet is a few lines of YAML. */
  private static final long MAX_BYTES = 1 << 20;

  /** Measuring settings; zero fields take {@link dev.hwc.hwtests.bench.BenchOptions#defaults()}. */
  public record Bench(Integer warmup, Integer runs, Double seconds) {}

  /** Pricing: a sheet ("default" or a path) and a request rate per second. */
  public record Cost(String sheet, double rate) {}

  public record Model(String name, String path, Map<String, String> shapes, String inputs) {}

  public record Target(String name, String runtime, String hardware, List<Integer> threads) {}

  /** Reads and checks a plan; errors name the file and line. */
  public static LabPlan load(Path file) {
    if (!Files.exists(file)) {
      throw new BadInputException("lab plan not found: " + file);
    }
    String text = SafeFiles.readString(file, "cannot read lab plan", MAX_BYTES); // regular files only, capped
    LabPlan p;
    try {
      p = new ObjectMapper(new YAMLFactory()).readValue(text, LabPlan.class);
    } catch (UnrecognizedPropertyException e) {
      throw new BadInputException(file + ":" + lineOf(text, e.getPropertyName(), e.getLocation().getLineNr())
          + ": unknown field '" + e.getPropertyName() + "' (known: " + e.getKnownPropertyIds() + ")");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadInputException(file + ":" + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ": "
          + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
    return check(p, file, text);
  }

  private static LabPlan check(LabPlan p, Path file, String text) {
    if (p == null || p.models() == null || p.models().isEmpty() || p.targets() == null || p.targets().isEmpty()) {
      throw new BadInputException(file + ": a plan needs models and targets");
    }
    Set<String> names = new HashSet<>();
    for (Model m : p.models()) {
      if (m.name() == null || m.path() == null || !names.add("model " + m.name())) {
        throw new BadInputException(file + ":" + lineOf(text, "name", 1) + ": every model needs a distinct name and a path");
      }
      Path model = resolve(file, m.path());
      if (!Files.isRegularFile(model)) {
        throw new BadInputException(file + ":" + lineContaining(text, m.path()) + ": model '" + m.name() + "': " + model
            + " not found");
      }
      if (m.inputs() != null && !Files.exists(resolve(file, m.inputs()))) {
        throw new BadInputException(file + ": model '" + m.name() + "': inputs " + resolve(file, m.inputs()) + " not found");
      }
      shapes(m, file);
    }
    for (Target t : p.targets()) {
      if (t.name() == null || t.runtime() == null || !names.add("target " + t.name())) {
        throw new BadInputException(file + ": every target needs a distinct name and a runtime");
      }
      Runtimes.resolve(t.runtime(), Path.of("x.onnx"));
      if (t.hardware() != null && !Hardware.KINDS.contains(t.hardware())) {
        throw new BadInputException(file + ":" + lineOf(text, "hardware", 1) + ": target '" + t.name()
            + "': hardware must be one of " + Hardware.KINDS + ", not '" + t.hardware() + "'");
      }
      if (t.threads() != null && t.threads().stream().anyMatch(n -> n == null || n < 0)) {
        throw new BadInputException(file + ": target '" + t.name() + "': threads must be >= 0");
      }
    }
    if (p.cost() != null && (p.cost().sheet() == null || p.cost().rate() < 0)) {
      throw new BadInputException(file + ": cost needs a sheet (\"default\" or a file) and a rate >= 0");
    }
    return p;
  }

  /** A model's --shape sizes, parsed from "1x128". */
  static Map<String, long[]> shapes(Model m, Path file) {
    Map<String, long[]> out = new LinkedHashMap<>();
    if (m.shapes() == null) {
      return out;
    }
    m.shapes().forEach((input, spec) -> {
      String[] parts = String.valueOf(spec).split("x");
      long[] dims = new long[parts.length];
      for (int i = 0; i < parts.length; i++) {
        try {
          dims[i] = Long.parseLong(parts[i].trim());
        } catch (NumberFormatException e) {
          dims[i] = -1;
        }
        if (dims[i] <= 0) {
          throw new BadInputException(file + ": model '" + m.name() + "': bad shape '" + spec + "' for " + input
              + " (expected AxBxC, e.g. 1x128)");
        }
      }
      out.put(input, dims);
    });
    return out;
  }

  static Path resolve(Path plan, String path) {
    Path p = Path.of(path);
    Path dir = plan.toAbsolutePath().getParent();
    return p.isAbsolute() || dir == null ? p : dir.resolve(p).normalize();
  }

  private static int lineContaining(String text, String needle) {
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(needle)) {
        return i + 1;
      }
    }
    return 1;
  }

  private static int lineOf(String text, String key, int fallback) {
    Pattern p = Pattern.compile("^\\s*(-\\s+)?" + Pattern.quote(key) + "\\s*:");
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (p.matcher(lines.get(i)).find()) {
        return i + 1;
      }
    }
    return fallback;
  }
}

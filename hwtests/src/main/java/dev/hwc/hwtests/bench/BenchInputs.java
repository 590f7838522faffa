package dev.hwc.hwtests.bench;

import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.hwtests.SampleInputs;
import dev.hwc.common.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The samples a benchmark feeds: real ones from .npy/.npz files keyed by input name, or one seeded
 * random-normal sample (never zeros) of the right shape and type.
 */
public final class BenchInputs {
  private BenchInputs() {}

  /**
   * Samples for a model's inputs. {@code source} null: one random sample ({@link SampleInputs}) with
   * symbolic dims from {@code shapes}. A folder or an .npz file: the samples {@link SampleSet#load}
   * reads for --calib and --eval (a batched array is split into its samples). A single .npy file: one
   * sample of a one-input model, named after the input.
   */
  public static List<Map<String, Tensor>> load(List<Value> inputs, Path source, Map<String, long[]> shapes, long seed)
      throws IOException {
    if (source == null) {
      List<Value> fixed = withShapes(inputs, shapes);
      for (String name : shapes.keySet()) {
        if (inputs.stream().noneMatch(v -> v.name().equals(name))) {
          throw new BadInputException("--shape names no input '" + name + "'; inputs: "
              + String.join(", ", inputs.stream().map(Value::name).toList()));
        }
      }
      return List.of(SampleInputs.random(fixed, seed));
    }
    if (!Files.exists(source)) {
      throw new BadInputException("inputs not found: " + source);
    }
    if (Files.isDirectory(source) || source.getFileName().toString().endsWith(".npz")) {
      // the same layouts (and batch splitting) as --calib and --eval
      SampleSet set = SampleSet.load(source, inputs);
      List<Map<String, Tensor>> samples = new ArrayList<>();
      for (int i = 0; i < set.size(); i++) {
        samples.add(set.get(i));
      }
      return samples;
    }
    return List.of(pick(inputs, Npy.readAny(source), source));
  }

  /** The inputs with the sizes {@code shapes} gives (by input name) in place of their own. */
  static List<Value> withShapes(List<Value> inputs, Map<String, long[]> shapes) {
    List<Value> fixed = new ArrayList<>();
    for (Value v : inputs) {
      long[] s = shapes.get(v.name());
      fixed.add(s == null ? v : new Value(v.name(), v.dtype(), Shape.of(s)));
    }
    return fixed;
  }

  private static Map<String, Tensor> pick(List<Value> inputs, Map<String, Tensor> arrays, Path where) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Value v : inputs) {
      Tensor t = arrays.get(v.name());
      if (t == null) {
        throw new BadInputException(where + " has no array for input '" + v.name() + "' (it has "
            + String.join(", ", arrays.keySet()) + ")");
      }
      out.put(v.name(), t);
    }
    return out;
  }
}

package dev.hwc.hwtests.bench;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.data.InputBounds;
import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.data.RandomInputs;
import dev.hwc.compiler.frontend.Frontends;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Seeded random inputs that respect what an integer input indexes ({@link InputBounds}: token ids
 * within their embedding's rows, token-type ids in {0, 1}, masks in {0, 1}), drawn in the parent
 * process from the artifact's own graph and handed to the measuring child as an .npz, so that the
 * child never reads the graph (its peak RSS stays the runtime's alone). Artifacts without bounded
 * inputs, or that no frontend reads (a TensorRT engine), get the child's own random sample as before.
 */
final class BoundedRandomInputs {
  private BoundedRandomInputs() {}

  /** An .npz of one bounded sample for the artifact, deleted when the JVM exits; empty when not needed. */
  static Optional<Path> file(Path artifact, Map<String, long[]> shapes, long seed) throws IOException {
    Graph g;
    try {
      g = Frontends.read(artifact);
    } catch (BadInputException e) {
      return Optional.empty();
    }
    Map<String, InputBounds.Bound> bounds = InputBounds.of(g);
    if (bounds.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Tensor> sample;
    try {
      sample = RandomInputs.random(BenchInputs.withShapes(g.inputs(), shapes), bounds, seed);
    } catch (BadInputException e) {
      throw new BadInputException(artifact.getFileName() + ": " + e.getMessage().replace(
          "pass --eval DIR (and --calib DIR for int8) with real samples", "pass --inputs FILE with a real sample"));
    }
    Path f = Files.createTempFile("hwc-bench-bounded", ".npz");
    f.toFile().deleteOnExit();
    Npy.writeNpz(f, sample);
    return Optional.of(f);
  }
}

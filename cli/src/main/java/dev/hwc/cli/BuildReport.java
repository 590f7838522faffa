package dev.hwc.cli;

import dev.hwc.compiler.passes.PassRecord;
import dev.hwc.hwtests.OutputFidelity;
import java.util.List;
import java.util.Map;

/**
 * What {@code hwc build} writes to report.json: what went in, what the passes did, what came out,
 * and how close the artifact's outputs are to the input model's on a real runtime, per output.
 */
record BuildReport(
    String hwcVersion,
    String target,
    String profileSource,
    Input input,
    List<PassRecord> passes,
    Map<String, Integer> opsBefore,
    Map<String, Integer> opsAfter,
    Artifact artifact,
    Fidelity fidelity) {

  record Input(String path, String sha256, long bytes, int opset, int nodes, long parameters, boolean bundledExample) {}

  record Artifact(String file, String format, String sha256, long bytes, int nodes, String runtime, String runtimeVersion) {}

  /**
   * @param samples number of seeded random samples compared
   * @param inputShapes the concrete input shapes used
   * @param outputs per-output figures
   * @param weakestOutput the output with the lowest cosine, which the gate judges
   * @param minCosine the gate's threshold on cosine
   * @param maxRelativeL2 the gate's threshold on relative L2
   * @param passed whether the weakest output met the gate
   */
  record Fidelity(int samples, Map<String, long[]> inputShapes, List<OutputFidelity> outputs, String weakestOutput,
      double minCosine, double maxRelativeL2, boolean passed) {}
}

package dev.hwc.build;

import dev.hwc.hwtests.Fidelity;
import dev.hwc.hwtests.OutputFidelity;
import java.util.List;

/**
 * A plan the build emitted and judged: what it is, its figures per output, and why it passed or
 * failed the gate.
 *
 * @param kind fp32, fp16, or the int8 scheme
 * @param passed whether every output (and every mask channel) met the gate
 * @param verdict one line on why: the weakest output against the thresholds
 * @param outputs per-output fidelity against the input model, on the eval samples
 * @param keptFloat node names kept in float
 * @param quantizedLayers layers in int8 (0 for float plans)
 * @param bytes size of the plan's artifact
 */
public record Plan(PlanKind kind, boolean passed, String verdict, List<OutputFidelity> outputs, List<String> keptFloat,
    int quantizedLayers, long bytes) {
  /** The output the gate judges first: the lowest cosine. */
  public OutputFidelity weakest() {
    return Fidelity.weakest(outputs);
  }

  /** The lowest IoU over mask channels and classes (1 when no output is a mask). */
  public double weakestIoU() {
    return outputs.stream().mapToDouble(OutputFidelity::minIoU).min().orElse(1);
  }
}

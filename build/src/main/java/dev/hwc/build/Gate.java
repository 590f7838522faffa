package dev.hwc.build;

import dev.hwc.hwtests.Fidelity;
import dev.hwc.hwtests.OutputFidelity;
import dev.hwc.profiles.Profile;
import java.util.List;

/**
 * The accuracy gate a plan must pass: on every output (the weakest decides) cosine and relative L2
 * against the input model, and on every mask channel or class the IoU.
 *
 * @param minCosine lowest cosine of any output
 * @param maxRelativeL2 highest relative L2 of any output
 * @param minIoU lowest IoU of any mask channel (1 for outputs that are not masks or labels)
 */
public record Gate(double minCosine, double maxRelativeL2, double minIoU) {
  /** The profile's gate, with cosine and IoU overridden where the argument is not null. */
  public static Gate of(Profile profile, Double minCosine, Double minIoU) {
    return new Gate(minCosine != null ? minCosine : profile.gate().minCosine(), profile.gate().maxRelativeL2(),
        minIoU != null ? minIoU : profile.gate().minIoU());
  }

  public boolean passes(List<OutputFidelity> f) {
    return f.stream().allMatch(o -> o.cosine() >= minCosine && o.relativeL2() <= maxRelativeL2 && o.minIoU() >= minIoU);
  }

  /** How far a plan is from the reference: the worst of 1 - cosine and 1 - IoU over outputs and channels. */
  public static double damage(List<OutputFidelity> f) {
    return f.stream().mapToDouble(o -> Math.max(1 - o.cosine(), 1 - o.minIoU())).max().orElse(0);
  }

  /** One line on why figures pass or fail this gate: the weakest output (or mask channel) against the thresholds. */
  public String verdict(List<OutputFidelity> f) {
    if (!passes(f)) {
      return failure(f);
    }
    OutputFidelity weak = Fidelity.weakest(f);
    return "passes: weakest output '" + weak.output() + "' has cosine " + Format.num(weak.cosine()) + ", relative L2 "
        + Format.num(weak.relativeL2()) + " and IoU " + Format.num(f.stream().mapToDouble(OutputFidelity::minIoU).min()
        .orElse(1)) + " (gate: cosine >= " + minCosine + ", relative L2 <= " + maxRelativeL2 + ", IoU >= " + minIoU + ")";
  }

  /** One line on what failed the gate: the weakest output, and the weakest mask channel when it is the culprit. */
  public String failure(List<OutputFidelity> f) {
    OutputFidelity weak = Fidelity.weakest(f);
    var mask = Fidelity.weakestMask(f);
    if (mask.isPresent() && mask.get().minIoU() < minIoU) {
      OutputFidelity m = mask.get();
      return "output '" + m.output() + "' channel " + m.weakestChannel() + " has IoU " + Format.num(m.minIoU())
          + " (gate: IoU >= " + minIoU + "; its cosine is " + Format.num(m.cosine()) + ")";
    }
    return "weakest output '" + weak.output() + "' has cosine " + Format.num(weak.cosine()) + " and relative L2 "
        + Format.num(weak.relativeL2()) + " (gate: cosine >= " + minCosine + ", relative L2 <= " + maxRelativeL2 + ")";
  }
}

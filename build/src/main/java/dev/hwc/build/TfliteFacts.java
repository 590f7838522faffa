package dev.hwc.build;

import dev.hwc.backends.Lowered;
import dev.hwc.backends.tflite.EdgeTpuReport;
import java.util.List;

/**
 * What the TFLite lowering found while writing an artifact, kept so reports never lower it again.
 *
 * @param ops operators in the artifact
 * @param notes the lowering's findings for the report (TRANSPOSE ops kept, an NCHW edge on the Edge TPU, ...)
 * @param edgeTpu the Edge TPU mapping report, for targets that partition once; null otherwise
 */
public record TfliteFacts(int ops, List<String> notes, EdgeTpuReport.Report edgeTpu) {
  /** The facts of one TFLite lowering by the backend. */
  static TfliteFacts of(Lowered l) {
    return new TfliteFacts(l.ops().size(), l.notes(),
        (EdgeTpuReport.Report) l.partition().orElse(null));
  }
}

package dev.hwc.build;

import dev.hwc.backends.tflite.EdgeTpuReport;
import java.util.List;

/**
 * What the TFLite lowering found while writing an artifact, kept so reports never lower it again.
 *
 * @param ops operators in the artifact
 * @param internalTransposes TRANSPOSE ops kept inside the graph (reshapes whose element order differs in NHWC)
 * @param ioTranspose whether a TRANSPOSE sits at the graph's edge (NCHW graph IO)
 * @param notes the lowering's findings for the report
 * @param edgeTpu the Edge TPU mapping report, for targets that partition once; null otherwise
 */
public record TfliteFacts(int ops, int internalTransposes, boolean ioTranspose, List<String> notes,
    EdgeTpuReport.Report edgeTpu) {}

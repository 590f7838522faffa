package dev.hwc.cli;

import dev.hwc.compiler.quant.calib.Calibration;
import dev.hwc.hwtests.OutputKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the user asked {@code hwc build} for, parsed and checked.
 *
 * @param output the output folder
 * @param force replace an existing output folder
 * @param shapes fixed input shapes
 * @param samples seeded random samples for the fidelity check of float builds without --eval
 * @param precision fp32, fp16 or int8; null for the target's default
 * @param calib calibration folder, the word "random", or null
 * @param eval eval folder or null (default: a held-out part of the calibration set)
 * @param calibration the calibration method
 * @param scheme int8 scheme: auto, static or dynamic
 * @param minCosine gate override, or NaN for the profile's
 * @param minIoU gate override for mask channels, or NaN for the profile's
 * @param outputKinds declared output kinds
 * @param keepFloat node names kept in float
 * @param requireSpeedup fail when the artifact is not faster than fp32
 * @param benchSeconds timed seconds per artifact in the speed check (0 skips it)
 * @param nchwIo TFLite artifacts keep the source's NCHW graph IO (default NHWC)
 * @param ioType graph IO type of quantized TFLite artifacts (fp32, int8, uint8), null for the profile's
 */
record BuildOptions(Path output, boolean force, Map<String, long[]> shapes, int samples, String precision,
    String calib, Path eval, Calibration calibration, String scheme, double minCosine, double minIoU,
    Map<String, OutputKind> outputKinds, List<String> keepFloat,
    boolean requireSpeedup, double benchSeconds, boolean nchwIo, String ioType) {}

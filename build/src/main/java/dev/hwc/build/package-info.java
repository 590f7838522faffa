/**
 * hwc as a library: the build pipeline below the command line.
 *
 * <p>Entry points: {@link dev.hwc.build.Compiler#build} (a {@link dev.hwc.build.BuildRequest} in,
 * a {@link dev.hwc.build.BuildResult} out: the chosen plan, every plan judged, the artifact and the
 * typed {@link dev.hwc.build.BuildReport} that report.json serializes) and {@link
 * dev.hwc.build.Compiler#inspect}. A {@link dev.hwc.build.BuildListener} hears the build's progress.
 * The int8 plan search with its layer-by-layer fallback is {@link dev.hwc.build.Int8Search}; every
 * artifact is written once by {@link dev.hwc.build.ArtifactWriter}, which returns the TFLite
 * lowering's facts with the file. The bundled example model ships among this module's resources.
 *
 * <p>May depend on: profiles (and dev.hwc.common), compiler, backends, hwtests, Jackson. Nothing
 * here parses command lines or prints; the cli module depends on this package, never the reverse.
 */
package dev.hwc.build;

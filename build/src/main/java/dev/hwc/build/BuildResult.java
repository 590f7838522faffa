package dev.hwc.build;

import dev.hwc.backends.tflite.EdgeTpuReport;
import dev.hwc.hwtests.MaskSpec;
import dev.hwc.hwtests.OutputFidelity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a build made and found.
 *
 * @param report everything report.json holds, typed (report.json is its Jackson serialization)
 * @param chosen the plan that ships: the fastest passing one (untimed: the one quantizing the most layers; when
 *     none passes, the most faithful)
 * @param plans every plan judged, fallback steps included, in order
 * @param artifact the artifact's bytes (or file), name and SHA-256
 * @param edgeTpu the Edge TPU mapping report (edgetpu-report.json) for targets that partition once
 * @param masks the mask outputs the model names in its metadata (their channels' names)
 * @param gate the gate the plans were judged by
 * @param outputFolder the folder written, or null for an in-memory build
 * @param segments for a target that partitions once, the segmented deployment (deploy.json and its parts)
 */
public record BuildResult(BuildReport report, Plan chosen, List<Plan> plans, Artifact artifact,
    Optional<EdgeTpuReport.Report> edgeTpu, List<MaskSpec> masks, Gate gate, Path outputFolder,
    Optional<dev.hwc.backends.tflite.EdgeTpuSegments.Plan> segments) {

  /** Whether the chosen plan passed the gate (a build returns only then; see {@link CheckFailedException}). */
  public boolean passed() {
    return chosen.passed();
  }

  /** The chosen plan's weakest output: the lowest cosine against the input model. */
  public OutputFidelity weakest() {
    return chosen.weakest();
  }

  /** The chosen plan's per-output figures. */
  public List<OutputFidelity> outputs() {
    return chosen.outputs();
  }

  public BuildReport.Speed speed() {
    return report.speed();
  }

  public List<String> notes() {
    return report.notes();
  }

  /**
   * The artifact.
   *
   * @param fileName its name (e.g. welllog_int8.tflite)
   * @param format "onnx" or "tflite"
   * @param path where it was written, or null for an in-memory build
   * @param content its bytes for an in-memory build (null when written: read {@link #bytes()})
   * @param sha256 hex SHA-256 of its bytes
   * @param size its size in bytes
   */
  public record Artifact(String fileName, String format, Path path, byte[] content, String sha256, long size) {
    /** The artifact's bytes: held in memory, or read from where it was written. */
    public byte[] bytes() {
      if (content != null) {
        return content.clone();
      }
      try {
        return Files.readAllBytes(path);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}

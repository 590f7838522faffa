package dev.hwc.build;

import dev.hwc.compiler.data.SampleSet;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where calibration or eval samples come from: a folder of .npz files keyed by input name (one
 * sample each), samples already in memory, or seeded random data (calibration only, to try the
 * pipeline: the build says so loudly).
 */
public final class SampleSource {
  private final Path folder;
  private final SampleSet samples;
  private final String description;

  private SampleSource(Path folder, SampleSet samples, String description) {
    this.folder = folder;
    this.samples = samples;
    this.description = description;
  }

  /** A folder of .npz files. */
  public static SampleSource folder(Path folder) {
    return folder(folder, folder.toString());
  }

  /** A folder of .npz files, named in the report as {@code description} (e.g. as the user typed it). */
  public static SampleSource folder(Path folder, String description) {
    return new SampleSource(Objects.requireNonNull(folder), null, description);
  }

  /** Samples in memory; {@code description} names them in the report. */
  public static SampleSource of(SampleSet samples, String description) {
    return new SampleSource(null, Objects.requireNonNull(samples), description);
  }

  /** Seeded random data (calibration: 64 samples of the inputs' shapes). */
  public static SampleSource random() {
    return new SampleSource(null, null, "seeded random data");
  }

  public boolean isRandom() {
    return folder == null && samples == null;
  }

  /** The folder, or null. */
  public Path folder() {
    return folder;
  }

  /** How the report names these samples: the folder as given, or the description. */
  public String description() {
    return description;
  }

  /** The samples, read for a model with these inputs (not for {@link #random()}). */
  SampleSet load(java.util.List<dev.hwc.compiler.ir.Value> inputs) throws java.io.IOException {
    if (samples != null) {
      return samples;
    }
    return SampleSet.load(folder, inputs);
  }
}

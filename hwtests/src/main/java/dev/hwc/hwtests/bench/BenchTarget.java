package dev.hwc.hwtests.bench;

import java.nio.file.Path;

/**
 * One thing to measure: an artifact on a runtime with a thread count.
 *
 * @param label the name printed for it (the file name when made with {@link #of})
 * @param artifact the artifact file (.onnx, .tflite, ...)
 * @param runtime a runtime id ("onnxruntime", "onnxruntime-cuda", "tflite", "tensorrt") or alias
 *     ("ort", "ort-cuda"); null picks one from the file extension
 * @param threads intra-op threads; 0 for the runtime's default
 */
public record BenchTarget(String label, Path artifact, String runtime, int threads) {
  public BenchTarget {
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0");
    }
  }

  /** The artifact on its default runtime with the runtime's default threads, labelled by file name. */
  public static BenchTarget of(Path artifact) {
    return new BenchTarget(artifact.getFileName().toString(), artifact, null, 0);
  }

  public BenchTarget withThreads(int n) {
    return new BenchTarget(label, artifact, runtime, n);
  }

  public BenchTarget withRuntime(String id) {
    return new BenchTarget(label, artifact, id, threads);
  }

  public BenchTarget withLabel(String l) {
    return new BenchTarget(l, artifact, runtime, threads);
  }
}

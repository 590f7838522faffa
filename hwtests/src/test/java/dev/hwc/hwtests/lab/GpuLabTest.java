package dev.hwc.hwtests.lab;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hwc.backends.onnx.OnnxCudaRuntime;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.tensorrt.TensorRtRuntime;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.hwtests.bench.Bench;
import dev.hwc.hwtests.bench.BenchOptions;
import dev.hwc.hwtests.bench.BenchResult;
import dev.hwc.hwtests.bench.BenchTarget;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hardware lab: runs only with -Phardware on a machine with an NVIDIA GPU (checked, else skipped). */
@Tag("gpu")
class GpuLabTest {
  @TempDir Path dir;

  @Test
  void gpuRowsReachTheRuntimeAndCudaOrtIsMeasuredWhereItExists() throws Exception {
    Hardware host = Hardware.detect();
    assumeTrue(host.cudaDevice() != null, "no CUDA device here");
    // the device is found, so a gpu row is never skipped for want of one
    assertTrue(host.lacks("gpu").isEmpty());
    // TensorRT says what it lacks beyond the device (library or backend), never the device itself
    String trt = new TensorRtRuntime().unavailableReason().orElse("");
    assertTrue(!trt.startsWith("no CUDA device"), trt);
    OnnxCudaRuntime cuda = new OnnxCudaRuntime();
    assumeTrue(cuda.unavailableReason().isEmpty(), () -> "ONNX Runtime CUDA: " + cuda.unavailableReason().orElse(""));
    Path model = dir.resolve("cnn.onnx");
    new OnnxEmitter().emit(SmallModels.plainConvStack(3), model);
    BenchResult.Measurement m = Bench.run(BenchTarget.of(model).withRuntime("ort-cuda"),
        BenchOptions.defaults().withRuns(200));
    assertTrue(m.measured() && m.execution().contains("CUDA"), m.toString());
  }
}

package dev.hwc.backends.tflite;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hwc.backends.BoundRun;
import dev.hwc.backends.Parts;
import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import dev.hwc.common.BadInputException;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A segmented deployment ({@code deploy.json} and its parts) run as one model: each part on its own
 * TFLite interpreter (XNNPACK; this machine has no Edge TPU, so TPU segments run their CPU file too),
 * in order, the host carrying each boundary tensor from the part that writes it to the parts that
 * read it. Inputs and outputs are the single file's (int8, NHWC where it is), by name.
 */
public final class Deployment implements RuntimeSession {
  private final Path manifestFile;
  private final EdgeTpuSegments.Manifest manifest;
  private final List<TfliteSession> sessions = new ArrayList<>();

  private Deployment(Path manifestFile, EdgeTpuSegments.Manifest manifest) {
    this.manifestFile = manifestFile;
    this.manifest = manifest;
  }

  /** Reads deploy.json; its part files are found beside it. */
  public static Deployment load(Path manifest) {
    return load(manifest, SessionOptions.DEFAULT);
  }

  public static Deployment load(Path manifest, SessionOptions options) {
    EdgeTpuSegments.Manifest m = read(manifest);
    Deployment d = new Deployment(manifest, m);
    try {
      for (EdgeTpuSegments.ManifestPart p : m.parts()) {
        d.sessions.add(TfliteSession.open(manifest.toAbsolutePath().getParent().resolve(p.file()), options));
      }
    } catch (RuntimeException e) {
      d.close();
      throw e;
    }
    return d;
  }

  /** The manifest of a deploy.json; one line naming the problem when it is not one. */
  public static EdgeTpuSegments.Manifest read(Path manifest) {
    if (!Files.isRegularFile(manifest)) {
      throw new BadInputException("no deployment manifest at " + manifest);
    }
    EdgeTpuSegments.Manifest m;
    try {
      m = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .readValue(manifest.toFile(), EdgeTpuSegments.Manifest.class);
    } catch (IOException e) {
      throw new BadInputException(manifest + " is not a deployment manifest: "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
    if (!EdgeTpuSegments.SCHEMA.equals(m.schema()) || m.parts() == null || m.parts().isEmpty()) {
      throw new BadInputException(manifest + " is not a " + EdgeTpuSegments.SCHEMA + " manifest with parts");
    }
    return m;
  }

  public EdgeTpuSegments.Manifest manifest() {
    return manifest;
  }

  @Override
  public List<Value> inputs() {
    return manifest.inputs().stream().map(Deployment::value).toList();
  }

  @Override
  public List<Value> outputs() {
    return manifest.outputs().stream().map(Deployment::value).toList();
  }

  private static Value value(EdgeTpuSegments.Binding b) {
    long[] shape = java.util.Arrays.stream(b.shape()).asLongStream().toArray();
    return new Value(b.name(), DType.valueOf(b.dtype().toUpperCase(Locale.ROOT)), Shape.of(shape));
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> inputs) {
    return runTimed(inputs, null);
  }

  /**
   * Runs the parts in order; {@code partNanos} (when not null) gets each part's wall time, host copies
   * included.
   */
  public Map<String, Tensor> runTimed(Map<String, Tensor> inputs, long[] partNanos) {
    Map<String, Tensor> live = new HashMap<>();
    for (EdgeTpuSegments.Binding b : manifest.inputs()) {
      Tensor t = inputs.get(b.name());
      if (t == null) {
        throw new BadInputException("the deployment needs input '" + b.name() + "'");
      }
      live.put(b.name(), t);
    }
    for (int k = 0; k < sessions.size(); k++) {
      long start = System.nanoTime();
      EdgeTpuSegments.ManifestPart p = manifest.parts().get(k);
      live.putAll(sessions.get(k).run(Parts.feed(k, p.inputs().stream().map(EdgeTpuSegments.Binding::name).toList(), live)));
      if (partNanos != null) {
        partNanos[k] += System.nanoTime() - start;
      }
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (EdgeTpuSegments.Binding b : manifest.outputs()) {
      out.put(b.name(), live.get(b.name()));
    }
    return out;
  }

  @Override
  public BoundRun bind(Map<String, Tensor> inputs) {
    Map<String, Tensor> feed = Map.copyOf(inputs);
    return () -> run(feed);
  }

  @Override
  public String describe() {
    return manifest.parts().size() + " parts from " + manifestFile.getFileName() + " ("
        + manifest.tpuSegments() + " Edge TPU segment" + (manifest.tpuSegments() == 1 ? "" : "s")
        + ", run on the CPU here), each: " + (sessions.isEmpty() ? "" : sessions.get(0).describe());
  }

  /**
   * This deployment seen with its source model's IO (as {@link SourceIoSession} sees one file): float
   * inputs in the IR's layout, permuted and quantized with the graph inputs' params; outputs
   * dequantized and permuted back. What lets the per-output guard judge the chain against the float model.
   */
  public RuntimeSession sourceIo() {
    Deployment d = this;
    return new RuntimeSession() {
      @Override
      public List<Value> inputs() {
        return manifest.inputs().stream().map(b -> new Value(b.name(), DType.FLOAT, Shape.of(sourceShape(b)))).toList();
      }

      @Override
      public List<Value> outputs() {
        return manifest.outputs().stream().map(b -> new Value(b.name(), DType.FLOAT, Shape.of(sourceShape(b)))).toList();
      }

      @Override
      public Map<String, Tensor> run(Map<String, Tensor> feed) {
        Map<String, Tensor> raw = d.run(fromSource(feed));
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (EdgeTpuSegments.Binding b : manifest.outputs()) {
          out.put(b.name(), toSource(b, raw.get(b.name())));
        }
        return out;
      }

      @Override
      public String describe() {
        return d.describe() + ", source IO";
      }

      @Override
      public void close() {
        d.close();
      }
    };
  }

  private static long[] sourceShape(EdgeTpuSegments.Binding b) {
    long[] shape = java.util.Arrays.stream(b.shape()).asLongStream().toArray();
    return "NHWC".equals(b.layout()) ? Layout.permuted(shape, Layout.TO_IR) : shape;
  }

  /** Source-model inputs (float, IR layout) as this deployment's graph inputs (NHWC, int8 where they are). */
  public Map<String, Tensor> fromSource(Map<String, Tensor> feed) {
    Map<String, Tensor> in = new LinkedHashMap<>();
    for (EdgeTpuSegments.Binding b : manifest.inputs()) {
      Tensor t = feed.get(b.name());
      if (t == null) {
        throw new BadInputException("the deployment needs input '" + b.name() + "'");
      }
      if ("NHWC".equals(b.layout()) && t.rank() == 4) {
        t = Tensor.ofBytes(t.dtype(), Layout.permuted(t.shape(), Layout.TO_NHWC),
            Layout.permute(t.bytes(), t.shape(), Layout.TO_NHWC, t.dtype().byteSize));
      }
      boolean integer = b.dtype().equals("int8") || b.dtype().equals("uint8");
      if (t.dtype() == DType.FLOAT && integer && b.scale() != null) {
        double[] d = t.toDoubles();
        long lo = b.dtype().equals("uint8") ? 0 : -128;
        long hi = b.dtype().equals("uint8") ? 255 : 127;
        for (int i = 0; i < d.length; i++) {
          d[i] = Math.max(lo, Math.min(hi, Math.round(d[i] / b.scale()) + b.zeroPoint()));
        }
        t = Tensor.fromDoubles(DType.valueOf(b.dtype().toUpperCase(Locale.ROOT)), t.shape(), d);
      }
      in.put(b.name(), t);
    }
    return in;
  }

  private static Tensor toSource(EdgeTpuSegments.Binding b, Tensor t) {
    if ((t.dtype() == DType.INT8 || t.dtype() == DType.UINT8) && b.scale() != null) {
      double[] d = t.toDoubles();
      for (int i = 0; i < d.length; i++) {
        d[i] = (d[i] - b.zeroPoint()) * b.scale();
      }
      t = Tensor.fromDoubles(DType.FLOAT, t.shape(), d);
    }
    if ("NHWC".equals(b.layout()) && t.rank() == 4) {
      t = Tensor.ofBytes(t.dtype(), Layout.permuted(t.shape(), Layout.TO_IR),
          Layout.permute(t.bytes(), t.shape(), Layout.TO_IR, t.dtype().byteSize));
    }
    return t;
  }

  @Override
  public void close() {
    for (TfliteSession s : sessions) {
      s.close();
    }
    sessions.clear();
  }
}

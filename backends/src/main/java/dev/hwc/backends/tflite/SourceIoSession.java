package dev.hwc.backends.tflite;

import dev.hwc.backends.RuntimeSession;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.common.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.SubGraph;

/**
 * A TFLite session seen with its source model's IO: float tensors in the IR's layout. Inputs are
 * permuted to NHWC and quantized with the input tensor's params where the model says so (its
 * {@value TfliteLowering#IO_METADATA} metadata and tensor quantization); outputs are dequantized and
 * permuted back. This is what lets the per-output guard compare a full-integer NHWC .tflite with the
 * NCHW float model it came from.
 */
final class SourceIoSession implements RuntimeSession {
  private record Io(String name, boolean nhwc, float scale, long zeroPoint, DType type) {}

  private final TfliteSession session;
  private final Map<String, Io> io = new HashMap<>();
  private final List<Value> inputs = new ArrayList<>();
  private final List<Value> outputs = new ArrayList<>();

  SourceIoSession(TfliteSession session, Path artifact) throws IOException {
    this.session = session;
    Model model = Model.getRootAsModel(ByteBuffer.wrap(Files.readAllBytes(artifact)));
    Map<String, String> layouts = new HashMap<>();
    for (int i = 0; i < model.metadataLength(); i++) {
      if (TfliteLowering.IO_METADATA.equals(model.metadata(i).name())) {
        ByteBuffer data = model.buffers((int) model.metadata(i).buffer()).dataAsByteBuffer();
        byte[] b = new byte[data.remaining()];
        data.get(b);
        for (String entry : new String(b, StandardCharsets.UTF_8).split(";")) {
          int eq = entry.lastIndexOf('=');
          if (eq > 0) {
            layouts.put(entry.substring(0, eq), entry.substring(eq + 1));
          }
        }
      }
    }
    SubGraph sg = model.subgraphs(0);
    for (int k = 0; k < sg.inputsLength() + sg.outputsLength(); k++) {
      boolean isInput = k < sg.inputsLength();
      org.tensorflow.lite.schema.Tensor t = sg.tensors(isInput ? sg.inputs(k) : sg.outputs(k - sg.inputsLength()));
      QuantizationParameters q = t.quantization();
      boolean quantized = q != null && q.scaleLength() > 0;
      boolean nhwc = "NHWC".equals(layouts.get(t.name()));
      Value v = (isInput ? session.inputs() : session.outputs()).stream().filter(x -> x.name().equals(t.name()))
          .findFirst().orElseThrow();
      io.put(t.name(), new Io(t.name(), nhwc, quantized ? q.scale(0) : 1, quantized ? q.zeroPoint(0) : 0, v.dtype()));
      long[] shape = v.shape().sizes();
      if (nhwc) {
        shape = Layout.permuted(shape, Layout.TO_IR);
      }
      (isInput ? inputs : outputs).add(new Value(v.name(), DType.FLOAT, Shape.of(shape)));
    }
  }

  @Override
  public List<Value> inputs() {
    return List.copyOf(inputs);
  }

  @Override
  public List<Value> outputs() {
    return List.copyOf(outputs);
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> feed) {
    Map<String, Tensor> in = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : feed.entrySet()) {
      Io spec = io.get(e.getKey());
      if (spec == null) {
        throw new BadInputException("unknown input '" + e.getKey() + "'");
      }
      Tensor t = e.getValue();
      if (spec.nhwc()) {
        t = Tensor.ofBytes(t.dtype(), Layout.permuted(t.shape(), Layout.TO_NHWC),
            Layout.permute(t.bytes(), t.shape(), Layout.TO_NHWC, t.dtype().byteSize));
      }
      boolean quantize = t.dtype() == DType.FLOAT && (spec.type() == DType.INT8 || spec.type() == DType.UINT8);
      in.put(e.getKey(), quantize ? quantize(t, spec) : t);
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : session.run(in).entrySet()) {
      Io spec = io.get(e.getKey());
      Tensor t = e.getValue();
      if (t.dtype() == DType.INT8 || t.dtype() == DType.UINT8) {
        double[] d = t.toDoubles();
        for (int i = 0; i < d.length; i++) {
          d[i] = (d[i] - spec.zeroPoint()) * spec.scale();
        }
        t = Tensor.fromDoubles(DType.FLOAT, t.shape(), d);
      }
      if (spec.nhwc()) {
        t = Tensor.ofBytes(t.dtype(), Layout.permuted(t.shape(), Layout.TO_IR),
            Layout.permute(t.bytes(), t.shape(), Layout.TO_IR, 4));
      }
      out.put(e.getKey(), t);
    }
    return out;
  }

  private static Tensor quantize(Tensor t, Io spec) {
    double[] d = t.toDoubles();
    long lo = spec.type() == DType.UINT8 ? 0 : -128;
    long hi = spec.type() == DType.UINT8 ? 255 : 127;
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.max(lo, Math.min(hi, Math.round(d[i] / spec.scale()) + spec.zeroPoint()));
    }
    return Tensor.fromDoubles(spec.type(), t.shape(), d);
  }

  @Override
  public String describe() {
    return session.describe() + ", source IO";
  }

  @Override
  public void close() {
    session.close();
  }
}

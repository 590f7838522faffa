package dev.hwc.backends.tflite;

import dev.hwc.backends.BoundRun;
import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.common.BadInputException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.BuiltinOpResolver;
import org.bytedeco.tensorflowlite.BuiltinOpResolverWithXNNPACK;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.bytedeco.tensorflowlite.Interpreter;
import org.bytedeco.tensorflowlite.InterpreterBuilder;
import org.bytedeco.tensorflowlite.TfLiteIntArray;
import org.bytedeco.tensorflowlite.TfLiteTensor;
import org.bytedeco.tensorflowlite.global.tensorflowlite;

/**
 * One .tflite model in the TFLite interpreter. Loading builds the interpreter with the XNNPACK
 * delegate (applied when tensors are first allocated, which {@link #open} does, so load time
 * includes it) and the session's thread count (0: one per available processor). IR tensors are
 * copied into the interpreter's input tensors and out of its output tensors; both sides are
 * little-endian. Inputs with dynamic dims (shape signature -1) are resized when a run's shape differs.
 */
public final class TfliteSession implements RuntimeSession {
  private final Path artifact;
  private final FlatBufferModel model;
  private final BuiltinOpResolver resolver;
  private final Interpreter interpreter;
  private final int threads;
  private final int[] inputIndex;
  private final int[] outputIndex;
  private final List<Value> inputs;
  private final List<Value> outputs;
  private boolean closed;

  private TfliteSession(Path artifact, FlatBufferModel model, BuiltinOpResolver resolver, Interpreter interpreter,
      int threads) {
    this.artifact = artifact;
    this.model = model;
    this.resolver = resolver;
    this.interpreter = interpreter;
    this.threads = threads;
    this.inputIndex = indices(interpreter.inputs());
    this.outputIndex = indices(interpreter.outputs());
    this.inputs = values(inputIndex);
    this.outputs = values(outputIndex);
  }

  /** Loads a model, builds its interpreter with XNNPACK and allocates its tensors. */
  public static TfliteSession open(Path artifact, SessionOptions opts) {
    if (!Files.isRegularFile(artifact)) {
      throw new BadInputException("TFLite cannot load " + artifact + ": no such file");
    }
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new IllegalStateException("the TFLite adapter assumes a little-endian machine");
    }
    FlatBufferModel model = FlatBufferModel.VerifyAndBuildFromFile(artifact.toString());
    if (model == null || model.isNull() || !model.initialized()) {
      throw new BadInputException("TFLite cannot load " + artifact + ": not a valid .tflite flatbuffer");
    }
    int threads = opts.threads() > 0 ? opts.threads() : java.lang.Runtime.getRuntime().availableProcessors();
    dev.hwc.backends.NativeLogs.tflite(); // TFLite's INFO lines only with --verbose
    BuiltinOpResolver resolver = new BuiltinOpResolverWithXNNPACK(true);
    Interpreter interpreter = new Interpreter((Pointer) null);
    try (InterpreterBuilder builder = new InterpreterBuilder(model, resolver)) {
      builder.SetNumThreads(threads);
      if (builder.apply(interpreter) != tensorflowlite.kTfLiteOk || interpreter.isNull()) {
        throw new BadInputException("TFLite cannot build an interpreter for " + artifact
            + " (an op without a kernel, or a malformed model; see the TFLite message above)");
      }
      if (interpreter.AllocateTensors() != tensorflowlite.kTfLiteOk) {
        throw new BadInputException("TFLite cannot allocate the tensors of " + artifact);
      }
    } catch (RuntimeException e) {
      interpreter.close();
      resolver.close();
      model.close();
      throw e;
    }
    return new TfliteSession(artifact, model, resolver, interpreter, threads);
  }

  @Override
  public List<Value> inputs() {
    return inputs;
  }

  @Override
  public List<Value> outputs() {
    return outputs;
  }

  @Override
  public synchronized Map<String, Tensor> run(Map<String, Tensor> feed) {
    feed(feed);
    invoke();
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (int i = 0; i < outputIndex.length; i++) {
      TfLiteTensor t = interpreter.tensor(outputIndex[i]);
      DType dtype = dtype(t.type());
      byte[] bytes = new byte[(int) t.bytes()];
      data(t).get(bytes);
      out.put(outputs.get(i).name(), Tensor.ofBytes(dtype, dims(t.dims()), bytes));
    }
    return out;
  }

  /** Each run copies the bound inputs in (as a real caller must) and invokes; outputs stay unread. */
  @Override
  public BoundRun bind(Map<String, Tensor> feed) {
    feed(feed);
    List<byte[]> data = new ArrayList<>();
    for (Value in : inputs) {
      data.add(feed.get(in.name()).bytes());
    }
    return () -> {
      synchronized (this) {
        for (int i = 0; i < inputIndex.length; i++) {
          data(interpreter.tensor(inputIndex[i])).put(data.get(i));
        }
        invoke();
      }
    };
  }

  /** The delegate's share of the execution plan and the thread count, e.g. "XNNPACK delegate (1 delegated kernel, 0 TFLite ops), 2 threads". */
  @Override
  public String describe() {
    int delegated = 0;
    int cpu = 0;
    IntPointer plan = interpreter.execution_plan();
    for (long i = 0; i < plan.limit(); i++) {
      if (interpreter.node_and_registration(plan.get(i)).first().delegate() != null) {
        delegated++;
      } else {
        cpu++;
      }
    }
    return "TFLite " + tensorflowlite.TfLiteVersion().getString() + ", "
        + (delegated > 0 ? "XNNPACK delegate (" + delegated + " delegated kernel" + (delegated == 1 ? "" : "s") + ", "
            + cpu + " TFLite op" + (cpu == 1 ? "" : "s") + " outside it)" : "no delegate (" + cpu + " TFLite ops)")
        + ", " + threads + " thread" + (threads == 1 ? "" : "s");
  }

  /** Number of execution-plan nodes the XNNPACK delegate runs (0: nothing delegated). */
  public int delegatedKernels() {
    int n = 0;
    IntPointer plan = interpreter.execution_plan();
    for (long i = 0; i < plan.limit(); i++) {
      if (interpreter.node_and_registration(plan.get(i)).first().delegate() != null) {
        n++;
      }
    }
    return n;
  }

  private void invoke() {
    if (interpreter.Invoke() != tensorflowlite.kTfLiteOk) {
      throw new BadInputException("TFLite failed running " + artifact + " (see the TFLite message above)");
    }
  }

  /** Checks the inputs, resizes dynamic ones whose shape changed, and copies the data in. */
  private void feed(Map<String, Tensor> feed) {
    for (String name : feed.keySet()) {
      if (inputs.stream().noneMatch(v -> v.name().equals(name))) {
        throw new BadInputException("unknown input '" + name + "'; " + artifact.getFileName() + " takes "
            + String.join(", ", inputs.stream().map(Value::toString).toList()));
      }
    }
    boolean resized = false;
    for (int i = 0; i < inputIndex.length; i++) {
      Value want = inputs.get(i);
      Tensor t = feed.get(want.name());
      String expected = want.dtype().shortName() + want.shape();
      if (t == null) {
        throw new BadInputException("missing input '" + want.name() + "' (expected " + expected + ")");
      }
      if (t.dtype() != want.dtype()) {
        throw new BadInputException("input '" + want.name() + "' is " + t.dtype().shortName() + Shape.format(t.shape())
            + ", expected " + expected);
      }
      long[] have = t.shape();
      boolean fits = have.length == want.shape().rank();
      for (int d = 0; fits && d < have.length; d++) {
        Dim dim = want.shape().dim(d);
        fits = !dim.isStatic() || dim.size() == have[d];
      }
      if (!fits) {
        throw new BadInputException("input '" + want.name() + "' has shape " + Shape.format(have) + ", expected " + expected);
      }
      TfLiteTensor native_ = interpreter.tensor(inputIndex[i]);
      if (!Arrays.equals(dims(native_.dims()), have)) {
        int[] shape = Arrays.stream(have).mapToInt(Math::toIntExact).toArray();
        if (interpreter.ResizeInputTensor(inputIndex[i], shape) != tensorflowlite.kTfLiteOk) {
          throw new BadInputException("TFLite cannot resize input '" + want.name() + "' to " + Shape.format(have));
        }
        resized = true;
      }
    }
    if (resized && interpreter.AllocateTensors() != tensorflowlite.kTfLiteOk) {
      throw new BadInputException("TFLite cannot allocate the tensors of " + artifact + " for the new input shapes");
    }
    for (int i = 0; i < inputIndex.length; i++) {
      data(interpreter.tensor(inputIndex[i])).put(feed.get(inputs.get(i).name()).bytes());
    }
  }

  private static BytePointer data(TfLiteTensor t) {
    Pointer p = tensorflowlite.TfLiteTensorData(t);
    if (p == null || p.isNull()) {
      throw new IllegalStateException("TFLite tensor '" + t.name().getString() + "' has no data");
    }
    return new BytePointer(p).capacity(t.bytes());
  }

  private static int[] indices(IntPointer p) {
    int[] out = new int[(int) p.limit()];
    p.get(out);
    return out;
  }

  private List<Value> values(int[] index) {
    List<Value> out = new ArrayList<>();
    for (int i : index) {
      TfLiteTensor t = interpreter.tensor(i);
      long[] d = dims(t.dims());
      TfLiteIntArray sig = t.dims_signature();
      List<Dim> dims = new ArrayList<>();
      for (int k = 0; k < d.length; k++) {
        boolean dynamic = sig != null && !sig.isNull() && sig.size() == d.length && sig.data(k) < 0;
        dims.add(dynamic ? Dim.symbol(t.name().getString() + "_" + k) : Dim.of(d[k]));
      }
      out.add(new Value(t.name().getString(), dtype(t.type()), Shape.of(dims)));
    }
    return List.copyOf(out);
  }

  private static long[] dims(TfLiteIntArray a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.data(i);
    }
    return out;
  }

  /** TFLite's element types to the IR's. */
  static DType dtype(int type) {
    if (type == tensorflowlite.kTfLiteFloat32) return DType.FLOAT;
    if (type == tensorflowlite.kTfLiteFloat16) return DType.FLOAT16;
    if (type == tensorflowlite.kTfLiteFloat64) return DType.DOUBLE;
    if (type == tensorflowlite.kTfLiteInt8) return DType.INT8;
    if (type == tensorflowlite.kTfLiteUInt8) return DType.UINT8;
    if (type == tensorflowlite.kTfLiteInt16) return DType.INT16;
    if (type == tensorflowlite.kTfLiteInt32) return DType.INT32;
    if (type == tensorflowlite.kTfLiteInt64) return DType.INT64;
    if (type == tensorflowlite.kTfLiteBool) return DType.BOOL;
    throw new BadInputException("TFLite element type " + tensorflowlite.TfLiteTypeGetName(type).getString()
        + " is not supported by hwc");
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    interpreter.close();
    resolver.close();
    model.close();
  }
}

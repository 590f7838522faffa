package dev.hwc.backends.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.common.BadInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One model loaded in ONNX Runtime. IR tensors go in and come out through direct buffers in native
 * byte order; every OnnxTensor and Result made for a run is closed before it returns. Inputs are
 * checked first (names, element types, ranks, static sizes, one size per symbolic dim), so a wrong
 * input gives a one-line {@link BadInputException} instead of a native error.
 */
public final class OrtSession implements RuntimeSession {
  private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  private final Path artifact;
  private final OrtEnvironment env;
  private final ai.onnxruntime.OrtSession.SessionOptions options;
  private final ai.onnxruntime.OrtSession session;
  private final List<Value> inputs;
  private final List<Value> outputs;
  private final String provider;

  private OrtSession(
      Path artifact,
      OrtEnvironment env,
      ai.onnxruntime.OrtSession.SessionOptions options,
      ai.onnxruntime.OrtSession session,
      String provider)
      throws OrtException {
    this.artifact = artifact;
    this.env = env;
    this.options = options;
    this.session = session;
    this.provider = provider;
    this.inputs = values(session.getInputInfo());
    this.outputs = values(session.getOutputInfo());
  }

  /**
   * Loads a model: intra-op threads from the options (0 = ONNX Runtime's default), graph
   * optimization level ALL when {@code optimize}, else none.
   */
  public static OrtSession open(Path artifact, SessionOptions opts) throws OrtException {
    return open(artifact, opts, false);
  }

  /**
   * Loads a model as {@link #open(Path, SessionOptions)} does, on the CUDA execution provider
   * (device 0, CPU for the ops CUDA lacks) when {@code cuda}; callers check
   * {@link OnnxCudaRuntime#unavailableReason()} first.
   */
  public static OrtSession open(Path artifact, SessionOptions opts, boolean cuda) throws OrtException {
    if (!Files.isRegularFile(artifact)) {
      throw new BadInputException("ONNX Runtime cannot load " + artifact + ": no such file");
    }
    return create(artifact, artifact.toString(), opts, cuda, (env, so) -> env.createSession(artifact.toString(), so));
  }

  /**
   * Loads a model from its serialized bytes (no file written or read: the build judges plans this
   * way), options as {@link #open(Path, SessionOptions)}; {@code label} names it in messages.
   */
  public static OrtSession open(byte[] model, String label, SessionOptions opts) throws OrtException {
    return create(Path.of(label), label, opts, false, (env, so) -> env.createSession(model, so));
  }

  /** How a session is created from the environment and its options: from a file or from bytes. */
  @FunctionalInterface
  private interface Creator {
    ai.onnxruntime.OrtSession create(OrtEnvironment env, ai.onnxruntime.OrtSession.SessionOptions so) throws OrtException;
  }

  /** The one place session options are set (log level, threads, optimization level, CUDA) and a failed load is named. */
  private static OrtSession create(Path source, String label, SessionOptions opts, boolean cuda, Creator creator)
      throws OrtException {
    OrtEnvironment env = OnnxRuntime.environment();
    ai.onnxruntime.OrtSession.SessionOptions so = new ai.onnxruntime.OrtSession.SessionOptions();
    ai.onnxruntime.OrtSession session = null;
    try {
      so.setSessionLogLevel(dev.hwc.backends.NativeLogs.ort());
      if (opts.threads() > 0) {
        so.setIntraOpNumThreads(opts.threads());
      }
      so.setOptimizationLevel(opts.optimize()
          ? ai.onnxruntime.OrtSession.SessionOptions.OptLevel.ALL_OPT
          : ai.onnxruntime.OrtSession.SessionOptions.OptLevel.NO_OPT);
      if (cuda) {
        so.addCUDA(0);
      }
      session = creator.create(env, so);
      return new OrtSession(source, env, so, session,
          (cuda ? "CUDA execution provider (device 0)" : "CPU execution provider")
              + (opts.threads() > 0 ? ", " + opts.threads() + " intra-op threads" : ", default intra-op threads"));
    } catch (OrtException e) {
      if (session != null) {
        session.close();
      }
      so.close();
      throw new BadInputException("ONNX Runtime cannot load " + label + ": " + firstLine(e.getMessage()), e);
    }
  }

  /** Loads a model with default options, runs it once and closes it. */
  public static Map<String, Tensor> runOnce(Path model, Map<String, Tensor> inputs)
      throws Exception {
    try (OrtSession s = open(model, SessionOptions.DEFAULT)) {
      return s.run(inputs);
    }
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
  public Map<String, Tensor> run(Map<String, Tensor> feed) throws OrtException {
    check(feed);
    Map<String, OnnxTensor> onnx = new LinkedHashMap<>();
    try {
      for (Value in : inputs) {
        onnx.put(in.name(), toOnnx(feed.get(in.name())));
      }
      Map<String, Tensor> out = new LinkedHashMap<>();
      try (ai.onnxruntime.OrtSession.Result r = session.run(onnx)) {
        for (Value o : outputs) {
          OnnxValue v = r.get(o.name()).orElseThrow(() -> new IllegalStateException(
              "ONNX Runtime returned no output '" + o.name() + "'"));
          if (!(v instanceof OnnxTensor t)) {
            throw new BadInputException(
                "output '" + o.name() + "' of " + artifact + " is not a tensor");
          }
          out.put(o.name(), fromOnnx(o.name(), t));
        }
      } catch (OrtException e) {
        throw new BadInputException(
            "ONNX Runtime failed running " + artifact + ": " + firstLine(e.getMessage()), e);
      }
      return out;
    } finally {
      onnx.values().forEach(OnnxTensor::close);
    }
  }

  /** Inputs become native tensors once; each run executes the model and closes its results unread. */
  @Override
  public dev.hwc.backends.BoundRun bind(Map<String, Tensor> feed) throws OrtException {
    check(feed);
    Map<String, OnnxTensor> onnx = new LinkedHashMap<>();
    try {
      for (Value in : inputs) {
        onnx.put(in.name(), toOnnx(feed.get(in.name())));
      }
    } catch (OrtException | RuntimeException e) {
      onnx.values().forEach(OnnxTensor::close);
      throw e;
    }
    return new dev.hwc.backends.BoundRun() {
      @Override
      public void run() {
        try {
          session.run(onnx).close();
        } catch (OrtException e) {
          throw new BadInputException(
              "ONNX Runtime failed running " + artifact + ": " + firstLine(e.getMessage()), e);
        }
      }

      @Override
      public void close() {
        onnx.values().forEach(OnnxTensor::close);
      }
    };
  }

  @Override
  public String describe() {
    return "ONNX Runtime " + env.getVersion() + ", " + provider;
  }

  /** Every input present with the right element type and a shape that fits, and no strangers. */
  private void check(Map<String, Tensor> feed) {
    Map<String, Value> byName = new HashMap<>();
    inputs.forEach(v -> byName.put(v.name(), v));
    for (String name : feed.keySet()) {
      if (!byName.containsKey(name)) {
        throw new BadInputException(
            "unknown input '" + name + "'; " + artifact.getFileName() + " takes "
                + String.join(", ", inputs.stream().map(Value::toString).toList()));
      }
    }
    Map<String, String> boundBy = new HashMap<>();
    Map<String, Long> bound = new HashMap<>();
    for (Value want : inputs) {
      Tensor t = feed.get(want.name());
      String expected = want.dtype().shortName() + want.shape();
      if (t == null) {
        throw new BadInputException("missing input '" + want.name() + "' (expected " + expected + ")");
      }
      if (want.dtype() != DType.UNDEFINED && t.dtype() != want.dtype()) {
        throw new BadInputException(
            "input '" + want.name() + "' is " + t.dtype().shortName() + Shape.format(t.shape())
                + ", expected " + expected);
      }
      if (!want.shape().hasRank()) {
        continue;
      }
      long[] have = t.shape();
      boolean fits = have.length == want.shape().rank();
      for (int i = 0; fits && i < have.length; i++) {
        Dim d = want.shape().dim(i);
        fits = !d.isStatic() || d.size() == have[i];
      }
      if (!fits) {
        throw new BadInputException(
            "input '" + want.name() + "' has shape " + Shape.format(have) + ", expected "
                + expected);
      }
      for (int i = 0; i < have.length; i++) {
        Dim d = want.shape().dim(i);
        if (d.isSymbolic()) {
          Long size = bound.putIfAbsent(d.symbol(), have[i]);
          boundBy.putIfAbsent(d.symbol(), want.name());
          if (size != null && size != have[i]) {
            throw new BadInputException(
                "input '" + want.name() + "' has shape " + Shape.format(have) + ", expected "
                    + expected + ": '" + d.symbol() + "' is " + size + " in input '"
                    + boundBy.get(d.symbol()) + "'");
          }
        }
      }
    }
  }

  private OnnxTensor toOnnx(Tensor t) throws OrtException {
    OnnxJavaType type = switch (t.dtype()) {
      case FLOAT -> OnnxJavaType.FLOAT;
      case DOUBLE -> OnnxJavaType.DOUBLE;
      case FLOAT16 -> OnnxJavaType.FLOAT16;
      case BFLOAT16 -> OnnxJavaType.BFLOAT16;
      case INT64 -> OnnxJavaType.INT64;
      case INT32 -> OnnxJavaType.INT32;
      case INT16 -> OnnxJavaType.INT16;
      case INT8 -> OnnxJavaType.INT8;
      case UINT8 -> OnnxJavaType.UINT8;
      case BOOL -> OnnxJavaType.BOOL;
      default -> throw new BadInputException(
          "ONNX Runtime Java cannot take " + t.dtype().shortName() + " inputs");
    };
    ByteBuffer direct = ByteBuffer.allocateDirect((int) t.byteSize()).order(ByteOrder.nativeOrder());
    if (LITTLE_ENDIAN) {
      direct.put(t.buffer());
    } else {
      direct.put(swap(t.bytes(), t.dtype().byteSize));
    }
    direct.rewind();
    return OnnxTensor.createTensor(env, direct, t.shape(), type);
  }

  private Tensor fromOnnx(String name, OnnxTensor t) {
    TensorInfo info = t.getInfo();
    DType dtype = dtype(info.onnxType);
    if (dtype == DType.UNDEFINED || dtype == DType.STRING) {
      throw new BadInputException(
          "output '" + name + "' of " + artifact + " has element type " + info.onnxType
              + ", which hwc cannot read");
    }
    ByteBuffer b = t.getByteBuffer(); // a heap copy in native order
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return Tensor.ofBytes(dtype, info.getShape(), LITTLE_ENDIAN ? bytes : swap(bytes, dtype.byteSize));
  }

  /** Reverses the bytes of each element (only on big-endian machines). */
  private static byte[] swap(byte[] b, int width) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i += width) {
      for (int j = 0; j < width; j++) {
        out[i + j] = b[i + width - 1 - j];
      }
    }
    return out;
  }

  private static List<Value> values(Map<String, NodeInfo> infos) {
    List<Value> out = new ArrayList<>();
    for (NodeInfo n : infos.values()) {
      ValueInfo vi = n.getInfo();
      if (!(vi instanceof TensorInfo ti)) {
        out.add(new Value(n.getName(), DType.UNDEFINED, Shape.UNKNOWN));
        continue;
      }
      DType dtype = dtype(ti.onnxType);
      long[] sizes = ti.getShape();
      String[] names = ti.getDimensionNames();
      List<Dim> dims = new ArrayList<>();
      for (int i = 0; i < sizes.length; i++) {
        String sym = names != null && i < names.length ? names[i] : null;
        dims.add(sizes[i] >= 0 ? Dim.of(sizes[i]) : Dim.symbol(sym));
      }
      out.add(new Value(n.getName(), dtype, Shape.of(dims)));
    }
    return List.copyOf(out);
  }

  /** ORT's element type enum to the IR's (ORT numbers them its own way, not as ONNX does). */
  static DType dtype(TensorInfo.OnnxTensorType t) {
    return switch (t) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DType.FLOAT;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DType.DOUBLE;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DType.FLOAT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 -> DType.BFLOAT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DType.INT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DType.INT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DType.INT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DType.INT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> DType.UINT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> DType.UINT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> DType.UINT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DType.UINT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DType.BOOL;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> DType.STRING;
      default -> DType.UNDEFINED;
    };
  }

  private static String firstLine(String m) {
    return m == null ? "unknown error" : m.lines().findFirst().orElse(m).trim();
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed to close a session: " + firstLine(e.getMessage()), e);
    } finally {
      options.close();
    }
  }
}

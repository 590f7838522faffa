package dev.hwc.backends.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.hwc.backends.Emitter;
import dev.hwc.backends.HwcVersion;
import dev.hwc.compiler.ir.Attribute;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.common.BadInputException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * IR to an ONNX model file. It only serializes: nodes in IR order, initializers as raw_data,
 * attributes typed, graph inputs and outputs with their types (symbols become dim_param), metadata
 * props. Value types of intermediates are not written (ONNX Runtime infers them; stale ones would
 * conflict). The output is deterministic: the same graph gives the same bytes.
 *
 * <p>A model whose single file would pass protobuf's 2 GiB limit keeps every initializer above
 * {@link #EXTERNAL_MIN_BYTES} in a data file beside it, {@code <name>.onnx.data}.
 */
public final class OnnxEmitter implements Emitter {
  /** Protobuf's limit on one serialized message. */
  public static final long SINGLE_FILE_LIMIT = Integer.MAX_VALUE;

  /** Initializers this size or smaller stay in the model file even when data goes external. */
  public static final int EXTERNAL_MIN_BYTES = 1024;

  /** External tensors from this size start at a page boundary (mmap friendly); smaller at 16 bytes. */
  private static final long PAGE_ALIGN_FROM = 1 << 20;

  private static final String PRODUCER = "hwc";

  private final long singleFileLimit;

  public OnnxEmitter() {
    this(SINGLE_FILE_LIMIT);
  }

  /** An emitter that goes external above {@code singleFileLimit} bytes (tests use a small one). */
  public OnnxEmitter(long singleFileLimit) {
    this.singleFileLimit = Math.min(singleFileLimit, SINGLE_FILE_LIMIT);
  }

  @Override
  public String format() {
    return "onnx";
  }

  @Override
  public String extension() {
    return "onnx";
  }

  /** The ONNX IR version that goes with a default-domain opset (ONNX's versioning table). */
  public static long irVersion(int opset) {
    if (opset <= 18) {
      return 8; // ONNX 1.10 to 1.13
    } else if (opset <= 20) {
      return 9; // ONNX 1.14, 1.15
    } else if (opset <= 22) {
      return 10; // ONNX 1.16, 1.17
    }
    return 11;
  }

  @Override
  public void emit(Graph graph, Path file) throws IOException {
    Path name = file.getFileName();
    if (name == null) {
      throw new BadInputException("cannot write an ONNX model to " + file);
    }
    String dataName = name + ".data";
    Map<String, long[]> plan = externalPlan(graph);
    ModelProto external = build(graph, plan, dataName);
    if (inlineSize(external, plan) <= singleFileLimit) {
      write(plan.isEmpty() ? external : build(graph, Map.of(), null), file); // no external tensor: the same model
      return;
    }
    writeData(graph, plan, file.resolveSibling(dataName));
    write(external, file);
  }

  /** An upper bound on the single-file size: the external layout plus the bytes it moved out. */
  private static long inlineSize(ModelProto external, Map<String, long[]> plan) {
    long size = external.getSerializedSize();
    for (long[] at : plan.values()) {
      size += at[1] + 16;
    }
    return size;
  }

  /** The model as one in-memory file; refused when it would pass the 2 GiB limit. */
  public byte[] toBytes(Graph graph) {
    ModelProto proto = toProto(graph);
    byte[] out = new byte[proto.getSerializedSize()];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    cos.useDeterministicSerialization();
    try {
      proto.writeTo(cos);
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("serializing to an array failed", e);
    }
    return out;
  }

  /** The model as one ModelProto with every initializer inline; refused past the single-file limit. */
  public ModelProto toProto(Graph graph) {
    Map<String, long[]> plan = externalPlan(graph);
    ModelProto external = build(graph, plan, "data");
    long size = inlineSize(external, plan);
    if (size > singleFileLimit) {
      throw new BadInputException(
          "ONNX model of graph '" + graph.name() + "' would be about " + size + " bytes, over the "
              + singleFileLimit + "-byte single-file limit; emit it to a file, which moves"
              + " weights to external data");
    }
    return plan.isEmpty() ? external : build(graph, Map.of(), null);
  }

  /**
   * Where each large initializer goes in the data file: name to {offset, length}, in the order
   * {@link #initializerOrder} gives.
   */
  private static Map<String, long[]> externalPlan(Graph g) {
    Map<String, long[]> plan = new LinkedHashMap<>();
    long offset = 0;
    for (String name : initializerOrder(g)) {
      long len = g.initializer(name).byteSize();
      if (len <= EXTERNAL_MIN_BYTES) {
        continue;
      }
      long align = len >= PAGE_ALIGN_FROM ? 4096 : 16;
      offset = (offset + align - 1) / align * align;
      plan.put(name, new long[] {offset, len});
      offset += len;
    }
    return plan;
  }

  /**
   * Initializers in the order nodes first read them (so weights sit near their use), then any
   * others by name: deterministic whatever map the graph was built from.
   */
  static List<String> initializerOrder(Graph g) {
    LinkedHashMap<String, Boolean> order = new LinkedHashMap<>();
    for (Node n : g.nodes()) {
      for (String in : n.inputs()) {
        if (g.isInitializer(in)) {
          order.putIfAbsent(in, true);
        }
      }
    }
    TreeSet<String> rest = new TreeSet<>(g.initializers().keySet());
    rest.removeAll(order.keySet());
    List<String> out = new ArrayList<>(order.keySet());
    out.addAll(rest);
    return out;
  }

  private static ModelProto build(Graph g, Map<String, long[]> external, String dataName) {
    GraphProto.Builder gb = GraphProto.newBuilder().setName(g.name().isEmpty() ? "main" : g.name());
    TreeSet<String> domains = new TreeSet<>();
    for (Node n : g.nodes()) {
      gb.addNode(node(n));
      if (!n.domain().isEmpty()) {
        domains.add(n.domain());
      }
    }
    for (String name : initializerOrder(g)) {
      Tensor t = g.initializer(name);
      long[] at = external.get(name);
      gb.addInitializer(at == null ? tensor(name, t) : externalTensor(name, t, dataName, at));
    }
    for (Value v : g.inputs()) {
      gb.addInput(valueInfo(v, true));
    }
    for (Value v : g.outputs()) {
      Value known = g.type(v.name());
      gb.addOutput(valueInfo(known == null ? v : known.withName(v.name()), false));
    }

    ModelProto.Builder mb = ModelProto.newBuilder()
        .setIrVersion(irVersion(g.opset()))
        .setProducerName(PRODUCER)
        .setProducerVersion(HwcVersion.VALUE)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(g.opset()));
    for (String d : domains) {
      mb.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(d).setVersion(1));
    }
    for (Map.Entry<String, String> e : new TreeMap<>(g.metadata()).entrySet()) {
      mb.addMetadataProps(
          StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
    }
    return mb.setGraph(gb).build();
  }

  private static NodeProto node(Node n) {
    NodeProto.Builder b = NodeProto.newBuilder()
        .setName(n.name())
        .setOpType(n.op())
        .addAllInput(n.inputs())
        .addAllOutput(n.outputs());
    if (!n.domain().isEmpty()) {
      b.setDomain(n.domain());
    }
    for (Map.Entry<String, Attribute> e : n.attrs().asMap().entrySet()) {
      b.addAttribute(attribute(e.getKey(), e.getValue()));
    }
    return b.build();
  }

  private static AttributeProto attribute(String name, Attribute a) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(name);
    if (a instanceof Attribute.Int i) {
      b.setType(AttributeType.INT).setI(i.value());
    } else if (a instanceof Attribute.Float f) {
      b.setType(AttributeType.FLOAT).setF(f.value());
    } else if (a instanceof Attribute.Str s) {
      b.setType(AttributeType.STRING).setS(ByteString.copyFromUtf8(s.value()));
    } else if (a instanceof Attribute.Ints is) {
      b.setType(AttributeType.INTS);
      for (long v : is.values()) {
        b.addInts(v);
      }
    } else if (a instanceof Attribute.Floats fs) {
      b.setType(AttributeType.FLOATS);
      for (float v : fs.values()) {
        b.addFloats(v);
      }
    } else if (a instanceof Attribute.Strs ss) {
      b.setType(AttributeType.STRINGS);
      for (String v : ss.values()) {
        b.addStrings(ByteString.copyFromUtf8(v));
      }
    } else if (a instanceof Attribute.TensorValue t) {
      b.setType(AttributeType.TENSOR).setT(tensor("", t.value()));
    } else if (a instanceof Attribute.GraphValue g) {
      b.setType(AttributeType.GRAPH).setG(subgraph(g.value()));
    }
    return b.build();
  }

  /**
   * A subgraph as a GraphProto: nodes in order, initializers inline, inputs and outputs with their known
   * types (a Loop body's untyped inputs stay untyped; ONNX Runtime infers them). Reads of outer-scope values
   * are plain names, as in ONNX.
   */
  private static GraphProto subgraph(Graph g) {
    GraphProto.Builder gb = GraphProto.newBuilder().setName(g.name().isEmpty() ? "body" : g.name());
    for (Node n : g.nodes()) {
      gb.addNode(node(n));
    }
    for (String name : initializerOrder(g)) {
      gb.addInitializer(tensor(name, g.initializer(name)));
    }
    for (Value v : g.inputs()) {
      gb.addInput(valueInfo(v, false));
    }
    for (Value v : g.outputs()) {
      Value known = g.type(v.name());
      gb.addOutput(valueInfo(known == null ? v : known.withName(v.name()), false));
    }
    return gb.build();
  }

  private static TensorProto.Builder header(String name, Tensor t) {
    TensorProto.Builder b = TensorProto.newBuilder().setDataType(t.dtype().onnxCode);
    if (!name.isEmpty()) {
      b.setName(name);
    }
    for (long d : t.shape()) {
      b.addDims(d);
    }
    return b;
  }

  /** Inline raw_data; the tensor's immutable bytes are wrapped, not copied. */
  private static TensorProto tensor(String name, Tensor t) {
    return header(name, t).setRawData(UnsafeByteOperations.unsafeWrap(t.buffer())).build();
  }

  private static TensorProto externalTensor(String name, Tensor t, String dataName, long[] at) {
    return header(name, t)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(entry("location", dataName))
        .addExternalData(entry("offset", Long.toString(at[0])))
        .addExternalData(entry("length", Long.toString(at[1])))
        .build();
  }

  private static StringStringEntryProto entry(String k, String v) {
    return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }

  static ValueInfoProto valueInfo(Value v, boolean input) {
    if (input && v.dtype() == DType.UNDEFINED) {
      throw new BadInputException("graph input '" + v.name() + "' has no known element type");
    }
    ValueInfoProto.Builder b = ValueInfoProto.newBuilder().setName(v.name());
    if (v.dtype() == DType.UNDEFINED && !v.shape().hasRank()) {
      return b.build(); // nothing known: ONNX Runtime infers the output's type
    }
    TypeProto.Tensor.Builder tt = TypeProto.Tensor.newBuilder();
    if (v.dtype() != DType.UNDEFINED) {
      tt.setElemType(v.dtype().onnxCode);
    }
    if (v.shape().hasRank()) {
      TensorShapeProto.Builder sb = TensorShapeProto.newBuilder();
      for (Dim d : v.shape().dims()) {
        TensorShapeProto.Dimension.Builder db = TensorShapeProto.Dimension.newBuilder();
        if (d.isStatic()) {
          db.setDimValue(d.size());
        } else if (d.isSymbolic()) {
          db.setDimParam(d.symbol());
        }
        sb.addDim(db);
      }
      tt.setShape(sb);
    }
    return b.setType(TypeProto.newBuilder().setTensorType(tt)).build();
  }

  private static void write(ModelProto proto, Path file) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      CodedOutputStream cos = CodedOutputStream.newInstance(out, 1 << 16);
      cos.useDeterministicSerialization();
      proto.writeTo(cos);
      cos.flush();
    }
  }

  private static void writeData(Graph g, Map<String, long[]> plan, Path dataFile)
      throws IOException {
    try (FileChannel ch = FileChannel.open(dataFile, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      long end = 0;
      for (Map.Entry<String, long[]> e : plan.entrySet()) {
        long offset = e.getValue()[0];
        if (offset > end) {
          writeFully(ch, ByteBuffer.allocate((int) (offset - end)), end); // zero padding
        }
        writeFully(ch, g.initializer(e.getKey()).buffer(), offset);
        end = offset + e.getValue()[1];
      }
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    long pos = at;
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
  }
}

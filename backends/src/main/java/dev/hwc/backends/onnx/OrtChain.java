package dev.hwc.backends.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.hwc.backends.Parts;
import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * A very large ONNX model run on ONNX Runtime as a chain of sub-models, for checking it: ONNX Runtime's
 * session creation grows faster than the node count (about n^1.4 on a long chain, bench/RESULTS.md), so a
 * model of a million nodes is cut where exactly one tensor is live between the nodes before and after
 * the cut, each part a valid ONNX model of its own (its nodes and the initializers they read, copied
 * from the model file as they are; the boundary tensors declared with the types hwc inferred), run in
 * order with each boundary tensor fed forward ({@link Parts}). The same computation, op by op, as the
 * whole model; only ONNX Runtime's own graph optimizations cannot fuse across a cut.
 *
 * <p>Parts are run one at a time, in order, every sample through each, and closed before the next is run;
 * the next few parts' sessions are created ahead on a small pool of threads shared by every chain
 * ({@link #CREATORS}), so memory holds a few parts' sessions, not the model's. A model is left whole (not cut) when it has nodes with subgraphs
 * (their outer-scope reads cross cuts unseen), initializers in external data, or no single-tensor
 * boundary where one is wanted.
 */
public final class OrtChain {
  /** Models with more nodes than this are checked in parts. */
  public static final int THRESHOLD_NODES = 100_000;
  /** Nodes per part: a part is cut at the last single-tensor boundary before it reaches this many. */
  public static final int PART_NODES = 5_000;

  /** The model file's bytes: parts are written from slices of them, never from a parsed model. */
  private final byte[] bytes;
  /** The model's fields other than its graph, as byte ranges [start, end) of {@link #bytes}. */
  private final int[] rest;
  private final String graphName;
  /** Node i's serialized NodeProto: bytes[nodeStart[i], nodeStart[i] + nodeLength[i]). */
  private final int[] nodeStart;
  private final int[] nodeLength;
  /** Initializers by name: their serialized TensorProto's [start, length]. */
  private final Map<String, int[]> initializerRange;
  /** Graph inputs and outputs by name: their serialized ValueInfoProto's [start, length]. */
  private final Map<String, int[]> declaredRange;
  /** Per part, the initializers its nodes read, in the model's initializer order. */
  private final List<List<String>> partInitializers;
  private final List<String> graphOutputs;
  private final Function<String, Value> types;
  private final List<Part> parts;

  /** Nodes [first, end) of the model, reading {@code inputs} and writing {@code outputs} (as names). */
  record Part(int first, int end, List<String> inputs, List<String> outputs) {}

  private OrtChain(Scan m, Function<String, Value> types, List<Part> parts, List<List<String>> partInitializers) {
    this.bytes = m.bytes;
    this.rest = m.rest;
    this.graphName = m.graphName;
    this.nodeStart = m.nodeStart;
    this.nodeLength = m.nodeLength;
    this.initializerRange = m.initializerRange;
    this.declaredRange = m.declaredRange;
    this.graphOutputs = List.copyOf(m.outputs);
    this.types = types;
    this.parts = List.copyOf(parts);
    this.partInitializers = List.copyOf(partInitializers);
  }

  /**
   * The model file cut into parts of about {@code partNodes} nodes, or null when it is not cut (one part,
   * or see the class comment); {@code types} gives the type of a value by name (hwc's graph of the same
   * file: null when unknown).
   */
  public static OrtChain cut(Path modelFile, Function<String, Value> types, int partNodes) throws IOException {
    if (Files.size(modelFile) > Integer.MAX_VALUE - 64) {
      return null; // beyond protobuf's 2 GB: ONNX Runtime says so when it loads the file whole
    }
    return cut(Files.readAllBytes(modelFile), types, partNodes);
  }

  /**
   * As {@link #cut(Path, Function, int)}, for a serialized model. The model is not parsed as a whole: one scan
   * reads each node's inputs, outputs and attribute kinds and where its bytes lie; a part is then written
   * from the model's own bytes (nodes and initializers copied as they are), so a million-node model costs
   * one byte array and a few int arrays, not a million parsed messages.
   */
  public static OrtChain cut(byte[] model, Function<String, Value> types, int partNodes) {
    Scan m;
    try {
      m = Scan.of(model);
    } catch (IOException e) {
      return null; // ONNX Runtime names what is wrong when it loads the file whole
    }
    if (m == null) {
      return null;
    }
    int n = m.nodeCount;
    if (n <= partNodes) {
      return null;
    }
    Set<String> initializers = m.initializerRange.keySet();
    // each value's producer (-1: a graph input) and last reader (n: a graph output); initializers are no
    // boundary tensors: every part that reads one gets its own copy
    Map<String, Integer> producer = new HashMap<>();
    Map<String, Integer> lastUse = new HashMap<>();
    for (String v : m.inputs) {
      if (!initializers.contains(v)) {
        producer.put(v, -1);
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = m.inStart[i]; j < m.outStart[i]; j++) {
        String in = m.names[j];
        if (in.isEmpty() || initializers.contains(in) && !producer.containsKey(in)) {
          continue;
        }
        Integer p = producer.get(in);
        if (p == null || p >= i) {
          return null; // not in topological order, or reads what nothing defines: ONNX Runtime says so whole
        }
        lastUse.put(in, i);
      }
      for (int j = m.outStart[i]; j < m.outEnd[i]; j++) {
        if (!m.names[j].isEmpty()) {
          producer.put(m.names[j], i);
        }
      }
    }
    Set<String> graphOutputs = new HashSet<>(m.outputs);
    // sweep the cuts: before node c, the tensors written before c (or graph inputs) that a node at c or
    // later reads; a graph output no later node reads is no boundary tensor (its part returns it)
    LinkedHashSet<String> live = new LinkedHashSet<>();
    for (String v : m.inputs) {
      if (lastUse.containsKey(v)) {
        live.add(v);
      }
    }
    List<Integer> cuts = new ArrayList<>();
    int start = 0;
    int lastGood = -1;
    for (int c = 1; c < n; c++) {
      for (int j = m.inStart[c - 1]; j < m.outStart[c - 1]; j++) {
        if (lastUse.getOrDefault(m.names[j], -1) == c - 1) {
          live.remove(m.names[j]);
        }
      }
      for (int j = m.outStart[c - 1]; j < m.outEnd[c - 1]; j++) {
        if (lastUse.getOrDefault(m.names[j], -1) >= c) {
          live.add(m.names[j]);
        }
      }
      if (live.size() == 1) {
        String t = live.iterator().next();
        if (producer.get(t) >= start && known(types, t)) { // written in this part: the part has an output
          lastGood = c;
        }
      }
      if (c - start >= partNodes && lastGood > start) {
        cuts.add(lastGood);
        start = lastGood;
      }
    }
    if (cuts.isEmpty()) {
      return null;
    }
    cuts.add(n);
    List<Part> parts = new ArrayList<>();
    List<List<String>> partInitializers = new ArrayList<>();
    int first = 0;
    for (int end : cuts) {
      LinkedHashSet<String> ins = new LinkedHashSet<>();
      LinkedHashSet<String> outs = new LinkedHashSet<>();
      Set<String> read = new HashSet<>();
      for (int i = first; i < end; i++) {
        for (int j = m.inStart[i]; j < m.outStart[i]; j++) {
          String in = m.names[j];
          Integer p = producer.get(in);
          if (!in.isEmpty() && p != null && p < first) {
            ins.add(in);
          }
          if (initializers.contains(in)) {
            read.add(in);
          }
        }
        for (int j = m.outStart[i]; j < m.outEnd[i]; j++) {
          String out = m.names[j];
          if (!out.isEmpty() && (lastUse.getOrDefault(out, -1) >= end || graphOutputs.contains(out))) {
            outs.add(out);
          }
        }
      }
      List<String> inits = new ArrayList<>();
      for (String name : m.initializerRange.keySet()) {
        if (read.contains(name)) {
          inits.add(name);
        }
      }
      parts.add(new Part(first, end, List.copyOf(ins), List.copyOf(outs)));
      partInitializers.add(List.copyOf(inits));
      first = end;
    }
    return new OrtChain(m, types, parts, partInitializers);
  }

  /**
   * One pass over a serialized model: where its graph's nodes, initializers, inputs and outputs lie, each
   * node's input and output names (one array; node i's inputs are names[inStart[i], outStart[i]), its
   * outputs names[outStart[i], outEnd[i])), or null when the model is one that is not cut (a node with a
   * subgraph attribute, an initializer in external data, sparse initializers, a graph given twice).
   */
  private static final class Scan {
    byte[] bytes;
    int[] rest;
    String graphName = "";
    int nodeCount;
    int[] nodeStart = new int[1024];
    int[] nodeLength = new int[1024];
    int[] inStart = new int[1025];
    int[] outStart = new int[1024];
    int[] outEnd = new int[1024];
    String[] names = new String[4096];
    int nameCount;
    final Map<String, int[]> initializerRange = new LinkedHashMap<>();
    final Map<String, int[]> declaredRange = new HashMap<>();
    final List<String> inputs = new ArrayList<>();
    final List<String> outputs = new ArrayList<>();

    static Scan of(byte[] bytes) throws IOException {
      Scan s = new Scan();
      s.bytes = bytes;
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      in.setSizeLimit(Integer.MAX_VALUE);
      int graphStart = -1;
      int graphEnd = -1;
      int graphTag = -1;
      while (true) {
        int tagAt = in.getTotalBytesRead();
        int tag = in.readTag();
        if (tag == 0) {
          break;
        }
        if (tag == GRAPH_TAG) {
          if (graphStart >= 0) {
            return null; // a graph given twice is merged by protobuf: not cut
          }
          int len = in.readRawVarint32();
          graphTag = tagAt;
          graphStart = in.getTotalBytesRead();
          graphEnd = graphStart + len;
          if (!s.graph(graphStart, len)) {
            return null;
          }
          in.skipRawBytes(len);
        } else {
          in.skipField(tag);
        }
      }
      if (graphStart < 0) {
        return null;
      }
      s.rest = new int[] {0, graphTag, graphEnd, bytes.length};
      return s;
    }

    private boolean graph(int start, int len) throws IOException {
      CodedInputStream in = CodedInputStream.newInstance(bytes, start, len);
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          return true;
        }
        int field = WireFormat.getTagFieldNumber(tag);
        if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          in.skipField(tag);
          continue;
        }
        int l = in.readRawVarint32();
        int at = start + in.getTotalBytesRead();
        switch (field) {
          case 1 -> { // node
            if (!node(at, l)) {
              return false;
            }
          }
          case 2 -> graphName = new String(bytes, at, l, java.nio.charset.StandardCharsets.UTF_8);
          case 5 -> { // initializer
            String name = tensorName(at, l);
            if (name == null) {
              return false;
            }
            initializerRange.put(name, new int[] {at, l});
          }
          case 11, 12 -> { // input, output
            String name = valueInfoName(at, l);
            (field == 11 ? inputs : outputs).add(name);
            declaredRange.put(name, new int[] {at, l});
          }
          case 15 -> {
            return false; // sparse initializers: not cut
          }
          default -> { } // doc string, value_info, quantization annotations: not needed by a part
        }
        in.skipRawBytes(l);
      }
    }

    private boolean node(int start, int len) throws IOException {
      int i = nodeCount++;
      if (i + 1 >= nodeStart.length) {
        int cap = nodeStart.length * 2;
        nodeStart = Arrays.copyOf(nodeStart, cap);
        nodeLength = Arrays.copyOf(nodeLength, cap);
        inStart = Arrays.copyOf(inStart, cap + 1);
        outStart = Arrays.copyOf(outStart, cap);
        outEnd = Arrays.copyOf(outEnd, cap);
      }
      nodeStart[i] = start;
      nodeLength[i] = len;
      // inputs (field 1) and outputs (field 2) may interleave on the wire: read both, inputs first
      List<String> outs = new ArrayList<>(2);
      inStart[i] = nameCount;
      CodedInputStream in = CodedInputStream.newInstance(bytes, start, len);
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          break;
        }
        int field = WireFormat.getTagFieldNumber(tag);
        if (field == 1 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          addName(in.readStringRequireUtf8());
        } else if (field == 2 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          outs.add(in.readStringRequireUtf8());
        } else if (field == 5 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          int l = in.readRawVarint32();
          int at = start + in.getTotalBytesRead();
          if (hasSubgraph(at, l)) {
            return false;
          }
          in.skipRawBytes(l);
        } else {
          in.skipField(tag);
        }
      }
      outStart[i] = nameCount;
      outs.forEach(this::addName);
      outEnd[i] = nameCount;
      inStart[i + 1] = nameCount;
      return true;
    }

    private void addName(String name) {
      if (nameCount == names.length) {
        names = Arrays.copyOf(names, names.length * 2);
      }
      names[nameCount++] = name;
    }

    /** Whether an AttributeProto holds a graph (field 6) or graphs (field 11). */
    private boolean hasSubgraph(int start, int len) throws IOException {
      CodedInputStream in = CodedInputStream.newInstance(bytes, start, len);
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          return false;
        }
        int field = WireFormat.getTagFieldNumber(tag);
        if (field == 6 || field == 11) {
          return true;
        }
        in.skipField(tag);
      }
    }

    /** A TensorProto's name (field 8), or null when its data is external (data_location, field 14, = 1). */
    private String tensorName(int start, int len) throws IOException {
      CodedInputStream in = CodedInputStream.newInstance(bytes, start, len);
      String name = "";
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          return name;
        }
        int field = WireFormat.getTagFieldNumber(tag);
        if (field == 8 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          name = in.readStringRequireUtf8();
        } else if (field == 14 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
          if (in.readEnum() == TensorProto.DataLocation.EXTERNAL_VALUE) {
            return null;
          }
        } else {
          in.skipField(tag);
        }
      }
    }

    /** A ValueInfoProto's name (field 1). */
    private String valueInfoName(int start, int len) throws IOException {
      CodedInputStream in = CodedInputStream.newInstance(bytes, start, len);
      String name = "";
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          return name;
        }
        if (tag == NAME_TAG) {
          name = in.readStringRequireUtf8();
        } else {
          in.skipField(tag);
        }
      }
    }
  }

  private static final int GRAPH_TAG = (ModelProto.GRAPH_FIELD_NUMBER << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;
  private static final int NAME_TAG = (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;

  private static boolean known(Function<String, Value> types, String name) {
    Value v = types.apply(name);
    return v != null && v.dtype() != DType.UNDEFINED;
  }

  /** The parts, in run order. */
  List<Part> partList() {
    return parts;
  }

  /** How many sub-models the model runs as. */
  public int parts() {
    return parts.size();
  }

  /**
   * Part k as a serialized model of its own: the model's fields other than its graph, as they are, and a graph of
   * the part's nodes and the initializers they read (their bytes copied from the model's), the boundary tensors
   * as its inputs and outputs (a graph input or output as the model declares it, else with hwc's type).
   */
  byte[] partModel(int k) {
    Part p = parts.get(k);
    try {
      java.io.ByteArrayOutputStream graph = new java.io.ByteArrayOutputStream();
      CodedOutputStream g = CodedOutputStream.newInstance(graph, 1 << 16);
      g.writeString(GraphProto.NAME_FIELD_NUMBER, graphName + "_part" + k);
      for (int i = p.first(); i < p.end(); i++) {
        g.writeTag(GraphProto.NODE_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        g.writeUInt32NoTag(nodeLength[i]);
        g.writeRawBytes(bytes, nodeStart[i], nodeLength[i]);
      }
      for (String name : partInitializers.get(k)) {
        slice(g, GraphProto.INITIALIZER_FIELD_NUMBER, initializerRange.get(name));
      }
      for (String in : p.inputs()) {
        declare(g, GraphProto.INPUT_FIELD_NUMBER, in, true);
      }
      for (String out : p.outputs()) {
        declare(g, GraphProto.OUTPUT_FIELD_NUMBER, out, false);
      }
      g.flush();
      java.io.ByteArrayOutputStream model = new java.io.ByteArrayOutputStream(graph.size() + rest[1] + rest[3] - rest[2] + 16);
      CodedOutputStream o = CodedOutputStream.newInstance(model, 1 << 16);
      o.writeRawBytes(bytes, rest[0], rest[1] - rest[0]);
      o.writeRawBytes(bytes, rest[2], rest[3] - rest[2]);
      o.writeTag(ModelProto.GRAPH_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      o.writeUInt32NoTag(graph.size());
      o.flush();
      graph.writeTo(model);
      return model.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // in memory: does not happen
    }
  }

  private void slice(CodedOutputStream g, int field, int[] range) throws IOException {
    g.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    g.writeUInt32NoTag(range[1]);
    g.writeRawBytes(bytes, range[0], range[1]);
  }

  private void declare(CodedOutputStream g, int field, String name, boolean input) throws IOException {
    int[] d = declaredRange.get(name);
    if (d != null) {
      slice(g, field, d);
    } else {
      g.writeMessage(field, OnnxEmitter.valueInfo(types.apply(name).withName(name), input));
    }
  }

  /**
   * Session creation threads shared by every chain in the process: at most this many parts' sessions are
   * being created at once, whichever chains they belong to (the input model's reference check and an
   * artifact's check may run side by side), so the CPU they use is bounded by the machine's cores.
   */
  public static final int CREATORS = Math.max(1, Math.min(2, java.lang.Runtime.getRuntime().availableProcessors()));

  private static final ExecutorService CREATOR_POOL = Executors.newFixedThreadPool(CREATORS, r -> {
    Thread t = new Thread(r, "hwc-ort-part-creator");
    t.setDaemon(true);
    return t;
  });

  /**
   * Runs every feed through the chain: part by part in order, each part's session run on every sample and
   * closed before the next is run; the next {@link #CREATORS} parts' sessions are created ahead on the
   * shared creator threads meanwhile (ONNX Runtime's session creation is nearly all of a chain's cost and
   * a part's creation needs nothing from the part before it). Memory holds at most {@code CREATORS + 1}
   * parts' sessions per chain. Returns each feed's graph outputs, in the model's output order.
   */
  public List<Map<String, Tensor>> runAll(List<Map<String, Tensor>> feeds, SessionOptions options) throws Exception {
    return runAll(feeds, options, CREATORS);
  }

  /**
   * As {@link #runAll(List, SessionOptions)}, with at most {@code ahead} parts' sessions created ahead of the
   * one running (0: each part created when the one before it is closed). The outputs do not depend on it:
   * every part is the same session, fed the same tensors, in the same order.
   */
  public List<Map<String, Tensor>> runAll(List<Map<String, Tensor>> feeds, SessionOptions options, int ahead) throws Exception {
    List<Map<String, Tensor>> live = new ArrayList<>();
    for (Map<String, Tensor> f : feeds) {
      live.add(new HashMap<>(f));
    }
    Set<String> graphOutputs = new LinkedHashSet<>(this.graphOutputs);
    ArrayDeque<Future<OrtSession>> pending = new ArrayDeque<>();
    int next = 0;
    try {
      for (int k = 0; k < parts.size(); k++) {
        if (Thread.currentThread().isInterrupted()) { // the run was cancelled (a build that failed before its check)
          throw new InterruptedException("run in parts cancelled before part " + (k + 1) + " of " + parts.size());
        }
        while (next < parts.size() && pending.size() <= ahead) {
          int j = next++;
          pending.add(CREATOR_POOL.submit(() -> OrtSession.open(partModel(j),
              "part " + (j + 1) + " of " + parts.size(), options)));
        }
        try (OrtSession s = await(pending.poll())) {
          for (Map<String, Tensor> l : live) {
            l.putAll(s.run(Parts.feed(k, parts.get(k).inputs(), l)));
          }
        }
        Set<String> needed = new HashSet<>(graphOutputs);
        for (int j = k + 1; j < parts.size(); j++) {
          needed.addAll(parts.get(j).inputs());
        }
        live.forEach(l -> l.keySet().retainAll(needed));
      }
    } finally {
      for (Future<OrtSession> f : pending) { // a part failed: the sessions created ahead are closed unread
        try {
          f.get().close();
        } catch (Exception | Error ignored) {
          // its own failure, or the one already being thrown
        }
      }
    }
    List<Map<String, Tensor>> out = new ArrayList<>();
    for (Map<String, Tensor> l : live) {
      Map<String, Tensor> o = new LinkedHashMap<>();
      graphOutputs.forEach(name -> o.put(name, l.get(name)));
      out.add(o);
    }
    return out;
  }

  /** A part's session, or what its creation threw (a {@code BadInputException} naming the part, as a whole model's load would). */
  private static OrtSession await(Future<OrtSession> f) throws Exception {
    return dev.hwc.common.Futures.await(f);
  }

}

package dev.hwc.backends.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.hwc.backends.Parts;
import dev.hwc.backends.SessionOptions;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
  public static final int PART_NODES = 25_000;

  private final ModelProto model;
  private final Function<String, Value> types;
  private final List<Part> parts;

  /** Nodes [first, end) of the model, reading {@code inputs} and writing {@code outputs} (as names). */
  record Part(int first, int end, List<String> inputs, List<String> outputs) {}

  private OrtChain(ModelProto model, Function<String, Value> types, List<Part> parts) {
    this.model = model;
    this.types = types;
    this.parts = List.copyOf(parts);
  }

  /**
   * The model file cut into parts of about {@code partNodes} nodes, or null when it is not cut (one part,
   * or see the class comment); {@code types} gives the type of a value by name (hwc's graph of the same
   * file: null when unknown).
   */
  public static OrtChain cut(Path modelFile, Function<String, Value> types, int partNodes) throws IOException {
    ModelProto m;
    try (InputStream in = Files.newInputStream(modelFile)) {
      m = ModelProto.parseFrom(com.google.protobuf.CodedInputStream.newInstance(in, 1 << 16));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return null; // ONNX Runtime names what is wrong when it loads the file whole
    }
    return cut(m, types, partNodes);
  }

  static OrtChain cut(ModelProto m, Function<String, Value> types, int partNodes) {
    GraphProto g = m.getGraph();
    int n = g.getNodeCount();
    if (n <= partNodes) {
      return null;
    }
    for (TensorProto t : g.getInitializerList()) {
      if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
        return null;
      }
    }
    Set<String> initializers = new HashSet<>();
    g.getInitializerList().forEach(t -> initializers.add(t.getName()));
    // each value's producer (-1: a graph input) and last reader (n: a graph output); initializers are no
    // boundary tensors: every part that reads one gets its own copy
    Map<String, Integer> producer = new HashMap<>();
    Map<String, Integer> lastUse = new HashMap<>();
    g.getInputList().forEach(v -> {
      if (!initializers.contains(v.getName())) {
        producer.put(v.getName(), -1);
      }
    });
    for (int i = 0; i < n; i++) {
      NodeProto node = g.getNode(i);
      for (AttributeProto a : node.getAttributeList()) {
        if (a.hasG() || a.getGraphsCount() > 0) {
          return null;
        }
      }
      for (String in : node.getInputList()) {
        if (in.isEmpty() || initializers.contains(in) && !producer.containsKey(in)) {
          continue;
        }
        Integer p = producer.get(in);
        if (p == null || p >= i) {
          return null; // not in topological order, or reads what nothing defines: ONNX Runtime says so whole
        }
        lastUse.put(in, i);
      }
      for (String out : node.getOutputList()) {
        if (!out.isEmpty()) {
          producer.put(out, i);
        }
      }
    }
    Set<String> graphOutputs = new HashSet<>();
    g.getOutputList().forEach(v -> graphOutputs.add(v.getName()));
    // sweep the cuts: before node c, the tensors written before c (or graph inputs) that a node at c or
    // later reads; a graph output no later node reads is no boundary tensor (its part returns it)
    LinkedHashSet<String> live = new LinkedHashSet<>();
    g.getInputList().forEach(v -> {
      if (lastUse.containsKey(v.getName())) {
        live.add(v.getName());
      }
    });
    List<Integer> cuts = new ArrayList<>();
    int start = 0;
    int lastGood = -1;
    for (int c = 1; c < n; c++) {
      NodeProto before = g.getNode(c - 1);
      for (String in : before.getInputList()) {
        if (lastUse.getOrDefault(in, -1) == c - 1) {
          live.remove(in);
        }
      }
      for (String out : before.getOutputList()) {
        if (lastUse.getOrDefault(out, -1) >= c) {
          live.add(out);
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
    int first = 0;
    for (int end : cuts) {
      LinkedHashSet<String> ins = new LinkedHashSet<>();
      LinkedHashSet<String> outs = new LinkedHashSet<>();
      for (int i = first; i < end; i++) {
        for (String in : g.getNode(i).getInputList()) {
          Integer p = producer.get(in);
          if (!in.isEmpty() && p != null && p < first) {
            ins.add(in);
          }
        }
        for (String out : g.getNode(i).getOutputList()) {
          if (!out.isEmpty() && (lastUse.getOrDefault(out, -1) >= end || graphOutputs.contains(out))) {
            outs.add(out);
          }
        }
      }
      parts.add(new Part(first, end, List.copyOf(ins), List.copyOf(outs)));
      first = end;
    }
    return new OrtChain(m, types, parts);
  }

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

  /** Part k as a model of its own: its nodes, the initializers they read, the boundary tensors as IO. */
  ModelProto partModel(int k) {
    Part p = parts.get(k);
    GraphProto g = model.getGraph();
    Set<String> read = new HashSet<>();
    GraphProto.Builder gb = GraphProto.newBuilder().setName(g.getName() + "_part" + k);
    for (int i = p.first(); i < p.end(); i++) {
      NodeProto node = g.getNode(i);
      gb.addNode(node);
      read.addAll(node.getInputList());
    }
    for (TensorProto t : g.getInitializerList()) {
      if (read.contains(t.getName())) {
        gb.addInitializer(t);
      }
    }
    Map<String, ai.onnx.proto.OnnxMl.ValueInfoProto> declared = new HashMap<>();
    g.getInputList().forEach(v -> declared.put(v.getName(), v));
    g.getOutputList().forEach(v -> declared.put(v.getName(), v));
    for (String in : p.inputs()) {
      var d = declared.get(in);
      gb.addInput(d != null ? d : OnnxEmitter.valueInfo(types.apply(in).withName(in), true));
    }
    for (String out : p.outputs()) {
      var d = declared.get(out);
      gb.addOutput(d != null ? d : OnnxEmitter.valueInfo(types.apply(out).withName(out), false));
    }
    return model.toBuilder().setGraph(gb).build();
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
    Set<String> graphOutputs = new LinkedHashSet<>();
    model.getGraph().getOutputList().forEach(v -> graphOutputs.add(v.getName()));
    ArrayDeque<Future<OrtSession>> pending = new ArrayDeque<>();
    int next = 0;
    try {
      for (int k = 0; k < parts.size(); k++) {
        while (next < parts.size() && pending.size() <= ahead) {
          int j = next++;
          pending.add(CREATOR_POOL.submit(() -> OrtSession.open(partModel(j).toByteArray(),
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

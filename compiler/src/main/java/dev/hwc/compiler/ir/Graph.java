package dev.hwc.compiler.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The IR: an immutable graph of nodes in topological order, its constant tensors (initializers),
 * graph inputs and outputs, and the known type of every value. A pass never mutates a graph: it
 * takes an {@link Editor} copy and builds a new one.
 */
public final class Graph {
  private final String name;
  private final int opset;
  private final List<Value> inputs;
  private final List<Value> outputs;
  private final List<Node> nodes;
  private final Map<String, Tensor> initializers;
  private final Map<String, Value> valueTypes;
  private final Map<String, String> metadata;

  /** Who produces and who reads each value: a function of the node list, shared by graphs with the same one. */
  private final NodeIndex index;

  /** Built on first use. */
  private static final class NodeIndex {
    private Map<String, Node> producers;
    private Map<String, List<Node>> consumers;
  }

  private Graph(
      String name,
      int opset,
      List<Value> inputs,
      List<Value> outputs,
      List<Node> nodes,
      Map<String, Tensor> initializers,
      Map<String, Value> valueTypes,
      Map<String, String> metadata) {
    this(name, opset, inputs, outputs, nodes, initializers, Collections.unmodifiableMap(new LinkedHashMap<>(valueTypes)),
        metadata, new NodeIndex());
  }

  /** {@code valueTypes} is taken as it is: an unmodifiable map nothing else writes (an editor's, handed over). */
  private Graph(
      String name,
      int opset,
      List<Value> inputs,
      List<Value> outputs,
      List<Node> nodes,
      Map<String, Tensor> initializers,
      Map<String, Value> valueTypes,
      Map<String, String> metadata,
      NodeIndex index) {
    this.name = name;
    this.opset = opset;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.nodes = List.copyOf(nodes);
    this.initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
    this.valueTypes = valueTypes;
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    this.index = index;
  }

  /** A new graph; nodes are put in a stable topological order. */
  public static Graph of(
      String name,
      int opset,
      List<Value> inputs,
      List<Value> outputs,
      List<Node> nodes,
      Map<String, Tensor> initializers,
      Map<String, Value> valueTypes,
      Map<String, String> metadata) {
    return new Graph(
        name, opset, inputs, outputs, topologicalOrder(nodes), initializers, valueTypes, metadata);
  }

  public String name() {
    return name;
  }

  /** The default-domain ONNX opset the graph's op semantics follow. */
  public int opset() {
    return opset;
  }

  public List<Value> inputs() {
    return inputs;
  }

  public List<Value> outputs() {
    return outputs;
  }

  public List<Node> nodes() {
    return nodes;
  }

  public Map<String, Tensor> initializers() {
    return initializers;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /** Types recorded for intermediate values (graph inputs, outputs and initializers have their own). */
  public Map<String, Value> valueTypes() {
    return valueTypes;
  }

  public Tensor initializer(String value) {
    return initializers.get(value);
  }

  public boolean isInitializer(String value) {
    return initializers.containsKey(value);
  }

  public boolean isGraphInput(String value) {
    return named(inputs, value);
  }

  public boolean isGraphOutput(String value) {
    return named(outputs, value);
  }

  private static boolean named(List<Value> values, String name) {
    for (Value v : values) { // a loop, not a stream: asked once per node by many passes
      if (v.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** The known type of a value, or null when nothing is known about it. */
  public Value type(String value) {
    Tensor t = initializers.get(value);
    if (t != null) {
      return new Value(value, t.dtype(), t.irShape());
    }
    for (Value v : inputs) {
      if (v.name().equals(value)) {
        return v;
      }
    }
    Value inferred = valueTypes.get(value);
    for (Value v : outputs) {
      if (v.name().equals(value)) {
        return inferred == null ? v : new Value(value, v.dtype() == DType.UNDEFINED ? inferred.dtype() : v.dtype(), v.shape().refine(inferred.shape()));
      }
    }
    return inferred;
  }

  /** The node that produces a value, or null for inputs, initializers and unknown names. */
  public Node producer(String value) {
    if (index.producers == null) {
      Map<String, Node> m = new HashMap<>(Math.max(16, 2 * nodes.size()));
      for (Node n : nodes) {
        for (String o : n.outputs()) {
          if (!o.isEmpty()) {
            m.put(o, n);
          }
        }
      }
      index.producers = m;
    }
    return index.producers.get(value);
  }

  /** The nodes that read a value, in graph order. */
  public List<Node> consumers(String value) {
    if (index.consumers == null) {
      Map<String, List<Node>> m = new HashMap<>(Math.max(16, 2 * nodes.size()));
      for (Node n : nodes) {
        for (String in : n.allInputs()) {
          if (!in.isEmpty()) {
            List<Node> readers = m.computeIfAbsent(in, k -> new ArrayList<>(2));
            if (readers.isEmpty() || readers.get(readers.size() - 1) != n) { // once per node, however often it reads
              readers.add(n);
            }
          }
        }
      }
      index.consumers = m;
    }
    return index.consumers.getOrDefault(value, List.of());
  }

  /**
   * Names this graph's nodes and outputs read that it does not define (no input, initializer or node
   * output of its own): references to values of an enclosing graph, when it is a subgraph. Nested
   * subgraphs' references count too, less what this graph defines.
   */
  public List<String> outerReferences() {
    Set<String> defined = new java.util.HashSet<>(initializers.keySet());
    inputs.forEach(v -> defined.add(v.name()));
    nodes.forEach(n -> defined.addAll(n.outputs()));
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (Node n : nodes) {
      for (String in : n.allInputs()) {
        if (!in.isEmpty() && !defined.contains(in)) {
          out.add(in);
        }
      }
    }
    outputs.forEach(v -> {
      if (!defined.contains(v.name())) {
        out.add(v.name());
      }
    });
    return List.copyOf(out);
  }

  /** This subgraph with its outer-scope reference {@code from} renamed {@code to} (its own names untouched). */
  public Graph withOuterRenamed(String from, String to) {
    if (!outerReferences().contains(from)) {
      return this;
    }
    Editor e = edit();
    e.nodes().replaceAll(n -> n.withUseRenamed(from, to));
    e.outputs().replaceAll(v -> v.name().equals(from) ? v.withName(to) : v);
    return e.build();
  }

  /** Total bytes of the initializers. */
  public long parameterBytes() {
    return initializers.values().stream().mapToLong(Tensor::byteSize).sum();
  }

  public long parameterCount() {
    return initializers.values().stream().mapToLong(Tensor::numElements).sum();
  }

  public Editor edit() {
    return new Editor(this);
  }

  /**
   * Stable topological order (Kahn's algorithm, ties kept in the given order). Values with no
   * producer among the nodes are treated as available. Throws on a cycle.
   */
  static List<Node> topologicalOrder(List<Node> nodes) {
    Map<String, Integer> producerIndex = new HashMap<>(Math.max(16, 2 * nodes.size()));
    for (int i = 0; i < nodes.size(); i++) {
      for (String o : nodes.get(i).outputs()) {
        if (!o.isEmpty()) {
          producerIndex.put(o, i);
        }
      }
    }
    if (inOrder(nodes, producerIndex)) { // the usual case: one look-up per input, nothing else built
      return nodes;
    }
    int[] pending = new int[nodes.size()];
    List<List<Integer>> users = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      users.add(new ArrayList<>());
    }
    boolean ordered = true;
    for (int i = 0; i < nodes.size(); i++) {
      for (String in : Set.copyOf(nodes.get(i).allInputs())) {
        Integer p = in.isEmpty() ? null : producerIndex.get(in);
        if (p != null) {
          pending[i]++;
          users.get(p).add(i);
          ordered &= p < i;
        }
      }
    }
    if (ordered) {
      return nodes;
    }
    java.util.PriorityQueue<Integer> ready = new java.util.PriorityQueue<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (pending[i] == 0) {
        ready.add(i);
      }
    }
    List<Node> out = new ArrayList<>(nodes.size());
    while (!ready.isEmpty()) {
      int i = ready.poll();
      out.add(nodes.get(i));
      for (int u : users.get(i)) {
        if (--pending[u] == 0) {
          ready.add(u);
        }
      }
    }
    if (out.size() != nodes.size()) {
      Deque<String> stuck = new ArrayDeque<>();
      for (int i = 0; i < nodes.size(); i++) {
        if (pending[i] > 0) {
          stuck.add(nodes.get(i).describe());
        }
      }
      throw new IllegalArgumentException("graph has a cycle through " + stuck.peekFirst());
    }
    return out;
  }

  /** Whether every node reads only values produced by earlier nodes (or by none). */
  private static boolean inOrder(List<Node> nodes, Map<String, Integer> producerIndex) {
    for (int i = 0; i < nodes.size(); i++) {
      for (String in : nodes.get(i).allInputs()) {
        Integer p = in.isEmpty() ? null : producerIndex.get(in);
        if (p != null && p >= i) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * A mutable copy of a graph, used by passes and frontends to build the next graph. The value types
   * are copied on the first write (most passes change nodes, not types; a million-node graph's types
   * are the largest map it has).
   */
  public static final class Editor {
    private String name;
    private int opset;
    private final List<Value> inputs;
    private final List<Value> outputs;
    private final List<Node> nodes;
    private final LinkedHashMap<String, Tensor> initializers;
    /** The types as last built or read: shared, never written. */
    private Map<String, Value> sharedTypes;
    /** The types being edited: null until the first write. */
    private LinkedHashMap<String, Value> valueTypes;
    private final LinkedHashMap<String, String> metadata;
    /** The graph this editor started from: a build that keeps its very nodes keeps its order and index. */
    private final Graph from;

    private Editor(Graph g) {
      from = g;
      name = g.name;
      opset = g.opset;
      inputs = new ArrayList<>(g.inputs);
      outputs = new ArrayList<>(g.outputs);
      nodes = new ArrayList<>(g.nodes);
      initializers = new LinkedHashMap<>(g.initializers);
      sharedTypes = g.valueTypes;
      metadata = new LinkedHashMap<>(g.metadata);
    }

    public static Editor empty(String name, int opset) {
      return new Graph(name, opset, List.of(), List.of(), List.of(), Map.of(), Map.of(), Map.of())
          .edit();
    }

    public Editor name(String n) {
      name = n;
      return this;
    }

    public Editor opset(int v) {
      opset = v;
      return this;
    }

    public List<Node> nodes() {
      return nodes;
    }

    public List<Value> inputs() {
      return inputs;
    }

    public List<Value> outputs() {
      return outputs;
    }

    public Map<String, Tensor> initializers() {
      return initializers;
    }

    public Map<String, Value> valueTypes() {
      if (valueTypes == null) {
        valueTypes = new LinkedHashMap<>(sharedTypes);
      }
      return valueTypes;
    }

    /** Removes a value's type, copying the types only when there is one to remove. */
    private void removeType(String value) {
      if (valueTypes != null || sharedTypes.containsKey(value)) {
        valueTypes().remove(value);
      }
    }

    public Map<String, String> metadata() {
      return metadata;
    }

    public Editor addNode(Node n) {
      nodes.add(n);
      return this;
    }

    public Editor removeNode(Node n) {
      if (!nodes.remove(n)) {
        throw new IllegalArgumentException("no such node " + n.describe());
      }
      return this;
    }

    /** Replaces one node with zero or more nodes at the same place. */
    public Editor replaceNode(Node old, List<Node> replacement) {
      int i = nodes.indexOf(old);
      if (i < 0) {
        throw new IllegalArgumentException("no such node " + old.describe());
      }
      nodes.remove(i);
      nodes.addAll(i, replacement);
      return this;
    }

    public Editor putInitializer(String value, Tensor t) {
      initializers.put(value, t);
      removeType(value);
      return this;
    }

    public Editor removeInitializer(String value) {
      initializers.remove(value);
      return this;
    }

    public Editor setType(Value v) {
      valueTypes().put(v.name(), v);
      return this;
    }

    /** Makes every node that reads {@code from} read {@code to} instead (graph outputs keep their names: rename the producer). */
    public Editor replaceUses(String from, String to) {
      nodes.replaceAll(n -> n.withUseRenamed(from, to));
      return this;
    }

    /** Renames a value everywhere it appears: producers, readers, graph IO, types. */
    public Editor renameValue(String from, String to) {
      UnaryOperator<Node> r = n -> {
        Node m = n.withUseRenamed(from, to);
        if (m.outputs().contains(from)) {
          m = m.withOutputs(rename(m.outputs(), from, to));
        }
        return m;
      };
      nodes.replaceAll(r);
      inputs.replaceAll(v -> v.name().equals(from) ? v.withName(to) : v);
      outputs.replaceAll(v -> v.name().equals(from) ? v.withName(to) : v);
      Value t = valueTypes != null || sharedTypes.containsKey(from) ? valueTypes().remove(from) : null;
      if (t != null) {
        valueTypes.put(to, t.withName(to));
      }
      Tensor c = initializers.remove(from);
      if (c != null) {
        initializers.put(to, c);
      }
      return this;
    }

    private static List<String> rename(List<String> names, String from, String to) {
      List<String> out = new ArrayList<>(names);
      out.replaceAll(s -> s.equals(from) ? to : s);
      return out;
    }

    public Graph build() {
      if (valueTypes != null) { // handed over to the graph; a later write copies again
        sharedTypes = Collections.unmodifiableMap(valueTypes);
        valueTypes = null;
      }
      boolean sameNodes = nodes.size() == from.nodes.size();
      for (int i = 0; sameNodes && i < nodes.size(); i++) {
        sameNodes = nodes.get(i) == from.nodes.get(i);
      }
      return sameNodes
          ? new Graph(name, opset, inputs, outputs, from.nodes, initializers, sharedTypes, metadata, from.index)
          : new Graph(name, opset, inputs, outputs, topologicalOrder(nodes), initializers, sharedTypes, metadata,
              new NodeIndex());
    }
  }
}

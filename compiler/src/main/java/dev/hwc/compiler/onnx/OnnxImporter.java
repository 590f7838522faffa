package dev.hwc.compiler.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.hwc.compiler.ir.Attribute;
import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.OpRegistry;
import dev.hwc.common.BadInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** One ModelProto to one {@link Graph}: a translation, nothing decided. */
final class OnnxImporter {
  private final ModelProto model;
  private final Path folder;
  private final String source;

  /** Which definition each value name has: "a graph input", "an initializer", "node 'x' (Op)". */
  private final Map<String, Object> definedBy = new HashMap<>();
  /** The main graph's node names (a node's definition is kept as its index, described only in an error). */
  private List<String> nodeNames = List.of();

  OnnxImporter(ModelProto model, Path folder, String source) {
    this.model = model;
    this.folder = folder;
    this.source = source;
  }

  Graph translate() throws IOException {
    int opset = defaultOpset();
    GraphProto g = model.getGraph();
    if (g.getSparseInitializerCount() > 0) {
      throw new BadInputException(
          "ONNX model " + source + " has sparse initializers, which hwc does not support");
    }
    try (ExternalData external = new ExternalData(folder)) {
      TensorDecoder decoder = new TensorDecoder(external);

      LinkedHashMap<String, Tensor> initializers = new LinkedHashMap<>();
      for (TensorProto t : g.getInitializerList()) {
        String name = t.getName();
        if (name.isEmpty()) {
          throw new BadInputException("ONNX model " + source + " has an initializer without a name");
        }
        define(name, "an initializer");
        initializers.put(name, decoder.decode(t, "initializer '" + name + "'"));
      }

      List<Value> inputs = new ArrayList<>();
      List<String> shadowed = new ArrayList<>();
      for (ValueInfoProto vi : g.getInputList()) {
        String name = requireName(vi.getName(), "graph input");
        if (initializers.containsKey(name)) {
          shadowed.add(name); // old IR style: initializers were listed as inputs too (a default value)
          continue;
        }
        define(name, "a graph input");
        inputs.add(OnnxTypes.value(vi, "graph input '" + name + "'", true));
      }
      if (inputs.isEmpty() && !shadowed.isEmpty()) {
        // every input has an initializer of its name: the model would be compiled into a constant
        throw new BadInputException("ONNX model " + source + ": graph input '" + shadowed.get(0)
            + "' is shadowed by an initializer of the same name"
            + (shadowed.size() > 1 ? " (and " + (shadowed.size() - 1) + " more)" : "")
            + ", so the model would have no inputs; rename or drop the initializer");
      }

      List<Node> nodes = new ArrayList<>();
      List<String> names = nodeNames(g);
      nodeNames = names;
      // every op type hwc lacks, named in one error before anything else about the nodes
      List<Node> ops = new ArrayList<>();
      for (int i = 0; i < g.getNodeCount(); i++) {
        NodeProto np = g.getNode(i);
        String domain = np.getDomain().equals("ai.onnx") ? "" : np.getDomain();
        if (!np.getOpType().isEmpty() && !(domain.isEmpty() && np.getOpType().equals("Constant"))) {
          ops.add(new Node(names.get(i), np.getOpType(), domain, List.of(), List.of(), null));
        }
      }
      OpRegistry.requireAll(ops, opset);
      for (int i = 0; i < g.getNodeCount(); i++) {
        NodeProto np = g.getNode(i);
        String domain = np.getDomain().equals("ai.onnx") ? "" : np.getDomain();
        String name = names.get(i);
        if (np.getOpType().isEmpty()) {
          throw new BadInputException("node '" + name + "' of " + source + " has no op_type");
        }
        String desc = "node '" + name + "' (" + np.getOpType() + ")";
        if (domain.isEmpty() && np.getOpType().equals("Constant")) {
          if (np.getOutputCount() != 1 || np.getOutput(0).isEmpty()) {
            throw new BadInputException(desc + " must have exactly one output");
          }
          String out = np.getOutput(0);
          define(out, i);
          initializers.put(out, constant(np, desc, decoder));
          continue;
        }
        if (np.getOutputCount() == 0 || np.getOutput(0).isEmpty()) { // only later outputs may be optional
          throw new BadInputException(desc + " of " + source + " has no output" + (np.getOutputCount() == 0 ? "" : " name"));
        }
        Node n = new Node(name, np.getOpType(), domain, np.getInputList(), np.getOutputList(), null);
        n = n.withAttrs(attributes(np, desc, decoder, definedBy.keySet(), opset, 1));
        for (String out : np.getOutputList()) {
          if (!out.isEmpty()) {
            define(out, i);
          }
        }
        nodes.add(n);
      }
      for (Node n : nodes) {
        for (String in : n.inputs()) {
          if (!in.isEmpty() && !definedBy.containsKey(in)) {
            throw new BadInputException(
                "node '" + n.name() + "' (" + n.op() + ") reads '" + in
                    + "', which no node, input or initializer of " + source + " defines");
          }
        }
      }

      List<Value> outputs = new ArrayList<>();
      for (ValueInfoProto vi : g.getOutputList()) {
        String name = requireName(vi.getName(), "graph output");
        if (!definedBy.containsKey(name)) {
          throw new BadInputException(
              "graph output '" + name + "' of " + source + " is never produced");
        }
        outputs.add(OnnxTypes.value(vi, "graph output '" + name + "'", true));
      }

      LinkedHashMap<String, Value> valueTypes = new LinkedHashMap<>();
      Set<String> inputNames = new HashSet<>();
      inputs.forEach(v -> inputNames.add(v.name()));
      for (ValueInfoProto vi : g.getValueInfoList()) {
        String name = vi.getName();
        if (name.isEmpty() || initializers.containsKey(name) || inputNames.contains(name)) {
          continue; // those have their own types
        }
        Value v = OnnxTypes.value(vi, "value '" + name + "'", false);
        if (v != null) {
          Value known = valueTypes.get(name);
          valueTypes.put(name, known == null ? v : new Value(name,
              known.dtype() != DType.UNDEFINED ? known.dtype() : v.dtype(),
              known.shape().refine(v.shape())));
        }
      }

      if (nodes.isEmpty() || inputs.isEmpty() || outputs.isEmpty()) {
        throw new BadInputException("ONNX model " + source + " has an empty graph ("
            + (nodes.isEmpty() ? "no nodes" : inputs.isEmpty() ? "no inputs" : "no outputs")
            + "): there is nothing to compile");
      }

      String name = g.getName().isEmpty() ? stem(source) : g.getName();
      try {
        return Graph.of(name, opset, inputs, outputs, nodes, initializers, valueTypes, metadata());
      } catch (IllegalArgumentException e) {
        throw new BadInputException("ONNX model " + source + ": " + e.getMessage());
      }
    }
  }

  /** The default-domain opset, which must lie in OpRegistry's range. */
  private int defaultOpset() {
    Long version = null;
    for (OperatorSetIdProto o : model.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        if (version != null && version != o.getVersion()) {
          throw new BadInputException(
              "ONNX model " + source + " imports the default opset twice (" + version + " and "
                  + o.getVersion() + ")");
        }
        version = o.getVersion();
      }
    }
    if (version == null) {
      throw new BadInputException(
          "ONNX model " + source + " imports no default-domain (ai.onnx) opset");
    }
    if (version < OpRegistry.MIN_LEGACY_OPSET || version > OpRegistry.MAX_OPSET) {
      throw new BadInputException(
          "ONNX model " + source + " uses opset " + version + "; hwc reads opsets "
              + OpRegistry.MIN_LEGACY_OPSET + " to " + OpRegistry.MAX_OPSET
              + " (convert it with onnx.version_converter)");
    }
    return version.intValue();
  }

  private Map<String, String> metadata() {
    Map<String, String> m = new LinkedHashMap<>();
    for (StringStringEntryProto e : model.getMetadataPropsList()) {
      m.put(e.getKey(), e.getValue());
    }
    if (!model.getProducerName().isEmpty()) {
      m.putIfAbsent(OnnxFrontend.META_PRODUCER_NAME, model.getProducerName());
    }
    if (!model.getProducerVersion().isEmpty()) {
      m.putIfAbsent(OnnxFrontend.META_PRODUCER_VERSION, model.getProducerVersion());
    }
    return m;
  }

  /** {@code by}: a description, or the index of a main-graph node. */
  private void define(String value, Object by) {
    Object earlier = definedBy.putIfAbsent(value, by);
    if (earlier != null) {
      throw new BadInputException(
          "ONNX model " + source + " defines value '" + value + "' twice: by " + described(earlier)
              + " and by " + described(by));
    }
  }

  private String described(Object by) {
    if (by instanceof Integer i) {
      return "node '" + nodeNames.get(i) + "' (" + model.getGraph().getNode(i).getOpType() + ")";
    }
    return String.valueOf(by);
  }

  private String requireName(String name, String what) {
    if (name.isEmpty()) {
      throw new BadInputException("ONNX model " + source + " has a " + what + " without a name");
    }
    return name;
  }

  /**
   * Node names, unique and deterministic: an empty name becomes op_type + "_" + index, and a name
   * already taken gets the first free "_k" suffix.
   */
  private static List<String> nodeNames(GraphProto g) {
    Set<String> taken = new HashSet<>();
    for (NodeProto n : g.getNodeList()) {
      taken.add(n.getName());
    }
    Set<String> used = new HashSet<>();
    List<String> out = new ArrayList<>(g.getNodeCount());
    for (int i = 0; i < g.getNodeCount(); i++) {
      NodeProto n = g.getNode(i);
      String base = n.getName().isEmpty() ? n.getOpType() + "_" + i : n.getName();
      String name = base;
      boolean generated = n.getName().isEmpty();
      for (int k = 1; used.contains(name) || (generated && taken.contains(name)); k++) {
        name = base + "_" + k;
        generated = true;
      }
      used.add(name);
      out.add(name);
    }
    return out;
  }

  /** A Constant node's value: value, value_float(s) or value_int(s). */
  private static Tensor constant(NodeProto np, String desc, TensorDecoder decoder)
      throws IOException {
    if (np.getAttributeCount() != 1) {
      throw new BadInputException(desc + " must have exactly one value attribute");
    }
    AttributeProto a = np.getAttribute(0);
    AttributeType type = type(a, desc);
    String attr = a.getName();
    switch (attr) {
      case "value" -> {
        expect(type, AttributeType.TENSOR, attr, desc);
        return decoder.decode(a.getT(), desc + " value");
      }
      case "value_float" -> {
        expect(type, AttributeType.FLOAT, attr, desc);
        return Tensor.ofFloats(new long[0], a.getF());
      }
      case "value_floats" -> {
        expect(type, AttributeType.FLOATS, attr, desc);
        return Tensor.ofFloats(new long[] {a.getFloatsCount()}, floats(a));
      }
      case "value_int" -> {
        expect(type, AttributeType.INT, attr, desc);
        return Tensor.ofLongs(new long[0], a.getI());
      }
      case "value_ints" -> {
        expect(type, AttributeType.INTS, attr, desc);
        return Tensor.ofLongs(new long[] {a.getIntsCount()}, ints(a));
      }
      case "value_string", "value_strings" -> throw new BadInputException(
          desc + " holds strings (" + attr + "); hwc supports numeric tensors only");
      case "sparse_value" -> throw new BadInputException(
          desc + " holds a sparse tensor, which hwc does not support");
      default -> throw new BadInputException(desc + " has unknown attribute '" + attr + "'");
    }
  }

  private static void expect(AttributeType have, AttributeType want, String attr, String desc) {
    if (have != want) {
      throw new BadInputException(
          desc + " attribute '" + attr + "' is " + have + ", expected " + want);
    }
  }

  private Attributes attributes(NodeProto np, String desc, TensorDecoder decoder, Set<String> outer, int opset,
      int depth) throws IOException {
    if (np.getAttributeCount() == 0) {
      return Attributes.EMPTY;
    }
    TreeMap<String, Attribute> m = new TreeMap<>();
    for (AttributeProto a : np.getAttributeList()) {
      String name = a.getName();
      if (name.isEmpty()) {
        throw new BadInputException(desc + " has an attribute without a name");
      }
      if (type(a, desc) == AttributeType.GRAPH) {
        String domain = np.getDomain().equals("ai.onnx") ? "" : np.getDomain();
        String kind = OpRegistry.lookup(domain.isEmpty() ? np.getOpType() : domain + ":" + np.getOpType())
            .map(d -> d.attrs().get(name)).orElse(null);
        if (!"GRAPH".equals(kind)) {
          throw new BadInputException(desc + " has GRAPH attribute '" + name + "', which " + np.getOpType()
              + " does not take (subgraphs are read for If, Loop and Scan)");
        }
      }
      if (m.put(name, attribute(a, desc, decoder, outer, opset, depth)) != null) {
        throw new BadInputException(desc + " has attribute '" + name + "' twice");
      }
    }
    return Attributes.of(m);
  }

  private Attribute attribute(AttributeProto a, String desc, TensorDecoder decoder, Set<String> outer, int opset,
      int depth) throws IOException {
    String name = a.getName();
    if (!a.getRefAttrName().isEmpty()) {
      throw new BadInputException(
          desc + " attribute '" + name + "' refers to a function attribute, which hwc does not support");
    }
    AttributeType type = type(a, desc);
    return switch (type) {
      case FLOAT -> new Attribute.Float(a.getF());
      case INT -> new Attribute.Int(a.getI());
      case STRING -> new Attribute.Str(a.getS().toStringUtf8());
      case FLOATS -> new Attribute.Floats(floats(a));
      case INTS -> new Attribute.Ints(ints(a));
      case STRINGS -> new Attribute.Strs(a.getStringsList().stream().map(ByteString::toStringUtf8).toList());
      case TENSOR -> new Attribute.TensorValue(
          decoder.decode(a.getT(), desc + " attribute '" + name + "'"));
      case GRAPH -> new Attribute.GraphValue(
          subgraph(a.getG(), desc + " attribute '" + name + "'", decoder, outer, opset, depth));
      case GRAPHS -> throw new BadInputException(
          desc + " has GRAPHS attribute '" + name + "': lists of subgraphs are not supported");
      default -> throw new BadInputException(
          desc + " attribute '" + name + "' is of unsupported kind " + type);
    };
  }

  /**
   * A GRAPH attribute's subgraph (If's branches, Loop's and Scan's body): its initializers, Constant
   * nodes, inputs, nodes and outputs, with reads of the enclosing graphs' values ({@code outer}, what
   * they define before this node) allowed. Every op type hwc lacks inside it is named at once.
   */
  private Graph subgraph(GraphProto g, String desc, TensorDecoder decoder, Set<String> outer, int opset, int depth)
      throws IOException {
    if (depth > OnnxFrontend.MAX_NESTING) {
      throw new BadInputException(desc + ": subgraphs nest deeper than " + OnnxFrontend.MAX_NESTING + " levels");
    }
    Set<String> scope = new HashSet<>(outer);
    Set<String> own = new HashSet<>();
    LinkedHashMap<String, Tensor> initializers = new LinkedHashMap<>();
    for (TensorProto t : g.getInitializerList()) {
      initializers.put(t.getName(), decoder.decode(t, desc + " initializer '" + t.getName() + "'"));
      own.add(t.getName());
    }
    List<Value> inputs = new ArrayList<>();
    for (ValueInfoProto vi : g.getInputList()) {
      String name = requireName(vi.getName(), "subgraph input of " + desc);
      if (initializers.containsKey(name)) {
        continue;
      }
      Value v = OnnxTypes.value(vi, desc + " input '" + name + "'", false);
      inputs.add(v != null ? v : new Value(name, DType.UNDEFINED, dev.hwc.compiler.ir.Shape.UNKNOWN));
      own.add(name);
    }
    List<String> names = nodeNames(g);
    List<Node> ops = new ArrayList<>();
    for (int i = 0; i < g.getNodeCount(); i++) {
      NodeProto np = g.getNode(i);
      String domain = np.getDomain().equals("ai.onnx") ? "" : np.getDomain();
      if (!np.getOpType().isEmpty() && !(domain.isEmpty() && np.getOpType().equals("Constant"))) {
        ops.add(new Node(names.get(i), np.getOpType(), domain, List.of(), List.of(), null));
      }
    }
    OpRegistry.requireAll(ops, opset);
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < g.getNodeCount(); i++) {
      NodeProto np = g.getNode(i);
      String domain = np.getDomain().equals("ai.onnx") ? "" : np.getDomain();
      String nd = "node '" + names.get(i) + "' (" + np.getOpType() + ") of " + desc;
      scope.addAll(own);
      for (String in : np.getInputList()) {
        if (!in.isEmpty() && !scope.contains(in)) {
          throw new BadInputException(nd + " reads '" + in + "', which neither the subgraph nor an enclosing graph defines");
        }
      }
      if (domain.isEmpty() && np.getOpType().equals("Constant")) {
        initializers.put(np.getOutput(0), constant(np, nd, decoder));
        own.add(np.getOutput(0));
        continue;
      }
      Node n = new Node(names.get(i), np.getOpType(), domain, np.getInputList(), np.getOutputList(), null);
      Set<String> inner = new HashSet<>(scope);
      nodes.add(n.withAttrs(attributes(np, nd, decoder, inner, opset, depth + 1)));
      np.getOutputList().stream().filter(o -> !o.isEmpty()).forEach(own::add);
    }
    scope.addAll(own);
    List<Value> outputs = new ArrayList<>();
    for (ValueInfoProto vi : g.getOutputList()) {
      String name = requireName(vi.getName(), "subgraph output of " + desc);
      if (!scope.contains(name)) {
        throw new BadInputException(desc + " output '" + name + "' is never produced");
      }
      Value v = OnnxTypes.value(vi, desc + " output '" + name + "'", false);
      outputs.add(v != null ? v : new Value(name, DType.UNDEFINED, dev.hwc.compiler.ir.Shape.UNKNOWN));
    }
    LinkedHashMap<String, Value> types = new LinkedHashMap<>();
    for (ValueInfoProto vi : g.getValueInfoList()) {
      Value v = OnnxTypes.value(vi, desc + " value '" + vi.getName() + "'", false);
      if (v != null && !vi.getName().isEmpty()) {
        types.put(vi.getName(), v);
      }
    }
    return Graph.of(g.getName(), opset, inputs, outputs, nodes, initializers, types, Map.of());
  }

  /** The attribute's kind; very old models leave it UNDEFINED, so it is read from the set field. */
  private static AttributeType type(AttributeProto a, String desc) {
    AttributeType t = a.getType();
    if (t != AttributeType.UNDEFINED) {
      return t;
    }
    if (a.hasF()) {
      return AttributeType.FLOAT;
    } else if (a.hasI()) {
      return AttributeType.INT;
    } else if (a.hasS()) {
      return AttributeType.STRING;
    } else if (a.hasT()) {
      return AttributeType.TENSOR;
    } else if (a.hasG()) {
      return AttributeType.GRAPH;
    } else if (a.getFloatsCount() > 0) {
      return AttributeType.FLOATS;
    } else if (a.getIntsCount() > 0) {
      return AttributeType.INTS;
    } else if (a.getStringsCount() > 0) {
      return AttributeType.STRINGS;
    } else if (a.getGraphsCount() > 0) {
      return AttributeType.GRAPHS;
    } else if (a.getTensorsCount() > 0) {
      return AttributeType.TENSORS;
    }
    throw new BadInputException(desc + " attribute '" + a.getName() + "' has no type and no value");
  }

  private static float[] floats(AttributeProto a) {
    float[] f = new float[a.getFloatsCount()];
    for (int i = 0; i < f.length; i++) {
      f[i] = a.getFloats(i);
    }
    return f;
  }

  private static long[] ints(AttributeProto a) {
    long[] v = new long[a.getIntsCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = a.getInts(i);
    }
    return v;
  }

  /** "models/bert.onnx" -> "bert". */
  private static String stem(String source) {
    String s = source.substring(Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\')) + 1);
    return s.toLowerCase(java.util.Locale.ROOT).endsWith(".onnx") ? s.substring(0, s.length() - 5) : s;
  }
}

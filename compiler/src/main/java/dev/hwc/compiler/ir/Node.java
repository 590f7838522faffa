package dev.hwc.compiler.ir;

import java.util.List;

/**
 * One operation. {@code op} is the ONNX op type ("Conv"); {@code domain} is "" for the default ONNX
 * domain. An empty input name marks an absent optional input, as in ONNX.
 */
public record Node(
    String name, String op, String domain, List<String> inputs, List<String> outputs, Attributes attrs) {
  public Node {
    domain = domain == null ? "" : domain;
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    attrs = attrs == null ? Attributes.EMPTY : attrs;
  }

  public Node(String name, String op, List<String> inputs, List<String> outputs, Attributes attrs) {
    this(name, op, "", inputs, outputs, attrs);
  }

  /** Input i, or "" when absent. */
  public String input(int i) {
    return i < inputs.size() ? inputs.get(i) : "";
  }

  public boolean hasInput(int i) {
    return !input(i).isEmpty();
  }

  public String output(int i) {
    return outputs.get(i);
  }

  public Node withInputs(List<String> newInputs) {
    return new Node(name, op, domain, newInputs, outputs, attrs);
  }

  public Node withOutputs(List<String> newOutputs) {
    return new Node(name, op, domain, inputs, newOutputs, attrs);
  }

  public Node withAttrs(Attributes newAttrs) {
    return new Node(name, op, domain, inputs, outputs, newAttrs);
  }

  /** Whether an attribute holds a subgraph (If, Loop, Scan). */
  public boolean hasSubgraphs() {
    if (attrs.isEmpty()) {
      return false;
    }
    for (Attribute a : attrs.asMap().values()) {
      if (a instanceof Attribute.GraphValue) {
        return true;
      }
    }
    return false;
  }

  /** The node's subgraphs by attribute name, in name order; empty for ops without any. */
  public java.util.Map<String, Graph> subgraphs() {
    java.util.Map<String, Graph> m = new java.util.TreeMap<>();
    attrs.asMap().forEach((k, a) -> {
      if (a instanceof Attribute.GraphValue gv) {
        m.put(k, gv.value());
      }
    });
    return m;
  }

  /**
   * Values of the enclosing graph the node's subgraphs read by name (outer-scope references): uses of
   * the node as much as its inputs, for ordering, dead-node elimination and renames.
   */
  public List<String> implicitInputs() {
    if (!hasSubgraphs()) {
      return List.of();
    }
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    subgraphs().values().forEach(g -> out.addAll(g.outerReferences()));
    out.removeAll(inputs);
    return List.copyOf(out);
  }

  /** Explicit inputs, then outer-scope references of the subgraphs. */
  public List<String> allInputs() {
    List<String> implicit = implicitInputs();
    if (implicit.isEmpty()) {
      return inputs;
    }
    List<String> all = new java.util.ArrayList<>(inputs);
    all.addAll(implicit);
    return all;
  }

  /** This node with every use of {@code from} renamed to {@code to}: inputs and outer-scope references. */
  public Node withUseRenamed(String from, String to) {
    Node n = inputs.contains(from) ? withInputs(inputs.stream().map(s -> s.equals(from) ? to : s).toList()) : this;
    if (!hasSubgraphs() || !implicitInputs().contains(from)) {
      return n;
    }
    Attributes a = n.attrs;
    for (var e : subgraphs().entrySet()) {
      a = a.with(e.getKey(), new Attribute.GraphValue(e.getValue().withOuterRenamed(from, to)));
    }
    return n.withAttrs(a);
  }

  /** "Conv 'conv1'", used in error messages. */
  public String describe() {
    return op + " '" + name + "'";
  }
}

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

  /** "Conv 'conv1'", used in error messages. */
  public String describe() {
    return op + " '" + name + "'";
  }
}

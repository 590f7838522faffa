package dev.hwc.compiler.ir;

import java.util.Arrays;
import java.util.List;

/** One typed node attribute, with ONNX's attribute kinds. */
public sealed interface Attribute {
  record Int(long value) implements Attribute {}

  record Float(float value) implements Attribute {}

  record Str(String value) implements Attribute {}

  record Ints(long[] values) implements Attribute {
    public Ints {
      values = values.clone();
    }

    @Override
    public long[] values() {
      return values.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Ints i && Arrays.equals(i.values, values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return Arrays.toString(values);
    }
  }

  record Floats(float[] values) implements Attribute {
    public Floats {
      values = values.clone();
    }

    @Override
    public float[] values() {
      return values.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Floats f && Arrays.equals(f.values, values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return Arrays.toString(values);
    }
  }

  record Strs(List<String> values) implements Attribute {
    public Strs {
      values = List.copyOf(values);
    }
  }

  record TensorValue(Tensor value) implements Attribute {}

  /**
   * A subgraph (If's then_branch/else_branch, Loop's and Scan's body). Its nodes may read values of
   * the enclosing graphs by name (outer-scope references, {@link Graph#outerReferences()}).
   */
  record GraphValue(Graph value) implements Attribute {}

  /** The attribute kind's name as it appears in ONNX and in error messages. */
  default String kind() {
    if (this instanceof Int) {
      return "INT";
    } else if (this instanceof Float) {
      return "FLOAT";
    } else if (this instanceof Str) {
      return "STRING";
    } else if (this instanceof Ints) {
      return "INTS";
    } else if (this instanceof Floats) {
      return "FLOATS";
    } else if (this instanceof Strs) {
      return "STRINGS";
    } else if (this instanceof GraphValue) {
      return "GRAPH";
    }
    return "TENSOR";
  }
}

package dev.hwc.compiler.ops;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What an op rule sees of one node: its attributes, the graph's opset, the types of its inputs and
 * the value of any input that is constant.
 */
public final class OpContext {
  private final Node node;
  private final int opset;
  private final Function<String, Value> types;
  private final Function<String, Tensor> constants;

  public OpContext(
      Node node, int opset, Function<String, Value> types, Function<String, Tensor> constants) {
    this.node = node;
    this.opset = opset;
    this.types = types;
    this.constants = constants;
  }

  public Node node() {
    return node;
  }

  public int opset() {
    return opset;
  }

  public Attributes attrs() {
    return node.attrs();
  }

  public int inputCount() {
    return node.inputs().size();
  }

  public boolean hasInput(int i) {
    return node.hasInput(i);
  }

  /** The type of input i; throws a {@link ShapeException} naming the node when unknown. */
  public Value in(int i) {
    String name = node.input(i);
    Value v = name.isEmpty() ? null : types.apply(name);
    if (v == null) {
      throw fail("input " + i + " ('" + name + "') has no known type");
    }
    return v;
  }

  public Shape shape(int i) {
    return in(i).shape();
  }

  public DType dtype(int i) {
    return in(i).dtype();
  }

  /** The constant value of input i, or null when it is not constant (or absent). */
  public Tensor constant(int i) {
    String name = node.input(i);
    return name.isEmpty() ? null : constants.apply(name);
  }

  /** Constant int64 values of input i (axes, shape, pads...), or null when not constant. */
  public long[] constantLongs(int i) {
    Tensor t = constant(i);
    return t == null ? null : t.toLongs();
  }

  /** Output types in node order, from (dtype, shape) pairs. */
  public List<Value> out(Object... dtypeShapePairs) {
    List<Value> out = new ArrayList<>();
    for (int i = 0; i < dtypeShapePairs.length; i += 2) {
      out.add(new Value(node.output(i / 2), (DType) dtypeShapePairs[i], (Shape) dtypeShapePairs[i + 1]));
    }
    return out;
  }

  public ShapeException fail(String problem) {
    return new ShapeException(node.describe() + ": " + problem);
  }

  /** Normalizes a possibly negative axis against a rank, or fails naming the node. */
  public int axis(long axis, int rank) {
    long a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw fail("axis " + axis + " is out of range for rank " + rank);
    }
    return (int) a;
  }
}

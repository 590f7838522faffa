package dev.hwc.compiler.ir;

/**
 * A named value in the graph with its element type and shape. Quantization parameters join it when
 * the quantization planner lands.
 */
public record Value(String name, DType dtype, Shape shape) {
  public Value {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("value name must not be empty");
    }
    dtype = dtype == null ? DType.UNDEFINED : dtype;
    shape = shape == null ? Shape.UNKNOWN : shape;
  }

  public Value withName(String newName) {
    return new Value(newName, dtype, shape);
  }

  @Override
  public String toString() {
    return name + ":" + dtype.shortName() + shape;
  }
}

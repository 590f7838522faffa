package dev.hwc.compiler.ir;

/**
 * One dimension of a shape: a known size, a named symbol ("batch", "sequence"), or unknown.
 *
 * @param size the size, or -1 when not statically known
 * @param symbol the symbol when the size is symbolic, else null
 */
public record Dim(long size, String symbol) {
  public static final Dim UNKNOWN = new Dim(-1, null);

  public static Dim of(long size) {
    if (size < 0) {
      throw new IllegalArgumentException("negative dimension " + size);
    }
    return new Dim(size, null);
  }

  public static Dim symbol(String name) {
    return name == null || name.isEmpty() ? UNKNOWN : new Dim(-1, name);
  }

  public boolean isStatic() {
    return size >= 0;
  }

  public boolean isSymbolic() {
    return symbol != null;
  }

  @Override
  public String toString() {
    return isStatic() ? Long.toString(size) : symbol != null ? symbol : "?";
  }
}

package dev.hwc.compiler.ops;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One op's rules, in one place: arity, attribute kinds, traits, shape inference and (optionally) a
 * reference kernel for constant folding. Its quantization behaviour is its {@link QuantRule}.
 *
 * @param op the ONNX op type
 * @param minInputs fewest inputs
 * @param maxInputs most inputs (optional inputs may be empty names)
 * @param maxOutputs most outputs (at least one is always required)
 * @param attrs known attribute names and their ONNX kinds (INT, FLOAT, STRING, INTS, FLOATS, TENSOR)
 * @param traits the op's properties
 * @param shape shape and type inference
 * @param kernel reference implementation, or null when the op is never folded
 * @param quant the op's part in integer quantization
 * @param macs multiply-accumulates of one node, for ops with a weighted product; null for ops without
 * @param typeFixedInputs inputs whose type does not follow the node's float precision (Cast's and
 *     Shape's input, Resize's roi and scales...): an fp16 conversion leaves them as they are; null for none
 */
public record OpDef(
    String op,
    int minInputs,
    int maxInputs,
    int maxOutputs,
    Map<String, String> attrs,
    Set<OpTrait> traits,
    ShapeRule shape,
    Kernel kernel,
    QuantRule quant,
    MacRule macs,
    java.util.function.IntPredicate typeFixedInputs) {

  /** Multiply-accumulates of one node from its static shapes; -1 when they are not known. */
  @FunctionalInterface
  public interface MacRule {
    long of(dev.hwc.compiler.ir.Graph g, dev.hwc.compiler.ir.Node n);
  }

  public OpDef {
    quant = quant == null ? QuantRule.FLOAT : quant;
    attrs = Map.copyOf(attrs);
    traits = traits.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(traits));
  }

  public boolean has(OpTrait t) {
    return traits.contains(t);
  }

  /** This entry with its quantization rule. */
  public OpDef withQuant(QuantRule q) {
    return new OpDef(op, minInputs, maxInputs, maxOutputs, attrs, traits, shape, kernel, q, macs, typeFixedInputs);
  }

  /** This entry with its MAC count. */
  public OpDef withMacs(MacRule m) {
    return new OpDef(op, minInputs, maxInputs, maxOutputs, attrs, traits, shape, kernel, quant, m, typeFixedInputs);
  }

  /** This entry with the inputs whose type stays fixed under a float precision change. */
  public OpDef withTypeFixedInputs(java.util.function.IntPredicate inputs) {
    return new OpDef(op, minInputs, maxInputs, maxOutputs, attrs, traits, shape, kernel, quant, macs, inputs);
  }

  /** Whether input i keeps its own type whatever precision the node runs in. */
  public boolean typeFixed(int i) {
    return typeFixedInputs != null && typeFixedInputs.test(i);
  }

  /** MACs of a node of this op: 0 for ops without a weighted product, -1 when shapes are not static. */
  public long macsOf(dev.hwc.compiler.ir.Graph g, dev.hwc.compiler.ir.Node n) {
    return macs == null ? 0 : macs.of(g, n);
  }

  public Optional<Kernel> kernelIfAny() {
    return Optional.ofNullable(kernel);
  }

  /** Fluent construction used by the op families. */
  public static Builder named(String op) {
    return new Builder(op);
  }

  public static final class Builder {
    private final String op;
    private int minIn = 1;
    private int maxIn = 1;
    private int maxOut = 1;
    private final java.util.TreeMap<String, String> attrs = new java.util.TreeMap<>();
    private final EnumSet<OpTrait> traits = EnumSet.noneOf(OpTrait.class);
    private Kernel kernel;

    private Builder(String op) {
      this.op = op;
    }

    public Builder inputs(int min, int max) {
      minIn = min;
      maxIn = max;
      return this;
    }

    public Builder outputs(int max) {
      maxOut = max;
      return this;
    }

    /** Declares attributes as "name:KIND" strings, e.g. "axis:INT", "pads:INTS". */
    public Builder attrs(String... specs) {
      for (String s : specs) {
        int i = s.indexOf(':');
        attrs.put(s.substring(0, i), s.substring(i + 1));
      }
      return this;
    }

    public Builder traits(OpTrait... t) {
      traits.addAll(java.util.List.of(t));
      return this;
    }

    public Builder kernel(Kernel k) {
      kernel = k;
      return this;
    }

    public OpDef shape(ShapeRule rule) {
      return new OpDef(op, minIn, maxIn, maxOut, attrs, traits, rule, kernel, QuantRule.FLOAT, null, null);
    }
  }
}

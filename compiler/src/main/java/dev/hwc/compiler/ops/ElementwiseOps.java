package dev.hwc.compiler.ops;

import static dev.hwc.compiler.ops.OpTrait.BROADCAST;
import static dev.hwc.compiler.ops.OpTrait.FIXED_OUTPUT_RANGE;
import static dev.hwc.compiler.ops.OpTrait.PASS_THROUGH;
import static dev.hwc.compiler.ops.OpTrait.PRESERVES_ZERO;
import static dev.hwc.compiler.ops.OpTrait.UNARY;

import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** Elementwise ops: activations, arithmetic with broadcasting, comparisons, casts. */
final class ElementwiseOps {
  private ElementwiseOps() {}

  static List<OpDef> all() {
    return List.of(
        unary("Relu", x -> Math.max(x, 0), PRESERVES_ZERO).withQuant(QuantRule.CLAMP),
        unary("Sigmoid", x -> 1 / (1 + Math.exp(-x)), FIXED_OUTPUT_RANGE).withQuant(QuantRule.INTEGER_QDQ),
        unary("Tanh", Math::tanh, FIXED_OUTPUT_RANGE, PRESERVES_ZERO).withQuant(QuantRule.INTEGER),
        unary("Erf", ElementwiseOps::erf, PRESERVES_ZERO),
        // Gelu (opset 20): exact 0.5·x·(1 + erf(x/√2)), or the tanh approximation with approximate="tanh"
        OpDef.named("Gelu").attrs("approximate:STRING").traits(UNARY, PRESERVES_ZERO)
            .kernel((c, in) -> {
              boolean tanh = c.attrs().getString("approximate", "none").equals("tanh");
              return Kernels.one(Kernels.unary(in.get(0), x -> tanh
                  ? 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))
                  : 0.5 * x * (1 + erf(x / Math.sqrt(2)))));
            })
            .shape(ElementwiseOps::sameAsInput).withQuant(QuantRule.INTEGER),
        unary("Sqrt", Math::sqrt, PRESERVES_ZERO),
        unary("Neg", x -> -x, PRESERVES_ZERO),
        unary("HardSwish", x -> x * Math.max(0, Math.min(1, x / 6 + 0.5)), PRESERVES_ZERO).withQuant(QuantRule.INTEGER_QDQ),
        OpDef.named("LeakyRelu").attrs("alpha:FLOAT").traits(UNARY, PRESERVES_ZERO)
            .kernel((c, in) -> {
              double a = c.attrs().getFloat("alpha", 0.01f);
              return Kernels.one(Kernels.unary(in.get(0), x -> x >= 0 ? x : a * x));
            })
            .shape(ElementwiseOps::sameAsInput).withQuant(QuantRule.INTEGER_QDQ),
        OpDef.named("HardSigmoid").attrs("alpha:FLOAT", "beta:FLOAT").traits(UNARY)
            .kernel((c, in) -> {
              double a = c.attrs().getFloat("alpha", 0.2f);
              double b = c.attrs().getFloat("beta", 0.5f);
              return Kernels.one(Kernels.unary(in.get(0), x -> Math.max(0, Math.min(1, a * x + b))));
            })
            .shape(ElementwiseOps::sameAsInput).withQuant(QuantRule.QDQ_REWRITTEN),
        // Clip: opset >= 11 takes min and max as optional inputs.
        OpDef.named("Clip").inputs(1, 3).traits(UNARY)
            .kernel((c, in) -> {
              double lo = in.size() > 1 && in.get(1) != null ? in.get(1).getDouble(0) : Double.NEGATIVE_INFINITY;
              double hi = in.size() > 2 && in.get(2) != null ? in.get(2).getDouble(0) : Double.POSITIVE_INFINITY;
              return Kernels.one(Kernels.unary(in.get(0), x -> Math.min(hi, Math.max(lo, x))));
            })
            .shape(ElementwiseOps::sameAsInput).withQuant(QuantRule.CLAMP),
        OpDef.named("Identity").traits(UNARY, PASS_THROUGH, PRESERVES_ZERO)
            .kernel((c, in) -> Kernels.one(in.get(0)))
            .shape(ElementwiseOps::sameAsInput),
        // Dropout: inference only; the optional mask output is all true.
        OpDef.named("Dropout").inputs(1, 3).outputs(2).attrs("seed:INT", "ratio:FLOAT")
            .traits(UNARY, PASS_THROUGH, PRESERVES_ZERO)
            .shape(c -> {
              List<Value> out = new ArrayList<>(c.out(c.dtype(0), c.shape(0)));
              if (c.node().outputs().size() > 1 && !c.node().output(1).isEmpty()) {
                out.add(new Value(c.node().output(1), DType.BOOL, c.shape(0)));
              }
              return out;
            }).withTypeFixedInputs(i -> i >= 1), // ratio and training_mode
        OpDef.named("Cast").attrs("to:INT", "saturate:INT").traits(UNARY)
            .kernel((c, in) -> Kernels.one(Tensor.fromDoubles(
                DType.fromOnnx((int) c.attrs().getInt("to", 0)), in.get(0).shape(), in.get(0).toDoubles())))
            .shape(c -> c.out(DType.fromOnnx((int) c.attrs().getInt("to", 0)), c.shape(0)))
            .withTypeFixedInputs(i -> i == 0), // a Cast converts from whatever type it reads
        binary("Add", Double::sum, PRESERVES_ZERO).withQuant(QuantRule.INTEGER_QDQ),
        binary("Sub", (a, b) -> a - b, PRESERVES_ZERO).withQuant(QuantRule.INTEGER),
        binary("Mul", (a, b) -> a * b, PRESERVES_ZERO).withQuant(QuantRule.INTEGER_QDQ),
        binary("Div", ElementwiseOps::divide),
        binary("Pow", Math::pow),
        binary("PRelu", (x, slope) -> x >= 0 ? x : slope * x, PRESERVES_ZERO).withQuant(QuantRule.INTEGER),
        variadic("Min", Math::min),
        variadic("Max", Math::max),
        variadic("Sum", Double::sum),
        // Mean: the elementwise sum of the inputs (broadcast) divided by their count
        OpDef.named("Mean").inputs(1, Integer.MAX_VALUE).traits(BROADCAST)
            .kernel((c, in) -> {
              Tensor acc = in.get(0);
              for (int i = 1; i < in.size(); i++) {
                acc = Kernels.binary(acc, in.get(i), acc.dtype(), Double::sum);
              }
              double n = in.size();
              return Kernels.one(Kernels.unary(acc, x -> x / n));
            })
            .shape(ElementwiseOps::broadcastAll),
        OpDef.named("Equal").inputs(2, 2).traits(BROADCAST)
            .kernel((c, in) -> Kernels.one(
                Kernels.binary(in.get(0), in.get(1), DType.BOOL, (a, b) -> a == b ? 1 : 0)))
            .shape(c -> c.out(DType.BOOL, broadcast(c, 0, 1))),
        OpDef.named("Where").inputs(3, 3).traits(BROADCAST)
            .kernel((c, in) -> {
              Tensor cond = in.get(0);
              Tensor x = in.get(1);
              Tensor y = in.get(2);
              long[] shape = ShapeMath.broadcast(cond.shape(), x.shape(), y.shape());
              int[] ci = Kernels.broadcastIndex(cond.shape(), shape);
              int[] xi = Kernels.broadcastIndex(x.shape(), shape);
              int[] yi = Kernels.broadcastIndex(y.shape(), shape);
              double[] r = new double[ci.length];
              for (int i = 0; i < r.length; i++) {
                r[i] = cond.getDouble(ci[i]) != 0 ? x.getDouble(xi[i]) : y.getDouble(yi[i]);
              }
              return Kernels.one(Tensor.fromDoubles(x.dtype(), shape, r));
            })
            .shape(c -> c.out(c.dtype(1), broadcast(c, 0, 1, 2))));
  }

  private static OpDef unary(String op, DoubleUnaryOperator f, OpTrait... traits) {
    return OpDef.named(op).traits(UNARY).traits(traits)
        .kernel((c, in) -> Kernels.one(Kernels.unary(in.get(0), f)))
        .shape(ElementwiseOps::sameAsInput);
  }

  private static OpDef binary(String op, DoubleBinaryOperator f, OpTrait... traits) {
    return OpDef.named(op).inputs(2, 2).traits(BROADCAST).traits(traits)
        .kernel((c, in) -> Kernels.one(Kernels.binary(in.get(0), in.get(1), in.get(0).dtype(), f)))
        .shape(c -> {
          if (c.dtype(0) != c.dtype(1) && !op.equals("Pow")) {
            throw c.fail("input types differ: " + c.dtype(0).shortName() + " and " + c.dtype(1).shortName());
          }
          return c.out(c.dtype(0), broadcast(c, 0, 1));
        });
  }

  private static OpDef variadic(String op, DoubleBinaryOperator f) {
    return OpDef.named(op).inputs(1, Integer.MAX_VALUE).traits(BROADCAST)
        .kernel((c, in) -> {
          Tensor acc = in.get(0);
          for (int i = 1; i < in.size(); i++) {
            acc = Kernels.binary(acc, in.get(i), acc.dtype(), f);
          }
          return Kernels.one(acc);
        })
        .shape(c -> {
          int[] all = new int[c.inputCount()];
          for (int i = 0; i < all.length; i++) {
            all[i] = i;
          }
          return c.out(c.dtype(0), broadcast(c, all));
        });
  }

  private static List<Value> broadcastAll(OpContext c) {
    int[] all = new int[c.inputCount()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    return c.out(c.dtype(0), broadcast(c, all));
  }

  static List<Value> sameAsInput(OpContext c) {
    return c.out(c.dtype(0), c.shape(0));
  }

  static Shape broadcast(OpContext c, int... inputs) {
    List<Shape> shapes = new ArrayList<>();
    for (int i : inputs) {
      shapes.add(c.shape(i));
    }
    Shape s = ShapeMath.broadcast(shapes);
    if (s == null) {
      throw c.fail("input shapes " + shapes + " do not broadcast");
    }
    return s;
  }

  private static double divide(double a, double b) {
    return a / b;
  }

  /** The error function, from the Chebyshev fit of erfc in Numerical Recipes (relative error < 1.2e-7). */
  static double erf(double x) {
    double z = Math.abs(x);
    double t = 1.0 / (1.0 + 0.5 * z);
    double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196
        + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398
        + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? 1 - r : r - 1;
  }
}

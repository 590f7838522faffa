package dev.hwc.compiler.ops;

import dev.hwc.compiler.ir.Tensor;
import java.util.List;

/**
 * An op's reference implementation on constant tensors: used by constant folding and as a small
 * oracle in tests. Written for clarity, not speed; only ops that appear on constant paths need one.
 */
@FunctionalInterface
public interface Kernel {
  List<Tensor> eval(OpContext c, List<Tensor> inputs);
}

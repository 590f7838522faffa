package dev.hwc.compiler.ops;

import dev.hwc.compiler.ir.Value;
import java.util.List;

/** An op's shape and type inference: from its inputs' types (and any constant inputs) to its outputs'. */
@FunctionalInterface
public interface ShapeRule {
  List<Value> infer(OpContext c);
}

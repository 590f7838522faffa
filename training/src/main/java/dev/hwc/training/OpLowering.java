package dev.hwc.training;

import dev.hwc.compiler.ir.Node;
import java.util.List;

/**
 * How one IR op becomes TensorFlow ops: reads its inputs through the context (which converts
 * layouts and turns initializers into parameters or constants) and returns one value per output.
 */
@FunctionalInterface
public interface OpLowering {
  List<TfValue> lower(LoweringContext c, Node n);
}

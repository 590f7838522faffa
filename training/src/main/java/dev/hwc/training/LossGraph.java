package dev.hwc.training;

import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A loss built on a lowered model: the scalar to minimize, the placeholders its targets are fed
 * through (shapes as the loss documents), and named scalars worth logging.
 */
public record LossGraph(Operand<TFloat32> loss, Map<String, Placeholder<TFloat32>> targets,
    Map<String, Operand<TFloat32>> metrics) {

  /** Builds the loss for a lowered model. */
  @FunctionalInterface
  public interface Builder {
    LossGraph build(Lowered model);
  }
}

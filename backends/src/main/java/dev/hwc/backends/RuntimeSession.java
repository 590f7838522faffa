package dev.hwc.backends;

import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import java.util.List;
import java.util.Map;

/** A loaded artifact: named inputs in, named outputs out, as IR tensors. */
public interface RuntimeSession extends AutoCloseable {
  List<Value> inputs();

  List<Value> outputs();

  /** Runs once; returns every output by name, in the artifact's output order. */
  Map<String, Tensor> run(Map<String, Tensor> inputs) throws Exception;

  /** Releases the runtime's resources; a failure to release is an internal error, not a checked one. */
  @Override
  void close();
}

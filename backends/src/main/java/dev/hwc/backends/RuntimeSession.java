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

  /**
   * Binds inputs once for repeated runs (the measuring harness's loop). The inputs are checked as
   * {@link #run} checks them. The default runs {@link #run} each time; a runtime overrides it to
   * keep its native input tensors and skip reading the outputs back.
   */
  default BoundRun bind(Map<String, Tensor> inputs) throws Exception {
    Map<String, Tensor> feed = Map.copyOf(inputs);
    return () -> run(feed);
  }

  /** How the runtime runs this artifact (execution provider or delegate, threads); empty if nothing to say. */
  default String describe() {
    return "";
  }

  /** Releases the runtime's resources; a failure to release is an internal error, not a checked one. */
  @Override
  void close();
}

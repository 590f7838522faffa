package dev.hwc.backends.calib;

import dev.hwc.backends.SessionOptions;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.onnx.OrtSession;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.compiler.passes.EliminateDeadNodes;
import dev.hwc.compiler.passes.PassContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs a float graph on ONNX Runtime and hands back chosen intermediate values: the graph is
 * emitted with those values as its only outputs (nodes they do not need are pruned), loaded once,
 * and run sample by sample. Values that are graph inputs are taken from the sample itself. Each
 * {@link #run} returns one sample's values and keeps nothing.
 */
public final class IntermediateRunner implements AutoCloseable {
  private final List<String> names;
  private final List<String> graphInputs;
  private final OrtSession session;

  private IntermediateRunner(List<String> names, List<String> graphInputs, OrtSession session) {
    this.names = names;
    this.graphInputs = graphInputs;
    this.session = session;
  }

  /**
   * Loads {@code g} to report {@code names} (graph inputs or node outputs, in the order given,
   * duplicates dropped).
   *
   * @throws IllegalArgumentException for a name that is unknown or a constant
   */
  public static IntermediateRunner open(Graph g, Collection<String> names, SessionOptions options) throws Exception {
    List<String> wanted = List.copyOf(new LinkedHashSet<>(names));
    Graph exposed = expose(g, wanted);
    OrtSession session = null;
    if (!exposed.outputs().isEmpty()) {
      Path dir = Files.createTempDirectory("hwc-intermediates");
      try {
        Path model = dir.resolve("observed.onnx");
        new OnnxEmitter().emit(exposed, model);
        session = OrtSession.open(model, options);
      } finally {
        deleteTree(dir); // ONNX Runtime has read the model (and any external data) by now
      }
    }
    return new IntermediateRunner(wanted, g.inputs().stream().map(Value::name).toList(), session);
  }

  /**
   * A copy of {@code g} whose outputs are exactly the node outputs among {@code names} (graph inputs
   * among them need no output), each with its inferred type, and without the nodes none of them
   * needs.
   */
  public static Graph expose(Graph g, Collection<String> names) {
    Graph typed = ShapeInference.run(g);
    List<Value> outputs = new ArrayList<>();
    for (String name : new LinkedHashSet<>(names)) {
      if (typed.isGraphInput(name)) {
        continue;
      }
      if (typed.isInitializer(name)) {
        throw new IllegalArgumentException("'" + name + "' is a constant (initializer) of " + g.name() + ", not an activation");
      }
      Node producer = typed.producer(name);
      if (producer == null) {
        throw new IllegalArgumentException("no value named '" + name + "' in " + g.name());
      }
      Value t = typed.type(name);
      outputs.add(t == null ? new Value(name, DType.UNDEFINED, null) : t.withName(name));
    }
    Graph.Editor e = typed.edit();
    e.outputs().clear();
    e.outputs().addAll(outputs);
    return new EliminateDeadNodes().run(e.build(), PassContext.defaults());
  }

  /** The requested values for one sample, in the order they were asked for. */
  public Map<String, Tensor> run(Map<String, Tensor> sample) throws Exception {
    Map<String, Tensor> computed = Map.of();
    if (session != null) {
      Map<String, Tensor> feed = new LinkedHashMap<>();
      for (String in : graphInputs) {
        if (sample.containsKey(in)) {
          feed.put(in, sample.get(in));
        }
      }
      computed = session.run(feed);
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String name : names) {
      Tensor t = graphInputs.contains(name) ? sample.get(name) : computed.get(name);
      if (t == null) {
        throw new IllegalStateException(graphInputs.contains(name)
            ? "the sample lacks graph input '" + name + "'" : "ONNX Runtime returned no value '" + name + "'");
      }
      out.put(name, t);
    }
    return out;
  }

  /** The values each run returns, in order. */
  public List<String> names() {
    return names;
  }

  /** The runtime, for reports; "no runtime" when every requested value is a graph input. */
  public String describe() {
    return session == null ? "no runtime (graph inputs only)" : session.describe();
  }

  @Override
  public void close() {
    if (session != null) {
      session.close();
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the temporary folder " + dir, e);
    }
  }
}

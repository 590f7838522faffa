package dev.hwc.hwtests;

import dev.hwc.backends.Runtime;
import dev.hwc.backends.RuntimeSession;
import dev.hwc.backends.SessionOptions;
import dev.hwc.backends.onnx.OnnxRuntime;
import dev.hwc.backends.onnx.OrtChain;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;

/**
 * Compares candidate artifacts with a reference model on an eval set, per output. The reference
 * runs once per sample and its outputs are kept, so every candidate (a quantization plan, a
 * fallback step) is judged on the same numbers.
 */
public final class Evaluation implements AutoCloseable {
  private final Runtime runtime;
  private final SampleSet samples;
  private final SessionOptions candidateOptions;
  private final Map<String, OutputKind> kinds;
  /** The reference outputs per sample: computed in the constructor, or on a thread of its own (see there). */
  private final FutureTask<Reference> reference;
  /** Whether the reference is computed on a thread of its own (a model run in parts), else when first needed. */
  private final boolean beside;
  private int lastParts = 1;
  private int candidateParts = 1;

  /** @param kinds output kinds (masks and labels get IoU per channel); see {@link OutputKind#infer} */
  public Evaluation(Runtime runtime, Path referenceModel, SampleSet samples, Map<String, OutputKind> kinds)
      throws Exception {
    this(runtime, referenceModel, runtime, samples, kinds);
  }

  /**
   * The reference model runs on {@code referenceRuntime} (ONNX Runtime for an ONNX source), the
   * candidates on {@code runtime}, seen with the source's IO (float, source layout; see
   * {@link SessionOptions#sourceIo()}), so a TFLite artifact is judged against the ONNX model itself.
   */
  public Evaluation(Runtime referenceRuntime, Path referenceModel, Runtime runtime, SampleSet samples,
      Map<String, OutputKind> kinds) throws Exception {
    this(referenceRuntime, referenceModel, null, runtime, samples, kinds);
  }

  /**
   * As above; {@code referenceGraph} (hwc's typed graph of the reference model file, or null) lets a very
   * large ONNX model run on ONNX Runtime in parts ({@link OrtChain}: above {@link OrtChain#THRESHOLD_NODES}
   * nodes), the same computation, without ONNX Runtime's superlinear session creation. Such a reference is
   * computed on a thread of its own from here on, beside the caller's work, with the options of
   * {@link #REFERENCE_IN_PARTS}; any other is computed when first needed (the first comparison), so
   * constructing an evaluation early costs nothing.
   */
  public Evaluation(Runtime referenceRuntime, Path referenceModel, Graph referenceGraph, Runtime runtime,
      SampleSet samples, Map<String, OutputKind> kinds) throws Exception {
    this.runtime = runtime;
    this.samples = samples;
    this.kinds = Map.copyOf(kinds);
    this.candidateOptions = SessionOptions.SOURCE_IO;
    List<Map<String, Tensor>> feeds = feeds(samples.size());
    beside = inParts(referenceRuntime, referenceModel, referenceGraph);
    if (beside) {
      // a reference in parts is most of a very large build's time and needs nothing the build makes: it is
      // computed beside the build (the passes, the candidate's check), joined when first needed
      FutureTask<Reference> task = new FutureTask<>(() -> {
        OrtChain chain = OrtChain.cut(referenceModel, referenceGraph::type, OrtChain.PART_NODES);
        return chain == null
            ? new Reference(runWhole(referenceRuntime, referenceModel, SessionOptions.DEFAULT, feeds), 1)
            : new Reference(chain.runAll(feeds, REFERENCE_IN_PARTS), chain.parts());
      });
      Thread t = new Thread(task, "hwc-reference-outputs");
      t.setDaemon(true);
      t.start();
      reference = task;
    } else { // computed when first needed, on the thread that needs it, before any candidate runs
      reference = new FutureTask<>(
          () -> new Reference(runWhole(referenceRuntime, referenceModel, SessionOptions.DEFAULT, feeds), 1));
    }
  }

  /**
   * The session options of the input model's sessions when it is run in parts: ONNX Runtime's graph
   * optimizations off, so each node runs as the model writes it, one kernel per op. The reference is the
   * input model's own computation; ONNX Runtime's rewrites (fusions, layout changes) are the deployed
   * runtime's business, and the artifact is still run with its session options as deployed and judged
   * against this. Session creation without the optimizer costs about 30% less (bench/RESULTS.md), which at
   * a million nodes is most of what creating the reference's sessions costs. A model run whole keeps the
   * default options, as before.
   */
  public static final SessionOptions REFERENCE_IN_PARTS = new SessionOptions(0, false, false);

  /** A model's outputs per sample, and how many parts it ran in (1: whole). */
  private record Reference(List<Map<String, Tensor>> outputs, int parts) {}

  public int size() {
    return samples.size();
  }

  /** Per-output fidelity of a candidate over the whole eval set (or its first {@code limit} samples). */
  public List<OutputFidelity> compare(Path candidate, int limit) throws Exception {
    return compare(candidate, null, limit);
  }

  /**
   * As {@link #compare(Path, int)}; {@code emittedFrom} (the typed graph the ONNX candidate was written
   * from, or null) lets a very large one run in parts, as the reference does.
   */
  public List<OutputFidelity> compare(Path candidate, Graph emittedFrom, int limit) throws Exception {
    Fidelity f = new Fidelity(kinds);
    List<Map<String, Tensor>> feeds = feeds(limit);
    List<Map<String, Tensor>> got;
    if (!beside) {
      reference();
    }
    try {
      got = runAll(runtime, candidate, emittedFrom, candidateOptions, feeds);
    } catch (Exception e) {
      reference(); // the reference's own failure comes first, as when it was computed before the candidate
      throw e;
    }
    candidateParts = lastParts;
    List<Map<String, Tensor>> want = reference().outputs();
    for (int i = 0; i < got.size(); i++) {
      f.add(feeds.get(i), want.get(i), got.get(i));
    }
    return f.results();
  }

  /**
   * Computes the reference outputs now when they are computed when first needed (a whole model); returns at
   * once when they are being computed beside (a model in parts). Returns how many parts the reference runs in
   * when known, else 0.
   */
  public int computeReference() throws Exception {
    return !beside || reference.isDone() ? reference().parts() : 0;
  }

  /** The reference outputs, waited for when they are computed beside the build; what computing them threw. */
  private Reference reference() throws Exception {
    if (!beside) {
      reference.run(); // once: a finished task does not run again
    }
    return dev.hwc.common.Futures.await(reference);
  }

  /** The first {@code limit} samples (all of them when there are fewer). */
  private List<Map<String, Tensor>> feeds(int limit) {
    List<Map<String, Tensor>> feeds = new ArrayList<>();
    for (int i = 0; i < Math.min(limit, samples.size()); i++) {
      feeds.add(samples.get(i));
    }
    return feeds;
  }

  /**
   * Whether a model is run in parts ({@link OrtChain}) when it can be cut: an ONNX model on ONNX Runtime whose
   * graph has more than {@link OrtChain#THRESHOLD_NODES} nodes.
   */
  private static boolean inParts(Runtime rt, Path model, Graph graph) {
    return graph != null && rt instanceof OnnxRuntime && graph.nodes().size() > OrtChain.THRESHOLD_NODES
        && model.getFileName().toString().endsWith(".onnx");
  }

  /** The feeds through a model: in one session, or part by part when it is run in parts and can be cut. */
  private List<Map<String, Tensor>> runAll(Runtime rt, Path model, Graph graph, SessionOptions options,
      List<Map<String, Tensor>> feeds) throws Exception {
    OrtChain chain = inParts(rt, model, graph) ? OrtChain.cut(model, graph::type, OrtChain.PART_NODES) : null;
    lastParts = chain == null ? 1 : chain.parts();
    return chain != null ? chain.runAll(feeds, options) : runWhole(rt, model, options, feeds);
  }

  private static List<Map<String, Tensor>> runWhole(Runtime rt, Path model, SessionOptions options,
      List<Map<String, Tensor>> feeds) throws Exception {
    List<Map<String, Tensor>> out = new ArrayList<>();
    try (RuntimeSession s = rt.open(model, options)) {
      for (Map<String, Tensor> feed : feeds) {
        out.add(s.run(feed));
      }
    }
    return out;
  }

  /** How many parts the reference model ran in (1: whole). */
  public int referenceParts() throws Exception {
    return reference().parts();
  }

  /** How many parts the last candidate compared by file ran in (1: whole). */
  public int candidateParts() {
    return candidateParts;
  }

  /**
   * As {@link #compare(Path, int)} for a serialized ONNX candidate held in memory, or null when the
   * candidates' runtime takes no ONNX bytes (the caller then writes the file and compares that).
   */
  public List<OutputFidelity> compareOnnxBytes(byte[] candidate, int limit) throws Exception {
    List<Map<String, Tensor>> want = reference().outputs();
    RuntimeSession s = runtime.openOnnxBytes(candidate, "in-memory plan", candidateOptions);
    if (s == null) {
      return null;
    }
    Fidelity f = new Fidelity(kinds);
    try (s) {
      for (int i = 0; i < Math.min(limit, samples.size()); i++) {
        Map<String, Tensor> in = samples.get(i);
        f.add(in, want.get(i), s.run(in));
      }
    }
    return f.results();
  }

  public List<OutputFidelity> compare(Path candidate) throws Exception {
    return compare(candidate, Integer.MAX_VALUE);
  }

  /** A candidate opened the way the comparisons open it. */
  public RuntimeSession open(Path candidate) throws Exception {
    return runtime.open(candidate, candidateOptions);
  }

  /** The runtime the candidates run on. */
  public Runtime runtime() {
    return runtime;
  }

  /** The reference outputs of sample i. */
  public Map<String, Tensor> referenceOutputs(int i) throws Exception {
    return reference().outputs().get(i);
  }

  public SampleSet samples() {
    return samples;
  }

  /**
   * Stops a reference being computed beside the build (a build that failed before its first comparison need not
   * wait for it, nor leave it running): its thread is interrupted and stops before its next part. Nothing
   * happens to a reference already computed, or to one computed when first needed.
   */
  @Override
  public void close() {
    if (beside) {
      reference.cancel(true);
    }
  }
}

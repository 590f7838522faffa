package dev.hwc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hwc.backends.TargetLegality;
import dev.hwc.compiler.analysis.Legality;
import dev.hwc.compiler.analysis.ModelStats;
import dev.hwc.compiler.frontend.Frontends;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.GraphValidator;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.compiler.passes.Pipeline;
import dev.hwc.profiles.Profile;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code hwc inspect MODEL}: what the model is made of, and which targets can run which of its ops. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Show a model's inputs, outputs, op histogram, parameters, MACs, and per target which ops are legal and why not.")
final class InspectCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MODEL", description = "The model file (.onnx).")
  Path model;

  @Option(names = "--target", paramLabel = "ID", split = ",",
      description = "Only these targets (default: all).")
  List<String> only = new ArrayList<>();

  @Option(names = "--shape", paramLabel = "NAME=AxB", description = "Fix an input's shape, e.g. input_ids=1x128 (repeatable).")
  List<String> shapes = new ArrayList<>();

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Mixin TargetOptions targets = new TargetOptions();

  @Spec CommandSpec spec;

  /** Legality of one target, summarised; {@code unit}: what was counted (IR nodes, or the lowered TFLite ops). */
  record TargetSummary(String target, String unit, long supported, long unsupported, long cpuAfterPartition,
      String firstUnsupported, Map<String, String> unsupportedOps) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Graph g = GraphValidator.check(ShapeInference.run(Frontends.read(model)));
    if (!shapes.isEmpty()) {
      g = ShapeInference.bindInputs(g, ShapeOption.parse(shapes));
    }
    Graph optimized = Pipeline.standard().run(g);
    ModelStats stats = ModelStats.of(g);
    // MACs from the optimized graph: the passes keep every product but make shapes known (folded shape chains)
    long macs = ModelStats.of(optimized).macs();
    List<TargetSummary> legality = new ArrayList<>();
    for (Profile p : targets.all()) {
      if (only.isEmpty() || only.contains(p.id())) {
        // what the build enforces and reports: the backend's rewrites and lowering, then the profile
        legality.add(summarise(TargetLegality.check(optimized, p)));
      }
    }
    if (json) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("model", model.toString());
      r.put("bytes", Files.size(model));
      r.put("opset", g.opset());
      r.put("inputs", g.inputs().stream().map(InspectCommand::describe).toList());
      r.put("outputs", g.outputs().stream().map(InspectCommand::describe).toList());
      r.put("stats", stats);
      r.put("macs", macs);
      r.put("nodesAfterOptimization", optimized.nodes().size());
      r.put("legality", legality);
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
      return Hwc.OK;
    }
    out.printf("model    %s  (ONNX opset %d, %s)%n", model, g.opset(), Format.bytes(Files.size(model)));
    Table io = new Table("", "name", "type", "shape");
    g.inputs().forEach(v -> io.row("input", v.name(), v.dtype().shortName(), v.shape()));
    g.outputs().forEach(v -> io.row("output", v.name(), v.dtype().shortName(), v.shape()));
    io.print(out);
    out.printf("%nnodes %d (%d after hwc's fp32 passes)   parameters %s (%s)   MACs %s%n", stats.nodes(),
        optimized.nodes().size(), Format.count(stats.parameters()), Format.bytes(stats.parameterBytes()),
        macs >= 0 ? Format.count(macs)
            : "unknown: symbolic dims " + ModelStats.inputSymbols(g) + " (fix them with --shape)");
    out.println();
    Table hist = new Table("op", "count");
    stats.opHistogram().entrySet().stream()
        .sorted((a, b) -> b.getValue() - a.getValue())
        .forEach(e -> hist.row(e.getKey(), e.getValue()));
    hist.print(out);
    out.println();
    out.println("legality per target (after hwc's fp32 passes; precision is the quantizer's job):");
    Table t = new Table("target", "supported", "unsupported", "on CPU after split", "first unsupported");
    for (TargetSummary l : legality) {
      t.row(l.target(), l.supported() + "/" + (l.supported() + l.unsupported() + l.cpuAfterPartition())
          + (l.unit().equals(TargetLegality.Unit.NODES.toString()) ? "" : " " + l.unit()),
          l.unsupported(), l.cpuAfterPartition(), l.firstUnsupported() == null ? "-" : l.firstUnsupported());
    }
    t.print(out);
    for (TargetSummary l : legality) {
      if (!l.unsupportedOps().isEmpty()) {
        out.printf("%n%s: why not%n", l.target());
        l.unsupportedOps().forEach((op, why) -> out.printf("  %-20s %s%n", op, why));
      }
    }
    return Hwc.OK;
  }

  private static TargetSummary summarise(TargetLegality.Result r) {
    // one line per op with its first reason; ops held back only by symbolic shapes share one line
    Map<String, String> why = new TreeMap<>();
    Map<String, Integer> count = new TreeMap<>();
    java.util.Set<String> shapeOnly = new java.util.TreeSet<>();
    for (TargetLegality.Verdict v : r.verdicts()) {
      if (v.status() == TargetLegality.Status.UNSUPPORTED) {
        String reason = v.reasons().get(0);
        if (reason.startsWith(Legality.STATIC_SHAPES)) {
          shapeOnly.add(v.op());
          continue;
        }
        count.merge(v.op(), 1, Integer::sum);
        why.putIfAbsent(v.op(), reason);
      }
    }
    Map<String, String> ops = new LinkedHashMap<>();
    why.forEach((op, reason) -> ops.put(op, "x" + count.get(op) + "  " + reason));
    if (!shapeOnly.isEmpty()) {
      ops.put("(symbolic shapes)", Legality.STATIC_SHAPES + " (fix them with --shape): " + String.join(", ", shapeOnly));
    }
    return new TargetSummary(r.target(), r.unit().toString(), r.count(TargetLegality.Status.SUPPORTED),
        r.count(TargetLegality.Status.UNSUPPORTED), r.count(TargetLegality.Status.CPU_AFTER_PARTITION),
        r.firstUnsupportedDescribed().orElse(null), ops);
  }

  private static Map<String, String> describe(Value v) {
    return Map.of("name", v.name(), "dtype", v.dtype().shortName(), "shape", v.shape().toString());
  }
}

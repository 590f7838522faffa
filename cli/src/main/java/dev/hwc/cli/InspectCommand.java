package dev.hwc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hwc.build.Compiler;
import dev.hwc.build.Format;
import dev.hwc.build.InspectRequest;
import dev.hwc.build.InspectResult;
import dev.hwc.compiler.analysis.ModelStats;
import dev.hwc.compiler.ir.Value;
import dev.hwc.profiles.Profile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<Profile> all = targets.all();
    for (String id : only) { // an unknown id is an error, not an empty table
      if (all.stream().noneMatch(p -> p.id().equals(id))) {
        targets.resolve(id);
      }
    }
    List<Profile> chosen = new ArrayList<>();
    for (Profile p : all) {
      if (only.isEmpty() || only.contains(p.id())) {
        chosen.add(p);
      }
    }
    InspectResult r = Compiler.inspect(new InspectRequest(model, chosen, ShapeOption.parse(shapes)));
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("model", model.toString());
      doc.put("bytes", r.bytes());
      doc.put("opset", r.opset());
      doc.put("inputs", r.inputs().stream().map(InspectCommand::describe).toList());
      doc.put("outputs", r.outputs().stream().map(InspectCommand::describe).toList());
      doc.put("stats", r.stats());
      doc.put("macs", r.macs());
      doc.put("nodesAfterOptimization", r.nodesAfterOptimization());
      doc.put("legality", r.legality());
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
      return Hwc.OK;
    }
    out.printf("model    %s  (ONNX opset %d, %s)%n", model, r.opset(), Format.bytes(r.bytes()));
    Table io = new Table("", "name", "type", "shape");
    r.inputs().forEach(v -> io.row("input", v.name(), v.dtype().shortName(), v.shape()));
    r.outputs().forEach(v -> io.row("output", v.name(), v.dtype().shortName(), v.shape()));
    io.print(out);
    ModelStats stats = r.stats();
    out.printf("%nnodes %d (%d after hwc's fp32 passes)   parameters %s (%s)   MACs %s%n", stats.nodes(),
        r.nodesAfterOptimization(), Format.count(stats.parameters()), Format.bytes(stats.parameterBytes()),
        r.macs() >= 0 ? Format.count(r.macs())
            : "unknown: symbolic dims " + r.symbolicDims() + " (fix them with --shape)");
    out.println();
    Table hist = new Table("op", "count");
    stats.opHistogram().entrySet().stream()
        .sorted((a, b) -> b.getValue() - a.getValue())
        .forEach(e -> hist.row(e.getKey(), e.getValue()));
    hist.print(out);
    out.println();
    out.println("legality per target (after hwc's fp32 passes; precision is the quantizer's job):");
    Table t = new Table("target", "supported", "unsupported", "on CPU after split", "first unsupported");
    for (InspectResult.TargetLegality l : r.legality()) {
      t.row(l.target(), l.supported() + "/" + (l.supported() + l.unsupported() + l.cpuAfterPartition())
          + (l.unit().equals(dev.hwc.backends.TargetLegality.Unit.NODES.toString()) ? "" : " " + l.unit()),
          l.unsupported(), l.cpuAfterPartition(), l.firstUnsupported() == null ? "-" : l.firstUnsupported());
    }
    t.print(out);
    for (InspectResult.TargetLegality l : r.legality()) {
      if (!l.unsupportedOps().isEmpty()) {
        out.printf("%n%s: why not%n", l.target());
        l.unsupportedOps().forEach((op, why) -> out.printf("  %-20s %s%n", op, why));
      }
    }
    return Hwc.OK;
  }

  private static Map<String, String> describe(Value v) {
    return Map.of("name", v.name(), "dtype", v.dtype().shortName(), "shape", v.shape().toString());
  }
}

package dev.hwc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hwc.profiles.Profile;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code hwc targets}: the capability profiles as a table. */
@Command(name = "targets", mixinStandardHelpOptions = true,
    description = "List the targets hwc knows: artifact, runtime, legal precisions, ops, limits.")
final class TargetsCommand implements Callable<Integer> {
  @Mixin TargetOptions targets = new TargetOptions();

  @Option(names = "--json", description = "Print the profiles as JSON.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<Profile> all = targets.all();
    if (json) {
      ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Profile p : all) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("source", p.source());
        row.put("profile", p);
        rows.add(row);
      }
      out.println(m.writeValueAsString(rows));
      return Hwc.OK;
    }
    Table t = new Table("target", "artifact", "runtime", "weights", "activations", "graph IO", "ops", "limits", "description");
    for (Profile p : all) {
      List<String> limits = new ArrayList<>();
      if (p.shapes().staticShapes()) {
        limits.add("static shapes");
      }
      if (p.shapes().maxBatch() != null) {
        limits.add("batch<=" + p.shapes().maxBatch());
      }
      if (p.memory().onChipParamBytes() != null) {
        limits.add(p.memory().onChipParamBytes() / (1024 * 1024) + " MiB on-chip");
      }
      if (!p.partitioning().isPerOpFallback()) {
        limits.add(p.partitioning().mode().id());
      }
      t.row(p.id(), p.artifact(), p.runtime(), String.join("/", p.precisions().weights()),
          String.join("/", p.precisions().activations()), String.join("/", p.precisions().io()),
          Integer.toString(p.ops().size()), String.join(", ", limits), p.description());
    }
    t.print(out);
    return Hwc.OK;
  }
}

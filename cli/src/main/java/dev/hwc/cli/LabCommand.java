package dev.hwc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hwc.hwtests.bench.BenchOptions;
import dev.hwc.hwtests.lab.LabReport;
import dev.hwc.hwtests.lab.LabRun;
import dev.hwc.hwtests.lab.LabRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code hwc lab ...}: measurement campaigns over models × targets. */
@Command(name = "lab", mixinStandardHelpOptions = true, subcommands = LabCommand.Run.class,
    description = "Lab runs: measure a matrix of models x targets/runtimes (x thread counts) and report it.")
final class LabCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return Hwc.BAD_INPUT;
  }

  /** {@code hwc lab run PLAN.yaml}. */
  @Command(name = "run", mixinStandardHelpOptions = true,
      description = {"Run a lab plan: every model x target x thread count through the measuring harness.",
          "Rows needing hardware this machine lacks (gpu, edgetpu) or a runtime it lacks are skipped with the reason.",
          "Writes <name>-<time>.json (schema: hwc-lab-run/1), .md and .html into the output folder."})
  static final class Run implements Callable<Integer> {
    @Parameters(paramLabel = "PLAN", description = "The plan (YAML).")
    Path plan;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", defaultValue = "hwc-out/lab",
        description = "Output folder (default: ${DEFAULT-VALUE}); each run adds its own files.")
    Path out;

    @Option(names = "--json", description = "Print the run as JSON instead of the Markdown table.")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter o = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      LabRunner.Written w = LabRunner.run(plan, out, BenchOptions.defaults(), msg -> {
        if (!json) {
          err.println("hwc lab: " + msg);
        }
      });
      if (json) {
        o.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(w.run()));
      } else {
        o.print(LabReport.markdown(w.run()));
        o.printf("%nwrote %s, %s, %s%n", w.json(), w.markdown(), w.html());
      }
      boolean failed = w.run().rows().stream().map(LabRun.Row::status).anyMatch("failed"::equals);
      return failed ? Hwc.BAD_INPUT : Hwc.OK;
    }
  }
}

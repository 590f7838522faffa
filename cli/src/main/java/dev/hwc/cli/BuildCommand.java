package dev.hwc.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code hwc build --target T MODEL -o DIR}: optimize, emit and check an artifact for a target. */
@Command(name = "build", mixinStandardHelpOptions = true,
    description = {"Compile a model for a target: optimize it, emit the target's artifact, and check it on a real runtime.",
        "Without MODEL, builds the example model bundled with hwc."})
final class BuildCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MODEL", arity = "0..1", description = "The model file (.onnx). Default: the bundled example.")
  Path model;

  @Option(names = "--target", paramLabel = "ID", description = "Target id (see 'hwc targets').")
  String target;

  @Option(names = {"-o", "--output"}, paramLabel = "DIR",
      description = "Output folder (default: hwc-out/<model>-<target>). Written whole at the end, or not at all.")
  Path output;

  @Option(names = "--force", description = "Replace the output folder if it exists.")
  boolean force;

  @Option(names = "--shape", paramLabel = "NAME=AxB", description = "Fix an input's shape, e.g. input_ids=1x128 (repeatable).")
  List<String> shapes = new ArrayList<>();

  @Option(names = "--samples", paramLabel = "N", defaultValue = "8",
      description = "Seeded random input samples for the fidelity check (default: ${DEFAULT-VALUE}).")
  int samples;

  @Mixin TargetOptions targets = new TargetOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (samples < 1) {
      throw new dev.hwc.profiles.BadInputException("--samples must be at least 1");
    }
    BuildJob job = new BuildJob(targets.resolve(target), ModelSource.resolve(model), model == null,
        output, force, ShapeOption.parse(shapes), samples, spec.commandLine().getOut());
    return job.run();
  }
}

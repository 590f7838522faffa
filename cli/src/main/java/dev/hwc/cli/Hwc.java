package dev.hwc.cli;

import dev.hwc.build.CheckFailedException;
import dev.hwc.common.BadInputException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The hwc command line: git-style subcommands. Exit codes: 0 success, 1 a check failed (accuracy
 * gate, required speed-up), 2 bad input or usage, 3 an internal error (a bug in hwc).
 */
@Command(
    name = "hwc",
    mixinStandardHelpOptions = true,
    versionProvider = Hwc.Version.class,
    description = "hwc: compiles trained neural networks for the hardware they will run on.",
    subcommands = {TargetsCommand.class, InspectCommand.class, BuildCommand.class, SweepCommand.class, BenchCommand.class,
        RunCommand.class, LabCommand.class})
public final class Hwc implements Callable<Integer> {
  public static final int OK = 0;
  public static final int CHECK_FAILED = 1;
  public static final int BAD_INPUT = 2;
  public static final int INTERNAL_ERROR = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Native runtime logs (ONNX Runtime warnings, TFLite information) on stderr; quiet by default. */
  @CommandLine.Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
      description = "Show the native runtimes' own log lines (ONNX Runtime, TFLite) on stderr; also HWC_VERBOSE=1.")
  void verbose(boolean on) {
    if (on) {
      System.setProperty(dev.hwc.backends.NativeLogs.PROPERTY, "true");
    }
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return BAD_INPUT;
  }

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs hwc with the given streams; returns the exit code (used by tests too). */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Hwc());
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler((ex, a) -> {
      err.println("hwc: " + oneLine(ex.getMessage()) + " (see 'hwc " + commandPath(ex.getCommandLine()) + "--help')");
      return BAD_INPUT;
    });
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      if (ex instanceof BadInputException) {
        err.println("hwc: error: " + oneLine(ex.getMessage()));
        return BAD_INPUT;
      }
      if (ex instanceof java.nio.file.FileSystemException) { // a path the user gave: missing, unreadable, a loop
        err.println("hwc: error: " + oneLine(dev.hwc.common.IoProblem.describe(ex)));
        return BAD_INPUT;
      }
      if (ex instanceof CheckFailedException) {
        err.println("hwc: check failed: " + oneLine(ex.getMessage()));
        return CHECK_FAILED;
      }
      err.println("hwc: internal error: " + oneLine(String.valueOf(ex)) + " (please report it; set HWC_DEBUG=1 for the stack trace)");
      if (System.getenv("HWC_DEBUG") != null) {
        ex.printStackTrace(err);
      }
      return INTERNAL_ERROR;
    });
    return cl.execute(args);
  }

  private static String commandPath(CommandLine cl) {
    StringBuilder sb = new StringBuilder();
    for (CommandLine c = cl; c != null && c.getParent() != null; c = c.getParent()) {
      sb.insert(0, c.getCommandName() + " ");
    }
    return sb.toString();
  }

  static String oneLine(String s) {
    // control characters from user files (names, ids) are escaped, never sent raw to the terminal
    return s == null ? "" : dev.hwc.common.SafeFiles.printable(s.replace('\n', ' ').replace('\r', ' '));
  }

  /** The version Maven wrote into the build. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"hwc " + dev.hwc.backends.HwcVersion.VALUE};
    }
  }
}

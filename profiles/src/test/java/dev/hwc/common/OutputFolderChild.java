package dev.hwc.common;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A child JVM for {@link OutputFolderTest}: stages an output folder, writes into it, says where, and
 * waits to be killed (or, with "commit", commits and exits).
 */
public final class OutputFolderChild {
  private OutputFolderChild() {}

  public static void main(String[] args) throws Exception {
    OutputFolder f = OutputFolder.check(Path.of(args[0]), true, Map.of());
    Path s = f.stage();
    Files.createDirectories(s.resolve(".work"));
    Files.write(s.resolve(".work/candidate-1.onnx"), new byte[4096]);
    Files.writeString(s.resolve("report.json"), "{}");
    if (args.length > 1 && args[1].equals("commit")) {
      f.commit();
      System.out.println("committed");
      return;
    }
    System.out.println("staged " + s);
    System.out.flush();
    Thread.sleep(60_000);
    System.exit(9); // not killed: the test failed to signal
  }
}

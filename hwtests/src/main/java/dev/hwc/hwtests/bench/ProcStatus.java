package dev.hwc.hwtests.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory from /proc/self/status (Linux): peak (VmHWM) and current (VmRSS). */
public final class ProcStatus {
  private ProcStatus() {}

  /** Peak resident set size in bytes, or -1 where /proc is missing. */
  public static long peakRssBytes() {
    return field("VmHWM:");
  }

  /** Current resident set size in bytes, or -1 where /proc is missing. */
  public static long rssBytes() {
    return field("VmRSS:");
  }

  private static long field(String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(name)) {
          String[] parts = line.substring(name.length()).trim().split("\\s+");
          long kb = Long.parseLong(parts[0]);
          return kb * 1024;
        }
      }
      return -1;
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }
}

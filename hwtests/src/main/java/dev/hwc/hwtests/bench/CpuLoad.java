package dev.hwc.hwtests.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How busy the machine was with other work while hwc measured: the machine's CPU time from
 * /proc/stat (steal included: time the hypervisor gave our virtual CPUs to someone else) minus the
 * CPU time of hwc's own processes from /proc/PID/stat. Linux only; elsewhere nothing is reported.
 */
final class CpuLoad {
  /** Clock ticks per second of /proc's counters (USER_HZ; 100 on every mainstream Linux build). */
  static final double USER_HZ = 100;

  private CpuLoad() {}

  /** Machine busy ticks, own processes' ticks, and when. */
  record Snapshot(long machineBusy, long own, long nanos) {}

  /** This process and all its descendants (children wrapped by a prefix command included). */
  static Snapshot snapshot() {
    List<Long> pids = new java.util.ArrayList<>(List.of(ProcessHandle.current().pid()));
    ProcessHandle.current().descendants().forEach(p -> pids.add(p.pid()));
    return snapshot(pids);
  }

  static Snapshot snapshot(List<Long> pids) {
    long own = 0;
    for (long pid : pids) {
      long t = processTicks(pid);
      if (t < 0 && pid == ProcessHandle.current().pid()) {
        return null; // no /proc here
      }
      own += Math.max(0, t); // a descendant that just exited counts nothing
    }
    long busy = machineBusyTicks();
    return busy < 0 ? null : new Snapshot(busy, own, System.nanoTime());
  }

  /** Average cores used by other processes between two snapshots; null when either is missing. */
  static Double backgroundCores(Snapshot a, Snapshot b) {
    if (a == null || b == null || b.nanos() <= a.nanos()) {
      return null;
    }
    double seconds = (b.nanos() - a.nanos()) / 1e9;
    double other = (b.machineBusy() - a.machineBusy()) - (b.own() - a.own());
    return Math.max(0, other / USER_HZ / seconds);
  }

  /** user + nice + system + irq + softirq + steal over all CPUs (guest time is inside user). */
  static long machineBusyTicks() {
    try {
      String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = cpu.trim().split("\\s+");
      if (!f[0].equals("cpu") || f.length < 9) {
        return -1;
      }
      return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
          + Long.parseLong(f[7]) + Long.parseLong(f[8]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** utime + stime of a process (all its threads), or -1 when unreadable. */
  static long processTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      // after "pid (comm) ": state is field 3, utime field 14, stime field 15
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}

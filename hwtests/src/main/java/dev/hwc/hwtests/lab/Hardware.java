package dev.hwc.hwtests.lab;

import dev.hwc.common.BadInputException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The machine a lab run measures on, read from /proc and /sys: hostname, CPU model and the
 * instruction-set flags that decide inference speed, memory, and whether a CUDA device or an Edge
 * TPU is attached. Everything is read under a root folder, so tests can give a made-up one.
 *
 * @param hostname the kernel's hostname
 * @param os operating system name and version (from the JVM)
 * @param arch CPU architecture (from the JVM)
 * @param cpuModel "model name" (x86) or the implementer/part (ARM) from /proc/cpuinfo
 * @param logicalCpus processors the JVM may use
 * @param cpuFlags the flags from {@link #FLAGS} this CPU has, in that order
 * @param memoryBytes MemTotal
 * @param java the JVM's version
 * @param cudaDevice where an NVIDIA device was found (/dev/nvidia0), else null
 * @param edgeTpu where an Edge TPU was found (/dev/apex_0 or a Coral USB id), else null
 */
public record Hardware(String hostname, String os, String arch, String cpuModel, int logicalCpus, List<String> cpuFlags,
    long memoryBytes, String java, String cudaDevice, String edgeTpu) {

  /** CPU flags that matter for inference: x86 vector/matrix extensions, ARM dot-product and matrix ones. */
  public static final List<String> FLAGS = List.of("sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni", "avx512f",
      "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_int8", "amx_bf16",
      "asimd", "asimddp", "asimdhp", "i8mm", "bf16", "sve", "sve2");

  /** USB vendor:product ids of the Coral USB Accelerator (before and after its firmware loads). */
  public static final List<String> CORAL_USB_IDS = List.of("1a6e:089a", "18d1:9302");

  /** The hardware kinds a lab plan row can ask for. */
  public static final List<String> KINDS = List.of("cpu", "gpu", "edgetpu");

  public static Hardware detect() {
    return detect(Path.of("/"));
  }

  /** Reads the machine under {@code root} (normally "/"). */
  public static Hardware detect(Path root) {
    List<String> cpuinfo = lines(root.resolve("proc/cpuinfo"));
    String model = field(cpuinfo, "model name");
    if (model == null) {
      String impl = field(cpuinfo, "CPU implementer");
      String part = field(cpuinfo, "CPU part");
      model = impl == null ? "unknown" : "ARM implementer " + impl + " part " + part;
    }
    Set<String> have = new LinkedHashSet<>();
    String flags = field(cpuinfo, "flags");
    if (flags == null) {
      flags = field(cpuinfo, "Features");
    }
    if (flags != null) {
      have.addAll(Arrays.asList(flags.trim().split("\\s+")));
    }
    List<String> picked = FLAGS.stream().filter(have::contains).toList();
    String host = lines(root.resolve("proc/sys/kernel/hostname")).stream().findFirst().orElse("unknown").trim();
    long mem = -1;
    String total = field(lines(root.resolve("proc/meminfo")), "MemTotal");
    if (total != null) {
      mem = Long.parseLong(total.replace("kB", "").trim()) * 1024;
    }
    Path nvidia = root.resolve("dev/nvidia0");
    String cuda = Files.exists(nvidia) ? "/dev/nvidia0" : null;
    return new Hardware(host, System.getProperty("os.name") + " " + System.getProperty("os.version"),
        System.getProperty("os.arch"), model.trim(), Runtime.getRuntime().availableProcessors(), picked, mem,
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), cuda, edgeTpu(root));
  }

  /** /dev/apex_0 (PCIe/M.2 Coral), else a Coral USB id under /sys/bus/usb/devices; null when neither. */
  static String edgeTpu(Path root) {
    if (Files.exists(root.resolve("dev/apex_0"))) {
      return "/dev/apex_0";
    }
    Path usb = root.resolve("sys/bus/usb/devices");
    if (!Files.isDirectory(usb)) {
      return null;
    }
    try (DirectoryStream<Path> devices = Files.newDirectoryStream(usb)) {
      for (Path d : devices) {
        String vendor = first(d.resolve("idVendor"));
        String product = first(d.resolve("idProduct"));
        if (vendor != null && product != null
            && CORAL_USB_IDS.contains(vendor.toLowerCase(Locale.ROOT) + ":" + product.toLowerCase(Locale.ROOT))) {
          return "USB " + vendor + ":" + product + " (" + d.getFileName() + ")";
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  /** Why a row asking for this hardware cannot run here; empty when it can. */
  public Optional<String> lacks(String kind) {
    return switch (kind) {
      case "cpu" -> Optional.empty();
      case "gpu" -> cudaDevice != null ? Optional.empty()
          : Optional.of("no CUDA device on " + hostname + " (/dev/nvidia0 is missing)");
      case "edgetpu" -> edgeTpu != null ? Optional.empty()
          : Optional.of("no Edge TPU on " + hostname + " (/dev/apex_0 is missing and no Coral USB accelerator, "
              + String.join(" or ", CORAL_USB_IDS) + ", is attached)");
      default -> throw new BadInputException("unknown hardware '" + kind + "'; one of " + KINDS);
    };
  }

  /** "hostname: CPU model (flags)" for tables. */
  public String summary() {
    return hostname + ": " + cpuModel + " (" + (cpuFlags.isEmpty() ? "no listed flags" : String.join(" ", cpuFlags)) + ")";
  }

  private static String field(List<String> lines, String key) {
    for (String l : lines) {
      int colon = l.indexOf(':');
      if (colon > 0 && l.substring(0, colon).trim().equals(key)) {
        return l.substring(colon + 1).trim();
      }
    }
    return null;
  }

  private static String first(Path p) {
    List<String> l = lines(p);
    return l.isEmpty() ? null : l.get(0).trim();
  }

  private static List<String> lines(Path p) {
    try {
      return Files.isReadable(p) ? Files.readAllLines(p) : new ArrayList<>();
    } catch (IOException | java.io.UncheckedIOException e) {
      return new ArrayList<>();
    }
  }
}

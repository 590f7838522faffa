package dev.hwc.hwtests.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hardware detection on made-up /proc, /dev and /sys trees. */
class HardwareTest {
  @TempDir Path root;

  @Test
  void readsCpuFlagsHostAndMemory() throws Exception {
    Files.createDirectories(root.resolve("proc/sys/kernel"));
    Files.writeString(root.resolve("proc/sys/kernel/hostname"), "lab-7\n");
    Files.writeString(root.resolve("proc/meminfo"), "MemTotal:       24576000 kB\nMemFree: 1 kB\n");
    Files.writeString(root.resolve("proc/cpuinfo"), """
        processor\t: 0
        model name\t: AMD EPYC 9R14 96-Core Processor
        flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512bw avx512vl avx512_vnni avx512_bf16 amx_tile
        """);
    Hardware h = Hardware.detect(root);
    assertEquals("lab-7", h.hostname());
    assertEquals("AMD EPYC 9R14 96-Core Processor", h.cpuModel());
    assertEquals(List.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16",
        "amx_tile"), h.cpuFlags());
    assertEquals(24576000L * 1024, h.memoryBytes());
    assertNull(h.cudaDevice());
    assertTrue(h.lacks("gpu").orElseThrow().contains("/dev/nvidia0 is missing"));
    assertTrue(h.lacks("edgetpu").orElseThrow().contains("no Edge TPU on lab-7"));
    assertTrue(h.lacks("cpu").isEmpty());
  }

  @Test
  void armFeaturesCount() throws Exception {
    Files.createDirectories(root.resolve("proc"));
    Files.writeString(root.resolve("proc/cpuinfo"), "processor : 0\nFeatures : fp asimd asimddp i8mm bf16\n"
        + "CPU implementer : 0x41\nCPU part : 0xd0c\n");
    Hardware h = Hardware.detect(root);
    assertEquals(List.of("asimd", "asimddp", "i8mm", "bf16"), h.cpuFlags());
    assertEquals("ARM implementer 0x41 part 0xd0c", h.cpuModel());
  }

  @Test
  void findsCoralOnUsbAndPcieAndNvidia() throws Exception {
    Path dev = Files.createDirectories(root.resolve("sys/bus/usb/devices/2-1"));
    Files.writeString(dev.resolve("idVendor"), "18d1\n");
    Files.writeString(dev.resolve("idProduct"), "9302\n");
    Path other = Files.createDirectories(root.resolve("sys/bus/usb/devices/1-1"));
    Files.writeString(other.resolve("idVendor"), "1d6b\n");
    Files.writeString(other.resolve("idProduct"), "0002\n");
    assertEquals("USB 18d1:9302 (2-1)", Hardware.detect(root).edgeTpu());
    assertTrue(Hardware.detect(root).lacks("edgetpu").isEmpty());

    Files.createDirectories(root.resolve("dev"));
    Files.createFile(root.resolve("dev/apex_0"));
    Files.createFile(root.resolve("dev/nvidia0"));
    Hardware h = Hardware.detect(root);
    assertEquals("/dev/apex_0", h.edgeTpu());
    assertEquals("/dev/nvidia0", h.cudaDevice());
    assertTrue(h.lacks("gpu").isEmpty());
  }
}

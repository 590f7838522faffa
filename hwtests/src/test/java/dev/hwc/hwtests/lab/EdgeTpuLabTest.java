package dev.hwc.hwtests.lab;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Hardware lab: runs only with -Phardware on a machine with a Coral Edge TPU (checked, else skipped). */
@Tag("edgetpu")
class EdgeTpuLabTest {
  @Test
  void edgeTpuIsDetected() {
    Hardware host = Hardware.detect();
    assumeTrue(host.edgeTpu() != null, "no Edge TPU here (/dev/apex_0 or Coral USB 1a6e:089a / 18d1:9302)");
    assertTrue(host.lacks("edgetpu").isEmpty());
    assertTrue(host.edgeTpu().equals("/dev/apex_0") || host.edgeTpu().startsWith("USB "), host.edgeTpu());
  }
}

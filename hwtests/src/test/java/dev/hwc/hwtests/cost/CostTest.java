package dev.hwc.hwtests.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.common.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EUR per month for one price sheet, checked against figures worked out by hand. */
class CostTest {
  @TempDir Path dir;

  static final String SHEET = """
      currency: EUR
      hoursPerMonth: 730
      deployments:
        - id: fn
          kind: serverless
          perGbSecond: 0.00001
          perMillionRequests: 0.2
          minMemoryMb: 128
          maxMemoryMb: 1024
          memoryStepMb: 64
          durationStepMs: 1
          memoryHeadroom: 1.0
        - id: vm
          kind: instance
          device: cpu
          monthly: 100
          vcpus: 4
          memoryGb: 8
          targetUtilization: 0.5
          minInstances: 1
        - id: gpu
          kind: instance
          device: gpu
          monthly: 900
          vcpus: 8
          memoryGb: 32
          targetUtilization: 0.5
          minInstances: 1
      """;

  /** 300 MiB resident, 12.3 ms mean latency, 2 threads. */
  static final Cost.Usage USAGE = new Cost.Usage(300L << 20, 12.3, 2);

  @Test
  void figuresMatchAHandComputation() throws Exception {
    PriceSheet sheet = PriceSheet.load(Files.writeString(dir.resolve("prices.yaml"), SHEET));
    List<Cost.Line> at10 = Cost.estimate(sheet, USAGE, 10);
    // serverless at 10 requests/s:
    //   requests  = 10 * 3600 * 730                  = 26,280,000 per month
    //   memory    = ceil(300 / 64) * 64 MB            = 320 MB = 0.3125 GB
    //   duration  = ceil(12.3 ms / 1 ms)              = 13 ms
    //   GB-s      = 26,280,000 * 0.013 s * 0.3125 GB = 106,762.5
    //   compute   = 106,762.5 * 1e-5                  = 1.067625 EUR
    //   requests  = 26.28 million * 0.2               = 5.256 EUR
    assertEquals(6.323625, at10.get(0).perMonth(), 1e-9);
    assertEquals("EUR", at10.get(0).currency());
    // vm: workers = min(4 vCPUs / 2 threads, 8 GB / 0.293 GB) = 2; capacity = 2 * (1000 / 12.3) * 0.5
    //     = 81.3 requests/s per instance: 10/s needs 1 instance = 100 EUR; 200/s needs ceil(2.46) = 3
    assertEquals(100, at10.get(1).perMonth(), 1e-9);
    assertEquals(300, Cost.estimate(sheet, USAGE, 200).get(1).perMonth(), 1e-9);
    // gpu: the always-on baseline, 900 EUR, whatever the rate
    assertEquals(900, at10.get(2).perMonth(), 1e-9);
    assertTrue(at10.get(2).baselineOnly());
    // the cheapest deployment priced by load at 10/s: the function (6.32 < 100)
    assertEquals("fn", Cost.cheapest(at10).orElseThrow().deployment());
    // at 200 requests/s the function costs 20x as much: 126.4725 EUR, the VM 300
    assertEquals(126.4725, Cost.estimate(sheet, USAGE, 200).get(0).perMonth(), 1e-9);
  }

  @Test
  void aModelTooBigForTheLargestSettingIsNotDeployable() throws Exception {
    PriceSheet sheet = PriceSheet.load(Files.writeString(dir.resolve("prices.yaml"), SHEET));
    Cost.Line fn = Cost.estimate(sheet, new Cost.Usage(2000L << 20, 5, 1), 1).get(0);
    assertFalse(fn.deployable());
    assertTrue(fn.basis().contains("above the largest setting"), fn.basis());
  }

  @Test
  void theBundledSheetLoadsAndPricesAGpuBaselineOf750To1800() {
    PriceSheet sheet = PriceSheet.defaults();
    assertEquals("EUR", sheet.currency());
    List<Cost.Line> lines = Cost.estimate(sheet, USAGE, 5);
    double gpuMin = lines.stream().filter(Cost.Line::baselineOnly).mapToDouble(Cost.Line::perMonth).min().orElseThrow();
    double gpuMax = lines.stream().filter(Cost.Line::baselineOnly).mapToDouble(Cost.Line::perMonth).max().orElseThrow();
    assertEquals(750, gpuMin, 1e-9);
    assertEquals(1800, gpuMax, 1e-9);
  }

  @Test
  void sheetErrorsNameFileAndLine() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "currency: EUR\nhoursPerMonth: 730\ndeployments:\n  - id: x\n    kind: serverless\n    perGBSecond: 1\n");
    BadInputException e = assertThrows(BadInputException.class, () -> PriceSheet.load(bad));
    assertTrue(e.getMessage().startsWith(bad + ":6: unknown field 'perGBSecond'"), e.getMessage());
    Path kind = Files.writeString(dir.resolve("kind.yaml"), "currency: EUR\nhoursPerMonth: 730\ndeployments:\n  - id: x\n    kind: spot\n");
    e = assertThrows(BadInputException.class, () -> PriceSheet.load(kind));
    assertTrue(e.getMessage().contains("kind must be serverless or instance"), e.getMessage());
  }
}

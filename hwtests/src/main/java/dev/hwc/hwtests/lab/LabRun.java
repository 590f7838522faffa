package dev.hwc.hwtests.lab;

import dev.hwc.hwtests.bench.BenchResult;
import dev.hwc.hwtests.cost.Cost;
import java.util.List;

/**
 * One {@code hwc lab run}: the machine, and one row per model × target × thread count. Written as
 * JSON; its schema is {@code dev/hwc/hwtests/lab/lab-run.schema.json} ({@link #SCHEMA}).
 *
 * @param schema the schema id and version, {@link #SCHEMA_ID}
 * @param name the plan's name
 * @param plan the plan file
 * @param hwcVersion the hwc that ran it
 * @param startedAt ISO-8601
 * @param finishedAt ISO-8601
 * @param host the machine
 * @param rows the matrix, in plan order (models outer, targets, then threads)
 */
public record LabRun(String schema, String name, String plan, String hwcVersion, String startedAt, String finishedAt,
    Hardware host, List<Row> rows) {
  public static final String SCHEMA_ID = "hwc-lab-run/1";
  /** Classpath resource of the JSON Schema describing this file. */
  public static final String SCHEMA = "/dev/hwc/hwtests/lab/lab-run.schema.json";

  /**
   * One cell of the matrix.
   *
   * @param model the plan's model name
   * @param artifact the model file
   * @param target the plan's target name
   * @param hardware cpu, gpu or edgetpu
   * @param runtime runtime id
   * @param threads threads asked for (0: runtime default)
   * @param status measured, skipped or failed
   * @param reason why it was skipped or failed (null when measured)
   * @param hostname the machine that ran the row
   * @param cpuModel its CPU
   * @param cpuFlags its inference-relevant CPU flags
   * @param runtimeVersion the runtime library's version (null when not loaded)
   * @param backgroundCpuCores other processes' CPU use during the timed rounds
   * @param measurement the harness's figures (null unless measured)
   * @param cost EUR (or the sheet's currency) per month per deployment (null without a cost section)
   */
  public record Row(String model, String artifact, String target, String hardware, String runtime, int threads,
      String status, String reason, String hostname, String cpuModel, List<String> cpuFlags, String runtimeVersion,
      Double backgroundCpuCores, BenchResult.Measurement measurement, List<Cost.Line> cost) {}
}

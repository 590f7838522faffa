package dev.hwc.hwtests.cost;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hwc.common.BadInputException;
import dev.hwc.common.SafeFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Prices for serving a model, user-editable YAML (the bundled defaults are in
 * {@code dev/hwc/hwtests/cost/default-prices.yaml}, illustrative, with their sources).
 *
 * @param currency currency of every price (EUR in the defaults)
 * @param hoursPerMonth hours in a billed month (730)
 * @param deployments the ways to serve a model
 */
public record PriceSheet(String currency, double hoursPerMonth, List<Deployment> deployments) {
  /** Largest file read: a plan or sheet is a few lines of YAML. */
  private static final long MAX_BYTES = 1 << 20;

  static final String DEFAULT_RESOURCE = "/dev/hwc/hwtests/cost/default-prices.yaml";

  /**
   * One way to serve a model. {@code kind: serverless} uses the per-GB-second fields;
   * {@code kind: instance} the monthly ones.
   *
   * @param id short name
   * @param kind "serverless" or "instance"
   * @param description one line for reports
   * @param perGbSecond serverless: price of one GB (1,024 MB) of configured memory for one second
   * @param perMillionRequests serverless: price of a million requests
   * @param minMemoryMb serverless: smallest memory setting
   * @param maxMemoryMb serverless: largest memory setting
   * @param memoryStepMb serverless: memory settings come in steps of this
   * @param durationStepMs serverless: each request's duration is rounded up to this
   * @param memoryHeadroom serverless: configured memory = peak RSS × this (≥ 1)
   * @param device instance: "cpu" or "gpu"; latency measured on a CPU prices only CPU instances by load
   * @param monthly instance: price of one instance for a month
   * @param vcpus instance: virtual CPUs
   * @param memoryGb instance: memory
   * @param targetUtilization instance: fraction of capacity planned to be busy (0, 1]
   * @param minInstances instance: always-on count
   */
  public record Deployment(String id, String kind, String description, double perGbSecond, double perMillionRequests,
      double minMemoryMb, double maxMemoryMb, double memoryStepMb, double durationStepMs, double memoryHeadroom,
      String device, double monthly, int vcpus, double memoryGb, double targetUtilization, int minInstances) {}

  /** The bundled, illustrative prices. */
  public static PriceSheet defaults() {
    try (InputStream in = PriceSheet.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("bundled price sheet " + DEFAULT_RESOURCE + " is missing");
      }
      return check(mapper().readValue(in, PriceSheet.class), "the bundled price sheet");
    } catch (IOException e) {
      throw new IllegalStateException("bundled price sheet is unreadable: " + e.getMessage(), e);
    }
  }

  /** A user's sheet; errors name the file and, for YAML mistakes, the line. */
  public static PriceSheet load(Path file) {
    if (!Files.exists(file)) {
      throw new BadInputException("price sheet not found: " + file);
    }
    String text = SafeFiles.readString(file, "cannot read price sheet", MAX_BYTES); // regular files only, capped
    try {
      return check(mapper().readValue(text, PriceSheet.class), file.toString());
    } catch (UnrecognizedPropertyException e) {
      throw new BadInputException(file + ":" + lineOf(text, e.getPropertyName(), e.getLocation().getLineNr())
          + ": unknown field '" + e.getPropertyName() + "' (known: " + e.getKnownPropertyIds() + ")");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadInputException(file + ":" + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ": "
          + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new BadInputException("cannot read price sheet " + file + ": " + e.getMessage());
    }
  }

  /** The line where {@code key:} first appears (the parser reports where it stopped, a line later). */
  private static int lineOf(String text, String key, int fallback) {
    java.util.regex.Pattern p = java.util.regex.Pattern.compile("^\\s*(-\\s+)?" + java.util.regex.Pattern.quote(key) + "\\s*:");
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (p.matcher(lines.get(i)).find()) {
        return i + 1;
      }
    }
    return fallback;
  }

  /** {@code "default"} for the bundled sheet, else a file. */
  public static PriceSheet resolve(String sheet) {
    return "default".equals(sheet) ? defaults() : load(Path.of(sheet));
  }

  private static ObjectMapper mapper() {
    return new ObjectMapper(new YAMLFactory()).disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  }

  private static PriceSheet check(PriceSheet s, String where) {
    if (s.deployments() == null || s.deployments().isEmpty()) {
      throw new BadInputException(where + ": no deployments");
    }
    if (s.hoursPerMonth() <= 0) {
      throw new BadInputException(where + ": hoursPerMonth must be positive");
    }
    Set<String> ids = new HashSet<>();
    for (Deployment d : s.deployments()) {
      String at = where + ": deployment '" + d.id() + "'";
      if (d.id() == null || !ids.add(d.id())) {
        throw new BadInputException(where + ": every deployment needs a distinct id (" + d.id() + ")");
      }
      switch (String.valueOf(d.kind())) {
        case "serverless" -> {
          if (d.perGbSecond() < 0 || d.perMillionRequests() < 0 || d.memoryStepMb() <= 0 || d.durationStepMs() <= 0
              || d.maxMemoryMb() < d.minMemoryMb() || d.memoryHeadroom() < 1) {
            throw new BadInputException(at + ": serverless needs perGbSecond, perMillionRequests >= 0, memoryStepMb and"
                + " durationStepMs > 0, maxMemoryMb >= minMemoryMb, memoryHeadroom >= 1");
          }
        }
        case "instance" -> {
          if (d.monthly() < 0 || d.vcpus() < 1 || d.memoryGb() <= 0 || d.targetUtilization() <= 0
              || d.targetUtilization() > 1 || d.minInstances() < 0 || !List.of("cpu", "gpu").contains(d.device())) {
            throw new BadInputException(at + ": instance needs monthly >= 0, vcpus >= 1, memoryGb > 0, device cpu|gpu,"
                + " 0 < targetUtilization <= 1, minInstances >= 0");
          }
        }
        default -> throw new BadInputException(at + ": kind must be serverless or instance, not " + d.kind());
      }
    }
    return s;
  }
}

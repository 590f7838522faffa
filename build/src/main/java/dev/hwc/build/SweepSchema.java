package dev.hwc.build;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Checks sweep.json against its schema (docs/sweep.schema.json) before it is written: required fields
 * present with their JSON types, in every candidate too. A hand check of the schema's required fields
 * and types (no JSON-schema validator library is available offline here); a mismatch is a bug in hwc.
 */
final class SweepSchema {
  private SweepSchema() {}

  private static final List<String[]> TOP = List.of(new String[] {"schema", "integer"},
      new String[] {"hwcVersion", "string"}, new String[] {"target", "string"}, new String[] {"model", "string"},
      new String[] {"gate", "object"}, new String[] {"rate", "number"}, new String[] {"currency", "string"},
      new String[] {"kneeMethod", "string"}, new String[] {"candidates", "array"}, new String[] {"series", "array"},
      new String[] {"wall", "object|null"}, new String[] {"operatingPoint", "object|null"},
      new String[] {"notes", "array"});
  private static final List<String[]> CANDIDATE = List.of(new String[] {"id", "string"},
      new String[] {"series", "string"}, new String[] {"precision", "string"}, new String[] {"compression", "string"},
      new String[] {"built", "boolean"}, new String[] {"tracks", "array"}, new String[] {"level", "number|null"},
      new String[] {"passed", "boolean|null"}, new String[] {"weakest", "number|null"},
      new String[] {"aggregate", "number|null"}, new String[] {"bytes", "integer|null"},
      new String[] {"gzipBytes", "integer|null"}, new String[] {"latency", "object|null"},
      new String[] {"cost", "object|null"}, new String[] {"reason", "string|null"});
  private static final List<String[]> WALL = List.of(new String[] {"candidate", "string"},
      new String[] {"level", "number"}, new String[] {"signals", "array"}, new String[] {"weakestAtWall", "number"},
      new String[] {"aggregateAtWall", "number"});
  private static final List<String[]> OP = List.of(new String[] {"candidate", "string"},
      new String[] {"level", "number"}, new String[] {"weakest", "number"}, new String[] {"aggregate", "number"},
      new String[] {"gzipSavingPercent", "number"}, new String[] {"statement", "string"});

  static void check(JsonNode root) {
    fields(root, TOP, "sweep.json");
    int i = 0;
    for (JsonNode c : root.get("candidates")) {
      fields(c, CANDIDATE, "candidates[" + i++ + "]");
      if (c.get("built").asBoolean()) {
        for (String f : new String[] {"level", "passed", "weakest", "aggregate", "bytes", "gzipBytes"}) {
          if (c.get(f).isNull()) {
            throw new IllegalStateException("sweep.json: built candidate " + c.get("id") + " lacks " + f);
          }
        }
      }
    }
    if (!root.get("wall").isNull()) {
      fields(root.get("wall"), WALL, "wall");
    }
    if (!root.get("operatingPoint").isNull()) {
      fields(root.get("operatingPoint"), OP, "operatingPoint");
    }
  }

  private static void fields(JsonNode n, List<String[]> spec, String where) {
    if (n == null || !n.isObject()) {
      throw new IllegalStateException(where + " is not an object");
    }
    for (String[] f : spec) {
      JsonNode v = n.get(f[0]);
      if (v == null) {
        throw new IllegalStateException(where + ": required field '" + f[0] + "' missing (schema: docs/sweep.schema.json)");
      }
      boolean ok = false;
      for (String t : f[1].split("\\|")) {
        ok |= switch (t) {
          case "string" -> v.isTextual();
          case "integer" -> v.isIntegralNumber();
          case "number" -> v.isNumber() && Double.isFinite(v.asDouble());
          case "boolean" -> v.isBoolean();
          case "array" -> v.isArray();
          case "object" -> v.isObject();
          case "null" -> v.isNull();
          default -> false;
        };
      }
      if (!ok) {
        throw new IllegalStateException(where + ": field '" + f[0] + "' must be " + f[1] + ", is " + v.getNodeType());
      }
    }
  }
}

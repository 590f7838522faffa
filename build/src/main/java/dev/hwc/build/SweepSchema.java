package dev.hwc.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hwc.hwtests.lab.JsonSchemaCheck;
import java.util.List;

/**
 * Validates sweep.json against its JSON Schema ({@value #SCHEMA}, on the classpath) before it is
 * written, with hwc's own validator ({@link JsonSchemaCheck}), plus the one rule the schema's subset
 * cannot say: a built candidate has its figures. A violation is a bug in hwc.
 */
final class SweepSchema {
  static final String SCHEMA = "/dev/hwc/build/sweep.schema.json";

  private SweepSchema() {}

  static void check(JsonNode root) {
    List<String> problems = JsonSchemaCheck.validate(JsonSchemaCheck.load(SCHEMA), root);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("sweep.json does not follow its schema: " + String.join("; ", problems));
    }
    for (JsonNode c : root.get("candidates")) {
      if (c.get("built").asBoolean()) {
        for (String f : new String[] {"level", "weakest", "aggregate", "bytes", "gzipBytes"}) {
          if (!c.get(f).isNumber()) {
            throw new IllegalStateException("sweep.json: built candidate " + c.get("id") + " lacks " + f);
          }
        }
        if (!c.get("passed").isBoolean()) {
          throw new IllegalStateException("sweep.json: built candidate " + c.get("id") + " lacks passed");
        }
      }
    }
  }
}

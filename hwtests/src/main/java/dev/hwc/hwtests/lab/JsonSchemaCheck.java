package dev.hwc.hwtests.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A small JSON Schema validator for the subset hwc's schemas use (draft 2020-12 keywords): type
 * (one or a list), properties, required, additionalProperties (boolean or schema), items, enum,
 * const, minimum, maximum, minItems, pattern, anyOf, and $ref to "#/$defs/NAME". Unknown keywords are
 * an error in the schema, so the schema cannot silently claim more than is checked.
 */
public final class JsonSchemaCheck {
  private static final java.util.Set<String> KEYWORDS = java.util.Set.of("$schema", "$id", "$defs", "$comment", "title",
      "description", "type", "properties", "required", "additionalProperties", "items", "enum", "const", "minimum",
      "maximum", "minItems", "pattern", "anyOf", "$ref");

  private JsonSchemaCheck() {}

  /** A schema from the classpath. */
  public static JsonNode load(String resource) {
    try (InputStream in = JsonSchemaCheck.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema " + resource + " is missing from the classpath");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every violation, each as "JSON pointer: what is wrong"; empty when the instance conforms. */
  public static List<String> validate(JsonNode schema, JsonNode instance) {
    List<String> out = new ArrayList<>();
    check(schema, schema, instance, "", out);
    return out;
  }

  private static void check(JsonNode root, JsonNode s, JsonNode v, String at, List<String> out) {
    if (s.isBoolean()) {
      if (!s.asBoolean()) {
        out.add(at + ": not allowed");
      }
      return;
    }
    for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!KEYWORDS.contains(k)) {
        throw new IllegalArgumentException("schema keyword '" + k + "' at " + at + " is not supported by this validator");
      }
    }
    if (s.has("$ref")) {
      String ref = s.get("$ref").asText();
      if (!ref.startsWith("#/$defs/")) {
        throw new IllegalArgumentException("only #/$defs/ references are supported: " + ref);
      }
      JsonNode target = root.path("$defs").path(ref.substring("#/$defs/".length()));
      if (target.isMissingNode()) {
        throw new IllegalArgumentException("unresolved $ref " + ref);
      }
      check(root, target, v, at, out);
    }
    if (s.has("type") && !typeMatches(s.get("type"), v)) {
      out.add(at + ": is " + typeOf(v) + ", expected " + s.get("type"));
      return;
    }
    if (s.has("const") && !s.get("const").equals(v)) {
      out.add(at + ": must be " + s.get("const"));
    }
    if (s.has("enum")) {
      boolean any = false;
      for (JsonNode e : s.get("enum")) {
        any |= e.equals(v);
      }
      if (!any) {
        out.add(at + ": " + v + " is not one of " + s.get("enum"));
      }
    }
    if (v.isNumber()) {
      if (s.has("minimum") && v.asDouble() < s.get("minimum").asDouble()) {
        out.add(at + ": " + v + " < minimum " + s.get("minimum"));
      }
      if (s.has("maximum") && v.asDouble() > s.get("maximum").asDouble()) {
        out.add(at + ": " + v + " > maximum " + s.get("maximum"));
      }
    }
    if (v.isTextual() && s.has("pattern") && !Pattern.compile(s.get("pattern").asText()).matcher(v.asText()).find()) {
      out.add(at + ": '" + v.asText() + "' does not match " + s.get("pattern").asText());
    }
    if (v.isArray()) {
      if (s.has("minItems") && v.size() < s.get("minItems").asInt()) {
        out.add(at + ": fewer than " + s.get("minItems") + " items");
      }
      if (s.has("items")) {
        for (int i = 0; i < v.size(); i++) {
          check(root, s.get("items"), v.get(i), at + "/" + i, out);
        }
      }
    }
    if (v.isObject()) {
      for (JsonNode r : s.path("required")) {
        if (!v.has(r.asText())) {
          out.add(at + ": missing required '" + r.asText() + "'");
        }
      }
      JsonNode props = s.path("properties");
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String child = at + "/" + e.getKey();
        if (props.has(e.getKey())) {
          check(root, props.get(e.getKey()), e.getValue(), child, out);
        } else if (s.has("additionalProperties")) {
          check(root, s.get("additionalProperties"), e.getValue(), child, out);
        }
      }
    }
    if (s.has("anyOf")) {
      List<String> best = null;
      for (JsonNode alt : s.get("anyOf")) {
        List<String> tried = new ArrayList<>();
        check(root, alt, v, at, tried);
        if (tried.isEmpty()) {
          return;
        }
        if (best == null || tried.size() < best.size()) {
          best = tried;
        }
      }
      out.add(at + ": matches none of anyOf (closest: " + best + ")");
    }
  }

  private static boolean typeMatches(JsonNode type, JsonNode v) {
    if (type.isArray()) {
      for (JsonNode t : type) {
        if (typeMatches(t, v)) {
          return true;
        }
      }
      return false;
    }
    return switch (type.asText()) {
      case "object" -> v.isObject();
      case "array" -> v.isArray();
      case "string" -> v.isTextual();
      case "number" -> v.isNumber();
      case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()));
      case "boolean" -> v.isBoolean();
      case "null" -> v.isNull();
      default -> throw new IllegalArgumentException("unknown JSON type " + type);
    };
  }

  private static String typeOf(JsonNode v) {
    return v.isObject() ? "object" : v.isArray() ? "array" : v.isTextual() ? "string" : v.isIntegralNumber() ? "integer"
        : v.isNumber() ? "number" : v.isBoolean() ? "boolean" : "null";
  }
}

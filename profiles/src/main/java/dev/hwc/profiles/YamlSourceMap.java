package dev.hwc.profiles;

import dev.hwc.common.BadInputException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The line of every value in a YAML text, keyed by JSON pointer ({@code /ops/Softmax/limits/0}), so that
 * checks made after binding can name {@code file:line}. One streaming pass over the text also rejects what is
 * not a single YAML mapping: syntax errors, an empty file, a scalar or list at the top level, duplicate keys,
 * aliases, several documents.
 *
 * <p>A mapping member's line is the line of its key; a list element's line is the line where it starts.
 */
final class YamlSourceMap {
  private final Map<String, Integer> lines = new HashMap<>();
  private final Map<String, String> found = new HashMap<>();
  private final Map<String, List<String>> keys = new HashMap<>();
  private final ProfileError error;

  private YamlSourceMap(ProfileError error) {
    this.error = error;
  }

  /** Scans {@code text}; throws {@link BadInputException} naming {@code file:line} when it is not one mapping. */
  static YamlSourceMap scan(YAMLFactory factory, String text, ProfileError error) {
    YamlSourceMap map = new YamlSourceMap(error);
    try (JsonParser p = factory.createParser(text)) {
      JsonToken token = p.nextToken();
      if (token == null) {
        throw error.at(1, "", "file is empty; expected a mapping of profile fields (id, artifact, ...)");
      }
      if (token != JsonToken.START_OBJECT) {
        throw error.at(lineOf(p), "", "top level must be a mapping of profile fields, got " + describe(p, token));
      }
      map.walk(p, "");
      if (p.nextToken() != null) {
        throw error.at(lineOf(p), "", "a second YAML document; a profile file holds one document");
      }
    } catch (StreamReadException e) {
      throw error.syntax(e);
    } catch (IOException e) {
      throw error.at(1, "", "cannot read YAML: " + ProfileError.oneLine(e.getMessage()));
    } catch (IndexOutOfBoundsException e) {
      // SnakeYAML's stream reader can overrun its buffer on some malformed input (a fuzz finding)
      throw error.at(1, "", "not readable as YAML (the YAML reader failed on this text)");
    }
    return map;
  }

  /** Records the value at the parser's current token, at {@code pointer}, and everything inside it. */
  private void walk(JsonParser p, String pointer) throws IOException {
    JsonToken token = p.currentToken();
    if (p instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
      throw error.at(lineOf(p), dotted(pointer), "YAML aliases (*name) are not supported in profiles");
    }
    lines.putIfAbsent(pointer, lineOf(p));
    found.put(pointer, describe(p, token));
    if (token == JsonToken.START_OBJECT) {
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String child = pointer + "/" + escape(p.currentName());
        if (lines.containsKey(child)) {
          throw error.at(lineOf(p), dotted(pointer),
              "duplicate key '" + p.currentName() + "' (first at line " + lines.get(child) + ")");
        }
        lines.put(child, lineOf(p));
        keys.computeIfAbsent(pointer, k -> new ArrayList<>()).add(p.currentName());
        p.nextToken();
        walk(p, child);
      }
    } else if (token == JsonToken.START_ARRAY) {
      int index = 0;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        walk(p, pointer + "/" + index++);
      }
    }
  }

  /** The keys of the mapping at {@code pointer}, in file order; empty if it is not a mapping. */
  List<String> keys(String pointer) {
    return keys.getOrDefault(pointer, List.of());
  }

  boolean has(String pointer) {
    return lines.containsKey(pointer);
  }

  /** The line of {@code pointer}, or of its nearest recorded ancestor. */
  int line(String pointer) {
    for (String p = pointer; ; p = p.substring(0, p.lastIndexOf('/'))) {
      Integer line = lines.get(p);
      if (line != null) {
        return line;
      }
      if (p.isEmpty()) {
        return 1;
      }
    }
  }

  /** A short description of the value at {@code pointer}: {@code 'text'}, {@code 12}, {@code a list}... */
  String found(String pointer) {
    return found.getOrDefault(pointer, "nothing");
  }

  static int lineOf(JsonParser p) {
    return Math.max(1, p.currentTokenLocation().getLineNr());
  }

  static String describe(JsonParser p, JsonToken token) {
    if (token == null) {
      return "the end of the file";
    }
    try {
      return switch (token) {
        case START_OBJECT -> "a mapping";
        case START_ARRAY -> "a list";
        case VALUE_NULL -> "nothing (null)";
        case VALUE_STRING -> p.getText().isEmpty() ? "nothing (empty)" : "'" + ProfileError.clip(p.getText()) + "'";
        default -> ProfileError.clip(p.getText());
      };
    } catch (IOException e) {
      return token.asString() == null ? token.name() : token.asString();
    }
  }

  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  /** {@code /ops/Softmax/limits/0} as {@code ops.Softmax.limits[0]}; all-digit segments are list indexes. */
  static String dotted(String pointer) {
    StringBuilder out = new StringBuilder();
    if (pointer.isEmpty()) {
      return "";
    }
    for (String segment : pointer.substring(1).split("/", -1)) {
      String key = segment.replace("~1", "/").replace("~0", "~");
      if (!key.isEmpty() && key.chars().allMatch(Character::isDigit)) {
        out.append('[').append(key).append(']');
      } else {
        out.append(out.length() == 0 ? "" : ".").append(key);
      }
    }
    return out.toString();
  }
}

package dev.hwc.profiles;

import dev.hwc.common.BadInputException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;

/**
 * Builds the one-line messages of bad profiles: {@code bad profile FILE:LINE: PATH: PROBLEM}, where PATH is
 * the dotted path of the offending value ({@code ops.Softmax.limits[0]}) and is left out when the problem
 * already names its field or concerns the whole file.
 */
final class ProfileError {
  private static final int MAX_MESSAGE = 400;
  private final String file;

  ProfileError(String file) {
    this.file = file;
  }

  BadInputException at(int line, String path, String problem) {
    String where = path == null || path.isEmpty() ? "" : path + ": ";
    return new BadInputException(oneLine("bad profile " + file + ":" + line + ": " + where + problem));
  }

  /** For problems of the file as a whole, before it has lines (missing, unreadable). */
  BadInputException whole(String problem) {
    return new BadInputException(oneLine("bad profile " + file + ": " + problem));
  }

  /** A YAML syntax error, with SnakeYAML's own line and problem when it gives them. */
  BadInputException syntax(JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked) {
        int line = marked.getProblemMark() != null ? marked.getProblemMark().getLine() + 1 : lineOf(e);
        String problem = marked.getProblem() != null ? marked.getProblem() : marked.getContext();
        return at(line, "", "YAML syntax error: " + problem);
      }
    }
    return at(lineOf(e), "", "YAML syntax error: " + firstLine(e.getOriginalMessage()));
  }

  static int lineOf(JsonProcessingException e) {
    JsonLocation location = e.getLocation();
    return location == null ? 1 : Math.max(1, location.getLineNr());
  }

  static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  /** Collapses line breaks and tabs to single spaces and caps the length. */
  static String oneLine(String text) {
    String flat = dev.hwc.common.SafeFiles.printable(text == null ? "" : text.replaceAll("[\\r\\n\\t]+", " ").strip());
    return flat.length() <= MAX_MESSAGE ? flat : flat.substring(0, MAX_MESSAGE - 3) + "...";
  }

  /** Shortens a value quoted in a message. */
  static String clip(String text) {
    String flat = oneLine(text);
    return flat.length() <= 40 ? flat : flat.substring(0, 37) + "...";
  }
}

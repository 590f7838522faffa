package dev.hwc.cli;

import dev.hwc.common.BadInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses {@code --shape NAME=1x3x224x224} values into fixed input shapes. */
final class ShapeOption {
  private ShapeOption() {}

  static Map<String, long[]> parse(List<String> specs) {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (String spec : specs) {
      int eq = spec.indexOf('=');
      if (eq <= 0 || eq == spec.length() - 1) {
        throw new BadInputException("bad --shape '" + spec + "': expected NAME=AxBxC, e.g. input_ids=1x128");
      }
      String[] parts = spec.substring(eq + 1).split("x", -1); // -1: a trailing 'x' leaves an empty size
      long[] dims = new long[parts.length];
      for (int i = 0; i < parts.length; i++) {
        if (parts[i].isBlank()) {
          throw new BadInputException("bad --shape '" + spec + "': size " + (i + 1) + " is empty (expected NAME=AxBxC, "
              + "e.g. input_ids=1x128)");
        }
        try {
          dims[i] = Long.parseLong(parts[i].trim());
        } catch (NumberFormatException e) {
          dims[i] = -1;
        }
        if (dims[i] <= 0) {
          throw new BadInputException("bad --shape '" + spec + "': '" + parts[i] + "' is not a positive size");
        }
      }
      out.put(spec.substring(0, eq), dims);
    }
    return out;
  }
}

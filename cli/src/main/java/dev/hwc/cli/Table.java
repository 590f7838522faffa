package dev.hwc.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns, for terminal output. */
final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final int columns;

  Table(String... header) {
    columns = header.length;
    rows.add(header.clone());
  }

  Table row(Object... cells) {
    String[] r = new String[columns];
    for (int i = 0; i < columns; i++) {
      // names from models and profiles may hold control characters: escaped, never printed raw
      r[i] = i < cells.length && cells[i] != null ? dev.hwc.common.SafeFiles.printable(cells[i].toString()) : "";
    }
    rows.add(r);
    return this;
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }

  void print(PrintWriter out) {
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (int k = 0; k < rows.size(); k++) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        sb.append(i == columns - 1 ? rows.get(k)[i] : pad(rows.get(k)[i], width[i]) + "  ");
      }
      out.println(sb.toString().stripTrailing());
      if (k == 0) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < columns; i++) {
          line.append("-".repeat(width[i])).append(i == columns - 1 ? "" : "  ");
        }
        out.println(line);
      }
    }
  }
}

package dev.hwc.profiles;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** "Did you mean" for misspelt names in profiles. */
final class Names {
  private Names() {}

  /** The known name closest to {@code name}, when it is within two edits. */
  static Optional<String> closest(String name, Collection<String> known) {
    if (name == null) {
      return Optional.empty();
    }
    return known.stream()
        .filter(k -> distance(name.toLowerCase(), k.toLowerCase()) <= 2)
        .min(Comparator.comparingInt((String k) -> distance(name.toLowerCase(), k.toLowerCase())));
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}

package dev.hwc.hwtests.welllog;

import java.util.Map;

/**
 * A 5x7 pixel font for the digits and the few letters printed on logs (depth labels, curve names,
 * scales, units). Each glyph is seven rows of five characters, '#' inked.
 */
final class Glyphs {
  private Glyphs() {}

  static final int W = 5;
  static final int H = 7;

  private static final Map<Character, String[]> FONT = Map.ofEntries(
      Map.entry('0', new String[] {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."}),
      Map.entry('1', new String[] {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."}),
      Map.entry('2', new String[] {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"}),
      Map.entry('3', new String[] {"####.", "....#", "....#", ".###.", "....#", "....#", "####."}),
      Map.entry('4', new String[] {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."}),
      Map.entry('5', new String[] {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."}),
      Map.entry('6', new String[] {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."}),
      Map.entry('7', new String[] {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."}),
      Map.entry('8', new String[] {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."}),
      Map.entry('9', new String[] {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."}),
      Map.entry('A', new String[] {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}),
      Map.entry('C', new String[] {".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."}),
      Map.entry('D', new String[] {"####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."}),
      Map.entry('F', new String[] {"#####", "#....", "#....", "####.", "#....", "#....", "#...."}),
      Map.entry('G', new String[] {".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"}),
      Map.entry('I', new String[] {".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."}),
      Map.entry('L', new String[] {"#....", "#....", "#....", "#....", "#....", "#....", "#####"}),
      Map.entry('M', new String[] {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"}),
      Map.entry('N', new String[] {"#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#", "#...#"}),
      Map.entry('P', new String[] {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."}),
      Map.entry('R', new String[] {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"}),
      Map.entry('S', new String[] {".####", "#....", "#....", ".###.", "....#", "....#", "####."}),
      Map.entry('T', new String[] {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."}),
      Map.entry('V', new String[] {"#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."}),
      Map.entry('-', new String[] {".....", ".....", ".....", ".###.", ".....", ".....", "....."}),
      Map.entry('.', new String[] {".....", ".....", ".....", ".....", ".....", ".##..", ".##.."}));

  /** Whether the glyph for c inks pixel (x, y) of its 5x7 cell; unknown characters (space) ink nothing. */
  static boolean inked(char c, int x, int y) {
    String[] g = FONT.get(c);
    return g != null && g[y].charAt(x) == '#';
  }

  /** Width in pixels of a string at the given scale, one blank column between characters. */
  static int width(String s, int scale) {
    return s.isEmpty() ? 0 : (s.length() * (W + 1) - 1) * scale;
  }
}

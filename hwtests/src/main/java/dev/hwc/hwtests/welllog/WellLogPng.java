package dev.hwc.hwtests.welllog;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** PNG renderings of strips for people to look at: the scans, and their masks in colour. */
public final class WellLogPng {
  /** Background, curve 1 (red), curve 2 (cyan), as 0xRRGGBB. */
  private static final int[] COLOURS = {0x202020, 0xff3030, 0x30d0ff};

  private WellLogPng() {}

  /** The strips side by side, each pixel drawn as scale x scale, a gap of 8 px between strips. */
  public static void writeImages(Path file, List<WellLogStrip> strips, int scale) throws IOException {
    write(file, strips, scale, (s, x, y) -> {
      int g = Math.round(Math.max(0, Math.min(1, s.pixel(x, y))) * 255);
      return g << 16 | g << 8 | g;
    });
  }

  /** The label masks in colour: background dark, curve 1 red, curve 2 cyan. */
  public static void writeMasks(Path file, List<WellLogStrip> strips, int scale) throws IOException {
    write(file, strips, scale, (s, x, y) -> COLOURS[s.label(x, y)]);
  }

  /** Class maps (e.g. a model's argmax) in the mask colours, in the layout of {@link #writeMasks}. */
  public static void writeClassMaps(Path file, List<byte[]> maps, int width, int height, int scale) throws IOException {
    List<WellLogStrip> fake = maps.stream()
        .map(m -> new WellLogStrip(width, height, new float[width * height], m, new float[2][height])).toList();
    writeMasks(file, fake, scale);
  }

  private interface Pixel {
    int rgb(WellLogStrip s, int x, int y);
  }

  private static void write(Path file, List<WellLogStrip> strips, int scale, Pixel p) throws IOException {
    int gap = 8;
    int w = strips.stream().mapToInt(s -> s.width() * scale + gap).sum() - gap;
    int h = strips.stream().mapToInt(s -> s.height() * scale).max().orElse(1);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, 0xffffff);
      }
    }
    int ox = 0;
    for (WellLogStrip s : strips) {
      for (int y = 0; y < s.height() * scale; y++) {
        for (int x = 0; x < s.width() * scale; x++) {
          img.setRGB(ox + x, y, p.rgb(s, x / scale, y / scale));
        }
      }
      ox += s.width() * scale + gap;
    }
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("no PNG writer");
    }
  }
}

package dev.hwc.hwtests.welllog;

import java.util.Arrays;
import java.util.Random;

/**
 * Synthetic scanned raster well logs, deterministic from a seed: one track of a log printed on
 * grid paper and scanned, with one or two curves to recover and their labels.
 *
 * <p>What is drawn, in order:
 * <ol>
 *   <li>paper: a base brightness under uneven illumination (a gradient across, slow waves down) and grain;
 *   <li>the grid: vertical division lines (5 or 10 per track, the middle one and the track borders
 *       heavier) and horizontal depth lines (a minor line every 5-10 px, a heavier one every fifth);
 *   <li>clutter: depth numbers at the heavy depth lines (often in a white box that interrupts the grid),
 *       curve names and scale numbers, short hand-drawn marks, dots;
 *   <li>the curves: curve 1 solid, 1.8-3 px, near black; curve 2 solid, 1-1.5 px, dark gray (as logs
 *       tell their curves apart by line weight). Each wanders (slow waves, bed-like steps, fine jitter),
 *       the two cross, and a curve that leaves the track re-enters from the other edge (wrap-around,
 *       as on a log whose value exceeds the track's scale); curve 1 is printed over curve 2;
 *   <li>scan defects: a slight skew (a shear of up to +-1 px over the strip), stains, blur (sigma
 *       0.3-0.9 px), dust specks and ink drop-outs, a faint scanner streak, gamma and contrast
 *       changes, sensor noise.
 * </ol>
 *
 * <p>Labels: the class of each pixel (a curve pixel is one whose centre lies within the curve's
 * stroke, curve 1 winning where they cross) and each curve's centre x in every row (after the skew,
 * as seen in the image).
 */
public final class WellLogGenerator {
  /** The strip size the bundled model is trained and evaluated on: 64 px across, 512 px down. */
  public static final int WIDTH = 64;

  public static final int HEIGHT = 512;

  private static final String[] WORDS = {"GR", "API", "SP", "MV", "CALI", "IN", "DT", "ILD", "RT", "0", "150", "-80",
      "20", "6", "16", "100", "0.2", "2000"};

  /** Standard normal values for per-pixel noise, drawn once (a table lookup is ~10x cheaper than nextGaussian). */
  private static final float[] NORMAL = normalTable(1 << 16);

  private final int width;
  private final int height;

  public WellLogGenerator() {
    this(WIDTH, HEIGHT);
  }

  public WellLogGenerator(int width, int height) {
    if (width < 32 || height < 64) {
      throw new IllegalArgumentException("strips are at least 32 x 64 px, got " + width + " x " + height);
    }
    this.width = width;
    this.height = height;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** A well-mixed start for java.util.Random, so that neighbouring seeds give unrelated strips. */
  static long mix(long seed) {
    long z = seed + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  public WellLogStrip generate(long seed) {
    Random r = new Random(mix(seed));
    Canvas c = new Canvas(width, height);
    // geometry: the track spans paper x in [m, m + tw); the scan shears it by s px per row
    double m = u(r, 0.5, 2.5);
    double tw = width - 2 * m;
    double shear = u(r, -0.004, 0.004);
    double off = u(r, -0.5, 0.5);
    Geometry geo = new Geometry(m, tw, shear, off, height);

    paper(r, c);
    grid(r, c, geo);
    clutter(r, c, geo);

    int mode = r.nextInt(20); // 0..14 both curves, 15..17 curve 1 only, 18..19 curve 2 only
    boolean has1 = mode < 18;
    boolean has2 = mode < 15 || mode >= 18;
    float[][] xs = new float[2][height];
    float[] cov1 = new float[width * height];
    float[] cov2 = new float[width * height];
    double t1 = u(r, 1.8, 3.0);
    double t2 = u(r, 1.0, 1.5);
    double[] v1 = trajectory(r, tw);
    double[] v2 = trajectory(r, tw);
    if (has2) {
      stroke(c, geo, v2, t2, cov2, xs[1]);
      c.lay(cov2, (float) u(r, 0.8, 1.0), (float) u(r, 0.12, 0.35));
    } else {
      Arrays.fill(xs[1], Float.NaN);
    }
    if (has1) {
      stroke(c, geo, v1, t1, cov1, xs[0]);
      c.lay(cov1, (float) u(r, 0.9, 1.0), (float) u(r, 0.0, 0.15));
    } else {
      Arrays.fill(xs[0], Float.NaN);
    }
    byte[] labels = new byte[width * height];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = (byte) (cov1[i] >= 0.5f ? WellLogStrip.CURVE1 : cov2[i] >= 0.5f ? WellLogStrip.CURVE2
          : WellLogStrip.BACKGROUND);
    }
    scan(r, c);
    return new WellLogStrip(width, height, c.v, labels, xs);
  }

  /** Paper coordinates to image coordinates: the track's left edge, then the skew. */
  record Geometry(double margin, double trackWidth, double shear, double offset, int height) {
    double x(double paperX, double y) {
      return paperX + offset + shear * (y - height / 2.0);
    }
  }

  private static float[] normalTable(int n) {
    Random r = new Random(20261123L);
    float[] t = new float[n];
    for (int i = 0; i < n; i++) {
      t[i] = (float) r.nextGaussian();
    }
    return t;
  }

  /** A standard normal value for per-pixel noise. */
  private static float noise(Random r) {
    return NORMAL[r.nextInt() & (NORMAL.length - 1)];
  }

  private static double u(Random r, double lo, double hi) {
    return lo + r.nextDouble() * (hi - lo);
  }

  private void paper(Random r, Canvas c) {
    double base = u(r, 0.80, 0.97);
    double gx = u(r, -0.15, 0.15);
    double a1 = u(r, 0, 0.06);
    double a2 = u(r, 0, 0.04);
    double p1 = u(r, 300, 2000);
    double p2 = u(r, 60, 300);
    double f1 = u(r, 0, 2 * Math.PI);
    double f2 = u(r, 0, 2 * Math.PI);
    double grain = u(r, 0.004, 0.02);
    for (int y = 0; y < height; y++) {
      double rowLight = 1 + a1 * Math.cos(2 * Math.PI * y / p1 + f1) + a2 * Math.cos(2 * Math.PI * y / p2 + f2);
      for (int x = 0; x < width; x++) {
        double light = rowLight + gx * ((x + 0.5) / width - 0.5);
        c.v[y * width + x] = (float) (base * light + grain * noise(r));
      }
    }
  }

  private void grid(Random r, Canvas c, Geometry g) {
    int divisions = r.nextInt(10) < 6 ? 10 : 5;
    float minorInk = (float) u(r, 0.35, 0.65);
    float minorAlpha = (float) u(r, 0.45, 0.85);
    double minorT = u(r, 0.7, 1.1);
    for (int k = 0; k <= divisions; k++) {
      double px = g.margin() + k * g.trackWidth() / divisions;
      boolean border = k == 0 || k == divisions;
      boolean major = k * 2 == divisions || (divisions == 10 && k % 5 == 0);
      double t = border ? u(r, 1.4, 2.2) : major ? u(r, 1.0, 1.5) : minorT;
      float ink = border ? (float) u(r, 0.05, 0.3) : major ? minorInk * 0.7f : minorInk;
      float alpha = border ? 0.95f : minorAlpha;
      c.line(g.x(px, 0), 0, g.x(px, height), height, t, alpha, ink);
    }
    double pitch = u(r, 5, 10);
    double start = u(r, 0, pitch * 5);
    int phase = r.nextInt(5);
    double majorT = u(r, 1.2, 2.0);
    float majorInk = (float) u(r, 0.15, 0.45);
    for (int k = -10; ; k++) {
      double y = start + k * pitch;
      if (y > height + 2) {
        break;
      }
      if (y < -2) {
        continue;
      }
      boolean major = Math.floorMod(k + phase, 5) == 0;
      c.line(g.x(g.margin(), y), y, g.x(g.margin() + g.trackWidth(), y), y, major ? majorT : minorT,
          major ? 0.9f : minorAlpha, major ? majorInk : minorInk);
    }
    // depth numbers at every second heavy line
    if (r.nextInt(10) < 7) {
      int depth = 500 + 10 * r.nextInt(800);
      int step = r.nextBoolean() ? 10 : 50;
      boolean boxed = r.nextInt(10) < 6;
      double fx = u(r, 0.05, 0.6);
      float ink = (float) u(r, 0.0, 0.25);
      int n = 0;
      for (int k = -10; ; k++) {
        double y = start + k * pitch;
        if (y > height + 8) {
          break;
        }
        if (Math.floorMod(k + phase, 10) != 0) {
          continue;
        }
        String text = Integer.toString(depth + step * n++);
        int tw = Glyphs.width(text, 1);
        double x0 = g.margin() + fx * (g.trackWidth() - tw);
        if (boxed) {
          box(c, g.x(x0, y) - 2, y - 5.5, tw + 4, 11, 0.92f, 0.95f);
        }
        text(c, text, g.x(x0, y), y - 3.5, 1, ink, 0.95f);
      }
    }
  }

  private void clutter(Random r, Canvas c, Geometry g) {
    int words = r.nextInt(10) < 5 ? 1 + r.nextInt(3) : 0;
    for (int i = 0; i < words; i++) {
      String w = WORDS[r.nextInt(WORDS.length)];
      int scale = r.nextInt(5) == 0 ? 2 : 1;
      int tw = Glyphs.width(w, scale);
      double x0 = u(r, 1, Math.max(2, width - tw - 1));
      double y0 = u(r, 0, height - 7 * scale);
      text(c, w, x0, y0, scale, (float) u(r, 0.0, 0.3), 0.95f);
    }
    // hand-drawn marks: short smooth strokes, the distractors most like a curve
    int marks = r.nextInt(10) < 4 ? 1 + r.nextInt(3) : 0;
    for (int i = 0; i < marks; i++) {
      double x = u(r, 4, width - 4);
      double y = u(r, 0, height);
      double heading = u(r, 0, 2 * Math.PI);
      double t = u(r, 0.8, 2.0);
      float ink = (float) u(r, 0.05, 0.35);
      int steps = 10 + r.nextInt(30);
      for (int s = 0; s < steps; s++) {
        heading += u(r, -0.35, 0.35);
        double nx = x + Math.cos(heading);
        double ny = y + Math.sin(heading);
        c.line(x, y, nx, ny, t, 0.9f, ink);
        x = nx;
        y = ny;
      }
    }
    int dots = r.nextInt(6);
    for (int i = 0; i < dots; i++) {
      double x = u(r, 0, width);
      double y = u(r, 0, height);
      c.line(x, y, x, y, u(r, 1.5, 3.5), 0.9f, (float) u(r, 0.0, 0.4));
    }
  }

  /** The curve's value down the strip in paper px from the track's left edge, unwrapped (may leave [0, tw)). */
  private double[] trajectory(Random r, double tw) {
    double[] v = new double[height];
    double centre = u(r, 0.2, 0.8) * tw;
    int waves = 2 + r.nextInt(3);
    double[] amp = new double[waves];
    double[] period = new double[waves];
    double[] phase = new double[waves];
    double swing = u(r, 0.08, 0.35) * tw;
    for (int i = 0; i < waves; i++) {
      period[i] = Math.exp(u(r, Math.log(25), Math.log(600)));
      amp[i] = swing * u(r, 0.2, 1.0) / Math.sqrt(waves);
      phase[i] = u(r, 0, 2 * Math.PI);
    }
    int steps = r.nextInt(4);
    double[] at = new double[steps];
    double[] size = new double[steps];
    double[] width = new double[steps];
    for (int i = 0; i < steps; i++) {
      at[i] = u(r, 0, height);
      size[i] = u(r, -0.3, 0.3) * tw;
      width[i] = u(r, 2, 10);
    }
    double jitterSigma = u(r, 0.1, 0.6);
    double e = 0;
    for (int y = 0; y < height; y++) {
      double val = centre;
      for (int i = 0; i < waves; i++) {
        val += amp[i] * Math.sin(2 * Math.PI * y / period[i] + phase[i]);
      }
      for (int i = 0; i < steps; i++) {
        val += size[i] / (1 + Math.exp(-(y - at[i]) / (width[i] / 4)));
      }
      e = 0.8 * e + jitterSigma * r.nextGaussian();
      v[y] = val + e;
    }
    boolean wrap = r.nextInt(10) < 3;
    double lo = Arrays.stream(v).min().orElseThrow();
    double hi = Arrays.stream(v).max().orElseThrow();
    double room = tw - 3;
    if (hi - lo > room) {
      for (int y = 0; y < height; y++) {
        v[y] = 1.5 + (v[y] - lo) * room / (hi - lo);
      }
    } else {
      double shift = lo < 1.5 ? 1.5 - lo : hi > tw - 1.5 ? tw - 1.5 - hi : 0;
      for (int y = 0; y < height; y++) {
        v[y] += shift;
      }
    }
    if (wrap) {
      // an excursion past one edge: a smooth bump that carries the curve up to 40% of the track beyond it
      double mid = u(r, 0.15, 0.85) * height;
      double halfWidth = u(r, 20, 120);
      boolean right = r.nextBoolean();
      double atMid = v[(int) mid];
      double edgeGap = right ? tw - atMid : atMid;
      double height0 = edgeGap + u(r, 0.05, 0.4) * tw;
      for (int y = 0; y < height; y++) {
        double z = (y - mid) / halfWidth;
        double bump = height0 * Math.exp(-z * z);
        v[y] += right ? bump : -bump;
      }
    }
    for (int y = 1; y < height; y++) {
      double d = v[y] - v[y - 1];
      if (Math.abs(d) > 8) {
        v[y] = v[y - 1] + Math.signum(d) * 8;
      }
    }
    return v;
  }

  /**
   * Draws a curve's coverage: the segment between consecutive rows' centre points, wrapped into the
   * track (a segment that crosses an edge is drawn in both pieces, each clipped to the track).
   * Writes the centre x per row as seen in the image.
   */
  private void stroke(Canvas c, Geometry g, double[] v, double t, float[] cov, float[] xs) {
    double tw = g.trackWidth();
    for (int y = 0; y < height; y++) {
      xs[y] = (float) g.x(g.margin() + v[y] - tw * Math.floor(v[y] / tw), y + 0.5);
    }
    Canvas.PixelSink sink = (x, y, cv) -> {
      int i = y * width + x;
      if (cv > cov[i]) {
        cov[i] = cv;
      }
    };
    for (int y = 0; y < height; y++) {
      double u0 = y == 0 ? v[0] : v[y - 1];
      double u1 = v[y];
      double y0 = y == 0 ? 0.5 : y - 0.5;
      double y1 = y + 0.5;
      long k0 = (long) Math.floor(u0 / tw);
      long k1 = (long) Math.floor(u1 / tw);
      for (long k = Math.min(k0, k1); k <= Math.max(k0, k1); k++) {
        double a = u0 - k * tw;
        double b = u1 - k * tw;
        double ta = 0;
        double tb = 1;
        if (a != b) {
          double tLo = (0 - a) / (b - a);
          double tHi = (tw - a) / (b - a);
          ta = Math.max(0, Math.min(tLo, tHi));
          tb = Math.min(1, Math.max(tLo, tHi));
          if (ta > tb) {
            continue;
          }
        } else if (a < 0 || a >= tw) {
          continue;
        }
        double pa = a + ta * (b - a);
        double pb = a + tb * (b - a);
        double ya = y0 + ta * (y1 - y0);
        double yb = y0 + tb * (y1 - y0);
        c.forEachCovered(g.x(g.margin() + pa, ya), ya, g.x(g.margin() + pb, yb), yb, t, sink);
      }
    }
  }

  private static void box(Canvas c, double x, double y, double w, double h, float ink, float alpha) {
    for (int yy = (int) Math.round(y); yy < Math.round(y + h); yy++) {
      for (int xx = (int) Math.round(x); xx < Math.round(x + w); xx++) {
        c.lay(xx, yy, alpha, ink);
      }
    }
  }

  private static void text(Canvas c, String s, double x, double y, int scale, float ink, float alpha) {
    int ox = (int) Math.round(x);
    int oy = (int) Math.round(y);
    for (int i = 0; i < s.length(); i++) {
      for (int gy = 0; gy < Glyphs.H; gy++) {
        for (int gx = 0; gx < Glyphs.W; gx++) {
          if (Glyphs.inked(s.charAt(i), gx, gy)) {
            for (int sy = 0; sy < scale; sy++) {
              for (int sx = 0; sx < scale; sx++) {
                c.lay(ox + (i * (Glyphs.W + 1) + gx) * scale + sx, oy + gy * scale + sy, alpha, ink);
              }
            }
          }
        }
      }
    }
  }

  /** Scan defects on the image (the labels stay as printed). */
  private void scan(Random r, Canvas c) {
    int stains = r.nextInt(10) < 3 ? 1 + r.nextInt(2) : 0;
    for (int i = 0; i < stains; i++) {
      double cx = u(r, 0, width);
      double cy = u(r, 0, height);
      double rad = u(r, 8, 40);
      double dark = u(r, 0.04, 0.18);
      for (int y = Math.max(0, (int) (cy - 3 * rad)); y < Math.min(height, cy + 3 * rad); y++) {
        for (int x = 0; x < width; x++) {
          double d2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (rad * rad);
          c.v[y * width + x] *= (float) (1 - dark * Math.exp(-d2));
        }
      }
    }
    int specks = (int) (width * height * u(r, 0, 0.0015));
    for (int i = 0; i < specks; i++) {
      int x = r.nextInt(width);
      int y = r.nextInt(height);
      float ink = (float) u(r, 0.05, 0.5);
      int size = r.nextInt(4) == 0 ? 2 : 1;
      for (int dy = 0; dy < size; dy++) {
        for (int dx = 0; dx < size; dx++) {
          c.lay(x + dx, y + dy, 0.9f, ink);
        }
      }
    }
    int dropouts = (int) (width * height * u(r, 0, 0.0008));
    for (int i = 0; i < dropouts; i++) {
      c.lay(r.nextInt(width), r.nextInt(height), (float) u(r, 0.5, 0.9), 0.9f);
    }
    if (r.nextInt(10) < 2) {
      int x = r.nextInt(width);
      float delta = (float) (u(r, 0.03, 0.1) * (r.nextBoolean() ? 1 : -1));
      for (int y = 0; y < height; y++) {
        c.v[y * width + x] += delta;
      }
    }
    c.blur(u(r, 0.3, 0.9));
    double gamma = u(r, 0.75, 1.3);
    double lo = u(r, 0, 0.15);
    double hi = u(r, 0.85, 1.0);
    double noise = u(r, 0.005, 0.035);
    for (int i = 0; i < c.v.length; i++) {
      double p = Math.max(0, Math.min(1, c.v[i]));
      p = lo + (hi - lo) * Math.pow(p, gamma) + noise * noise(r);
      c.v[i] = (float) Math.max(0, Math.min(1, p));
    }
  }
}

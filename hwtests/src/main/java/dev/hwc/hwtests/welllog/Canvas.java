package dev.hwc.hwtests.welllog;

/**
 * A grayscale float canvas (0 black, 1 white) with anti-aliased strokes: a stroke of thickness t
 * covers a pixel by clamp(t/2 + 1/2 - d, 0, 1), d the distance from the pixel's centre to the
 * stroke's centre line (a box-filtered edge). Ink is laid over what is there: v = v (1 - a) + ink a.
 */
final class Canvas {
  final int width;
  final int height;
  final float[] v;

  Canvas(int width, int height) {
    this.width = width;
    this.height = height;
    this.v = new float[width * height];
  }

  void lay(int x, int y, float alpha, float ink) {
    if (x < 0 || y < 0 || x >= width || y >= height || alpha <= 0) {
      return;
    }
    int i = y * width + x;
    v[i] = v[i] * (1 - alpha) + ink * alpha;
  }

  /** Composites a coverage layer (0..1 per pixel) in one ink at an opacity. */
  void lay(float[] coverage, float opacity, float ink) {
    for (int i = 0; i < v.length; i++) {
      if (coverage[i] > 0) {
        float a = coverage[i] * opacity;
        v[i] = v[i] * (1 - a) + ink * a;
      }
    }
  }

  /** A straight stroke drawn directly. */
  void line(double x0, double y0, double x1, double y1, double thickness, float opacity, float ink) {
    forEachCovered(x0, y0, x1, y1, thickness, (x, y, c) -> lay(x, y, c * opacity, ink));
  }

  interface PixelSink {
    void accept(int x, int y, float coverage);
  }

  /** Visits every pixel a capsule stroke from (x0, y0) to (x1, y1) covers, with its coverage. */
  void forEachCovered(double x0, double y0, double x1, double y1, double thickness, PixelSink sink) {
    double r = thickness / 2;
    int xa = (int) Math.floor(Math.min(x0, x1) - r - 1);
    int xb = (int) Math.ceil(Math.max(x0, x1) + r + 1);
    int ya = (int) Math.floor(Math.min(y0, y1) - r - 1);
    int yb = (int) Math.ceil(Math.max(y0, y1) + r + 1);
    xa = Math.max(xa, 0);
    ya = Math.max(ya, 0);
    xb = Math.min(xb, width - 1);
    yb = Math.min(yb, height - 1);
    double dx = x1 - x0;
    double dy = y1 - y0;
    double len2 = dx * dx + dy * dy;
    for (int y = ya; y <= yb; y++) {
      for (int x = xa; x <= xb; x++) {
        double px = x + 0.5 - x0;
        double py = y + 0.5 - y0;
        double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
        double ex = px - t * dx;
        double ey = py - t * dy;
        double d = Math.sqrt(ex * ex + ey * ey);
        double c = r + 0.5 - d;
        if (c > 0) {
          sink.accept(x, y, (float) Math.min(1, c));
        }
      }
    }
  }

  /** Separable Gaussian blur (clamped edges). */
  void blur(double sigma) {
    if (sigma <= 0.05) {
      return;
    }
    int rad = (int) Math.ceil(3 * sigma);
    float[] k = new float[2 * rad + 1];
    double sum = 0;
    for (int i = -rad; i <= rad; i++) {
      k[i + rad] = (float) Math.exp(-i * i / (2 * sigma * sigma));
      sum += k[i + rad];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    float[] tmp = new float[v.length];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        float s = 0;
        for (int i = -rad; i <= rad; i++) {
          int xx = Math.max(0, Math.min(width - 1, x + i));
          s += k[i + rad] * v[y * width + xx];
        }
        tmp[y * width + x] = s;
      }
    }
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        float s = 0;
        for (int i = -rad; i <= rad; i++) {
          int yy = Math.max(0, Math.min(height - 1, y + i));
          s += k[i + rad] * tmp[yy * width + x];
        }
        v[y * width + x] = s;
      }
    }
  }
}

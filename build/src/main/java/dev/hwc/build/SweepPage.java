package dev.hwc.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The sweep's human outputs: sweep.csv, the envelope chart as a static SVG, and envelope.html, one
 * self-contained page (inline CSS, inline script, the SVG inline; nothing fetched) with a compression
 * lever ({@code <input type="range">} over the built candidates in compression order) moving a readout
 * of every output's accuracy, size, latency and cost. The page reads {@code #step=N} from its URL and
 * sets the lever through the same input handler, so a headless browser can drive it.
 */
final class SweepPage {
  private SweepPage() {}

  static final int W = 1000;
  static final int H = 470;
  private static final int L = 64;
  private static final int R = 80;
  private static final int T = 34;
  private static final int B = 84;
  private static final String[] COLORS = {"#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#7f7f7f", "#bcbd22"};

  static List<SweepResult.Candidate> built(SweepResult s) {
    return s.candidates().stream().filter(SweepResult.Candidate::built).toList();
  }

  static List<String> trackNames(SweepResult s) {
    Set<String> names = new LinkedHashSet<>();
    built(s).forEach(c -> c.tracks().forEach(t -> names.add(t.name())));
    return List.copyOf(names);
  }

  /** The output the chart highlights: the wall's weakest, else the one with the lowest value anywhere. */
  static String highlighted(SweepResult s) {
    if (s.wall() != null) {
      return s.wall().weakestTrack();
    }
    return built(s).stream().min(java.util.Comparator.comparingDouble(SweepResult.Candidate::weakest))
        .map(SweepResult.Candidate::weakestTrack).orElse(null);
  }

  static String csv(SweepResult s) {
    List<String> tracks = trackNames(s);
    StringBuilder b = new StringBuilder("id,series,precision,compression,level,built,plan,passed,weakest_track,weakest,"
        + "aggregate_metric,aggregate");
    tracks.forEach(t -> b.append(',').append(t));
    b.append(",fragmented,bytes,gzip_bytes,p50_ms,p99_ms,speedup,peak_rss_bytes,eur_per_month,deployment,reason\n");
    for (SweepResult.Candidate c : s.candidates()) {
      List<String> row = new ArrayList<>(List.of(c.id(), c.series(), c.precision(), c.compression(), str(c.level()),
          String.valueOf(c.built()), str(c.plan()), str(c.passed()), str(c.weakestTrack()), num(c.weakest()),
          str(c.aggregateMetric()), num(c.aggregate())));
      for (String t : tracks) {
        row.add(c.tracks().stream().filter(x -> x.name().equals(t)).findFirst().map(x -> num(x.value())).orElse(""));
      }
      var lat = c.latency();
      row.addAll(List.of(str(c.fragmented()), str(c.bytes()), str(c.gzipBytes()), lat == null ? "" : num(lat.p50Ms()),
          lat == null ? "" : num(lat.p99Ms()), lat == null ? "" : num(lat.speedup()),
          lat == null ? "" : str(lat.peakRssBytes()), c.cost() == null ? "" : String.format(Locale.ROOT, "%.2f",
          c.cost().eurPerMonth()), c.cost() == null ? "" : c.cost().deployment(), str(c.reason())));
      b.append(String.join(",", row.stream().map(SweepPage::quote).toList())).append('\n');
    }
    return b.toString();
  }

  private static String quote(String v) {
    return v.contains(",") || v.contains("\"") || v.contains("\n") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }

  private static String str(Object o) {
    return o == null ? "" : String.valueOf(o);
  }

  private static String num(Double d) {
    return d == null ? "" : String.format(Locale.ROOT, "%.6g", d);
  }

  static double x(int k, int n) {
    return n <= 1 ? L + (W - L - R) / 2.0 : L + k * (double) (W - L - R) / (n - 1);
  }

  static double accMin(SweepResult s) {
    double m = 1;
    for (SweepResult.Candidate c : built(s)) {
      for (SweepResult.Track t : c.tracks()) {
        m = Math.min(m, t.value());
      }
    }
    return Math.max(0, Math.min(0.9, Math.floor(m * 10 - 1e-9) / 10));
  }

  static double costMax(SweepResult s) {
    double m = 0;
    for (SweepResult.Candidate c : built(s)) {
      if (c.cost() != null) {
        m = Math.max(m, c.cost().eurPerMonth());
      }
    }
    if (s.baselineBand() != null) {
      m = Math.max(m, s.baselineBand()[1]);
    }
    return m <= 0 ? 1 : m * 1.1;
  }

  /** The envelope chart as SVG: accuracy per output against the candidates, cost, band, wall, operating point. */
  static String svg(SweepResult s) {
    List<SweepResult.Candidate> cs = built(s);
    int n = cs.size();
    double lo = accMin(s);
    double cmax = costMax(s);
    double plotH = H - T - B;
    java.util.function.DoubleUnaryOperator ya = v -> T + (1 - (v - lo) / (1 - lo)) * plotH;
    java.util.function.DoubleUnaryOperator yc = v -> T + (1 - v / cmax) * plotH;
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"chart\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n", W, H, W, H));
    b.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", W, H));
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s on %s: "
        + "accuracy per output and cost along compression</text>\n", L, esc(s.model()), esc(s.target())));
    if (s.baselineBand() != null) {
      double y1 = yc.applyAsDouble(s.baselineBand()[1]);
      double y0 = yc.applyAsDouble(s.baselineBand()[0]);
      b.append(String.format(Locale.ROOT, "<rect id=\"band\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
          + "fill=\"#ff7f0e\" fill-opacity=\"0.12\"/><text x=\"%d\" y=\"%.1f\" fill=\"#c05000\">your baseline "
          + "%.0f-%.0f %s/month</text>\n", L, y1, W - L - R, y0 - y1, L + 4, y1 + 12, s.baselineBand()[0],
          s.baselineBand()[1], esc(s.currency())));
    }
    // axes and grid
    for (int i = 0; i <= 5; i++) {
      double v = lo + (1 - lo) * i / 5;
      double y = ya.applyAsDouble(v);
      b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>", L, W - R, y, y, L - 6, y + 4, v));
      double cv = cmax * i / 5;
      b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" fill=\"#c05000\">%.1f</text>\n", W - R + 6,
          yc.applyAsDouble(cv) + 4, cv));
    }
    b.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%.1f\" transform=\"rotate(-90 14 %.1f)\" text-anchor=\"middle\">"
        + "accuracy (IoU per mask channel / cosine)</text>", T + plotH / 2, T + plotH / 2));
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" transform=\"rotate(90 %d %.1f)\" text-anchor=\"middle\" "
        + "fill=\"#c05000\">%s/month</text>\n", W - 12, T + plotH / 2, W - 12, T + plotH / 2, esc(s.currency())));
    b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%.0f\" fill=\"none\" stroke=\"#999\"/>\n",
        L, T, W - L - R, plotH));
    // series separators and level ticks
    String prev = null;
    for (int k = 0; k < n; k++) {
      SweepResult.Candidate c = cs.get(k);
      double x = x(k, n);
      b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"9\">%s</text>",
          x, T + plotH + 13, String.format(Locale.ROOT, "%.2f", c.level()).replaceFirst("^0", "")));
      if (!c.series().equals(prev)) {
        if (k > 0) {
          double xs = (x + x(k - 1, n)) / 2;
          b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"#bbb\"/>", xs, xs,
              T, T + plotH + 30));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s (pruned fraction)</text>\n", x, T + plotH + 28,
            esc(c.series())));
        prev = c.series();
      }
    }
    // one line per output track, broken between series
    List<String> tracks = trackNames(s);
    String weak = highlighted(s);
    int ci = 0;
    int legendY = (int) (T + plotH + 48);
    int legendX = L;
    for (String t : tracks) {
      boolean hi = t.equals(weak);
      String color = hi ? "#d62728" : COLORS[ci++ % COLORS.length];
      b.append(polylines(cs, n, c -> c.tracks().stream().filter(x -> x.name().equals(t)).findFirst()
          .map(SweepResult.Track::value).orElse(null), ya, color, hi ? 3.5 : 1.6, null, "track-" + t));
      legendX = legend(b, legendX, legendY, color, hi ? 3.5 : 1.6, null, t + (hi ? " (weakest)" : ""));
    }
    b.append(polylines(cs, n, SweepResult.Candidate::aggregate, ya, "#000000", 1.6, "6 4", "aggregate"));
    legendX = legend(b, legendX, legendY, "#000000", 1.6, "6 4", "aggregate (" + aggregateName(cs) + ")");
    b.append(polylines(cs, n, c -> c.cost() == null ? null : c.cost().eurPerMonth(), yc, "#ff7f0e", 2, "2 3", "cost"));
    legend(b, legendX, legendY, "#ff7f0e", 2, "2 3", "cost " + s.currency() + "/month at " + fmt(s.rate()) + " req/s");
    // gate line
    if (s.gate().minIoU() > lo && s.gate().minIoU() < 1) {
      double y = ya.applyAsDouble(s.gate().minIoU());
      b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" "
          + "stroke-opacity=\"0.5\" stroke-dasharray=\"1 3\"/><text x=\"%d\" y=\"%.1f\" fill=\"#d62728\" font-size=\"9\">"
          + "gate IoU %.2f</text>\n", L, W - R, y, y, L + 4, y - 3, s.gate().minIoU()));
    }
    int wallK = index(cs, s.wall() == null ? null : s.wall().candidate());
    if (wallK >= 0) {
      double x = x(wallK, n);
      b.append(String.format(Locale.ROOT, "<line id=\"wall\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"#d62728\" "
          + "stroke-width=\"2\" stroke-dasharray=\"8 4\"/><text x=\"%.1f\" y=\"%d\" fill=\"#d62728\" font-weight=\"bold\">wall"
          + "</text>\n", x, x, T, T + plotH, x + 4, T + 14));
    }
    int opK = index(cs, s.operatingPoint() == null ? null : s.operatingPoint().candidate());
    if (opK >= 0) {
      double x = x(opK, n);
      double y = ya.applyAsDouble(cs.get(opK).weakest());
      b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"#2ca02c\" "
          + "stroke-width=\"1.5\"/><circle id=\"operating-point\" cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"none\" "
          + "stroke=\"#2ca02c\" stroke-width=\"3\"/><text x=\"%.1f\" y=\"%d\" fill=\"#2ca02c\" font-weight=\"bold\" "
          + "text-anchor=\"end\">operating point</text>\n", x, x, T, T + plotH, x, y, x - 4, T + 28));
    }
    b.append(String.format(Locale.ROOT, "<line id=\"cursor\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%.1f\" stroke=\"#444\" "
        + "stroke-width=\"1\" visibility=\"hidden\"/>\n", L, L, T, T + plotH));
    b.append("</svg>\n");
    return b.toString();
  }

  private static String aggregateName(List<SweepResult.Candidate> cs) {
    return cs.isEmpty() ? "mean" : cs.get(0).aggregateMetric();
  }

  private static int legend(StringBuilder b, int x, int y, String color, double w, String dash, String label) {
    b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>"
        + "<text x=\"%d\" y=\"%d\">%s</text>", x, x + 22, y, y, color, w, dash == null ? "" : " stroke-dasharray=\"" + dash
        + "\"", x + 26, y + 4, esc(label)));
    return x + 34 + label.length() * 6;
  }

  private static String polylines(List<SweepResult.Candidate> cs, int n,
      java.util.function.Function<SweepResult.Candidate, Double> value, java.util.function.DoubleUnaryOperator y,
      String color, double width, String dash, String id) {
    StringBuilder b = new StringBuilder();
    StringBuilder pts = new StringBuilder();
    String series = null;
    for (int k = 0; k <= n; k++) {
      SweepResult.Candidate c = k < n ? cs.get(k) : null;
      Double v = c == null ? null : value.apply(c);
      boolean breakHere = c == null || !c.series().equals(series) || v == null;
      if (breakHere && pts.length() > 0) {
        b.append(String.format(Locale.ROOT, "<polyline class=\"%s\" points=\"%s\" fill=\"none\" stroke=\"%s\" "
            + "stroke-width=\"%.1f\"%s/>", esc(id), pts.toString().trim(), color, width,
            dash == null ? "" : " stroke-dasharray=\"" + dash + "\""));
        pts.setLength(0);
      }
      if (c != null && v != null) {
        series = c.series();
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(k, n), y.applyAsDouble(v)));
      }
      if (c != null && v != null) {
        b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>", x(k, n),
            y.applyAsDouble(v), width, color));
      }
    }
    return b.append('\n').toString();
  }

  private static int index(List<SweepResult.Candidate> cs, String id) {
    for (int k = 0; id != null && k < cs.size(); k++) {
      if (cs.get(k).id().equals(id)) {
        return k;
      }
    }
    return -1;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /** The self-contained page. */
  static String html(SweepResult s, String svg) {
    ObjectMapper m = new ObjectMapper();
    ArrayNode data = m.createArrayNode();
    List<SweepResult.Candidate> cs = built(s);
    for (int k = 0; k < cs.size(); k++) {
      SweepResult.Candidate c = cs.get(k);
      ObjectNode o = data.addObject();
      o.put("id", c.id());
      o.put("x", x(k, cs.size()));
      o.put("plan", c.plan());
      o.put("passed", c.passed());
      o.put("weakestTrack", c.weakestTrack());
      o.put("weakest", c.weakest());
      o.put("aggregateMetric", c.aggregateMetric());
      o.put("aggregate", c.aggregate());
      ObjectNode t = o.putObject("tracks");
      c.tracks().forEach(x -> t.put(x.name(), x.value()));
      o.put("fragmented", c.fragmented());
      o.put("bytes", c.bytes());
      o.put("gzipBytes", c.gzipBytes());
      if (c.latency() != null) {
        o.put("p50", c.latency().p50Ms());
        o.put("p99", c.latency().p99Ms());
        if (c.latency().peakRssBytes() != null) {
          o.put("rss", c.latency().peakRssBytes());
        }
      }
      if (c.cost() != null) {
        o.put("eur", c.cost().eurPerMonth());
        o.put("deployment", c.cost().deployment());
      }
      o.put("role", s.wall() != null && c.id().equals(s.wall().candidate()) ? "the wall"
          : s.operatingPoint() != null && c.id().equals(s.operatingPoint().candidate()) ? "the operating point" : "");
    }
    int start = Math.max(0, index(cs, s.operatingPoint() == null ? null : s.operatingPoint().candidate()));
    String json = data.toString().replace("</", "<\\/");
    List<String> notBuilt = s.candidates().stream().filter(c -> !c.built()).map(c -> c.id() + ": " + c.reason()).toList();
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>hwc sweep: ")
        .append(esc(s.model())).append(" on ").append(esc(s.target())).append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:16px;color:#222;max-width:1060px}"
            + "h1{font-size:18px;margin:0 0 8px}#lever:focus-visible{outline:2px solid #1a56db;outline-offset:2px}#lever{width:")
        .append(W - L - R).append("px;margin-left:").append(L - 8).append("px}"
            + "table{border-collapse:collapse;margin-top:8px;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;"
            + "text-align:left}th{background:#f3f3f3}.weak{color:#d62728;font-weight:bold}.fail{color:#d62728}"
            + ".pass{color:#2ca02c}#errors{color:#d62728}p{margin:4px 0;font-size:13px}\n</style></head>\n<body>\n");
    h.append("<h1>hwc sweep: ").append(esc(s.model())).append(" on ").append(esc(s.target())).append("</h1>\n");
    if (s.wall() != null) {
      h.append("<p><b>wall:</b> ").append(esc(s.wall().candidate())).append(" (")
          .append(esc(String.join("; ", s.wall().signals()))).append(")</p>\n");
    } else {
      h.append("<p><b>wall:</b> none found: the weakest output did not break along the grid</p>\n");
    }
    h.append("<p><b>operating point:</b> ").append(s.operatingPoint() == null ? "none passes the gate before the wall"
        : esc(s.operatingPoint().statement())).append("</p>\n");
    h.append(svg.replace("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"chart\"",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"chart\" role=\"img\" aria-label=\"envelope chart\""));
    h.append("<div><label for=\"lever\">compression lever (arrow keys move it): </label><br>"
        + "<input type=\"range\" id=\"lever\" min=\"0\" max=\"").append(Math.max(0, cs.size() - 1))
        .append("\" step=\"1\" value=\"").append(start).append("\" aria-describedby=\"readout\"></div>\n");
    h.append("<div id=\"readout\" aria-live=\"polite\"></div>\n");
    if (!notBuilt.isEmpty()) {
      h.append("<p><b>not built:</b></p><ul>");
      notBuilt.forEach(x -> h.append("<li>").append(esc(x)).append("</li>"));
      h.append("</ul>\n");
    }
    h.append("<pre id=\"errors\"></pre>\n<script id=\"data\" type=\"application/json\">").append(json).append("</script>\n");
    h.append("<script>\n").append(SCRIPT.replace("%CURRENCY%", esc(s.currency()))).append("</script>\n</body></html>\n");
    return h.toString();
  }

  private static final String SCRIPT = """
      (function () {
        'use strict';
        window.addEventListener('error', function (e) {
          document.getElementById('errors').textContent += 'error: ' + e.message + '\\n';
        });
        var data = JSON.parse(document.getElementById('data').textContent);
        var lever = document.getElementById('lever');
        var readout = document.getElementById('readout');
        var cursor = document.getElementById('cursor');
        function f(v, d) { return v === undefined || v === null ? '-' : Number(v).toFixed(d); }
        function kib(b) { return b === undefined || b === null ? '-' : (b / 1024).toFixed(1) + ' KiB'; }
        function row(k, v, cls) {
          var tr = document.createElement('tr');
          var th = document.createElement('th'); th.textContent = k;
          var td = document.createElement('td'); td.textContent = v;
          if (cls) { td.className = cls; }
          tr.appendChild(th); tr.appendChild(td);
          return tr;
        }
        function show(i) {
          var c = data[i];
          if (!c) { return; }
          var t = document.createElement('table');
          t.appendChild(row('candidate', c.id + (c.role ? ' (' + c.role + ')' : '') + ', plan ' + c.plan));
          t.appendChild(row('gate', c.passed ? 'passes' : 'FAILS', c.passed ? 'pass' : 'fail'));
          Object.keys(c.tracks).forEach(function (k) {
            t.appendChild(row(k, f(c.tracks[k], 4), k === c.weakestTrack ? 'weak' : ''));
          });
          t.appendChild(row(c.aggregateMetric + ' (aggregate)', f(c.aggregate, 4)));
          t.appendChild(row('weakest', c.weakestTrack + ' ' + f(c.weakest, 4), 'weak'));
          t.appendChild(row('curves fragmented', c.fragmented ? 'yes' : 'no'));
          t.appendChild(row('size stored / gzipped', kib(c.bytes) + ' / ' + kib(c.gzipBytes)));
          t.appendChild(row('latency p50 / p99', f(c.p50, 3) + ' / ' + f(c.p99, 3) + ' ms'));
          t.appendChild(row('peak RSS', c.rss ? (c.rss / 1048576).toFixed(0) + ' MiB' : '-'));
          t.appendChild(row('%CURRENCY%/month', c.eur === undefined ? '-' : f(c.eur, 2) + ' (' + c.deployment + ')'));
          readout.replaceChildren(t);
          readout.setAttribute('data-step', String(i));
          readout.setAttribute('data-candidate', c.id);
          lever.setAttribute('aria-valuetext', c.id + (c.passed ? ', passes' : ', fails the gate'));
          cursor.setAttribute('x1', c.x); cursor.setAttribute('x2', c.x);
          cursor.setAttribute('visibility', 'visible');
        }
        lever.addEventListener('input', function () { show(Number(lever.value)); });
        function fromHash() {
          var m = /step=(\\d+)/.exec(location.hash);
          if (m) {
            lever.value = m[1];
            lever.dispatchEvent(new Event('input'));
          }
        }
        window.addEventListener('hashchange', fromHash);
        show(Number(lever.value));
        fromHash();
        document.body.setAttribute('data-ready', 'yes');
      })();
      """;
}

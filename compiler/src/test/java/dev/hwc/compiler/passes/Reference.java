package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.OpContext;
import dev.hwc.compiler.ops.OpRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A test-only reference interpreter: runs a whole graph on named inputs, in double, with the ops'
 * own kernels where they have one and small straightforward versions of the ops that have none
 * (Conv, ConvTranspose, Gemm, MatMul, BatchNormalization, Dropout, GlobalAveragePool, MaxPool,
 * Softmax, nearest Resize by integer factors). Slow and
 * plain on purpose: it is the oracle passes are checked against.
 */
final class Reference {
  private Reference() {}

  /** The graph outputs, by name, for the given inputs. */
  static Map<String, Tensor> run(Graph g, Map<String, Tensor> feeds) {
    Map<String, Tensor> env = new HashMap<>(g.initializers());
    env.putAll(feeds);
    Function<String, Value> types = name -> {
      Tensor t = env.get(name);
      return t != null ? new Value(name, t.dtype(), t.irShape()) : g.type(name);
    };
    for (Node n : g.nodes()) {
      List<Tensor> in = new ArrayList<>();
      for (String s : n.inputs()) {
        if (!s.isEmpty() && !env.containsKey(s)) {
          throw new IllegalStateException(n.describe() + " reads '" + s + "', which has no value");
        }
        in.add(s.isEmpty() ? null : env.get(s));
      }
      List<Tensor> out = switch (n.op()) {
        case "Conv" -> List.of(conv(n, in));
        case "ConvTranspose" -> List.of(convTranspose(n, in));
        case "Gemm" -> List.of(gemm(n, in));
        case "MatMul" -> List.of(matMul(in.get(0), in.get(1)));
        case "BatchNormalization" -> List.of(batchNorm(n, in));
        case "Dropout" -> List.of(in.get(0));
        case "GlobalAveragePool" -> List.of(globalAveragePool(in.get(0)));
        case "MaxPool" -> List.of(maxPool(n, in.get(0)));
        case "Softmax" -> List.of(softmax(n, in.get(0), g.opset()));
        case "Resize" -> List.of(resizeNearest(in.get(0), in.get(2)));
        default -> OpRegistry.require(n, g.opset()).kernel()
            .eval(new OpContext(n, g.opset(), types, env::get), in);
      };
      for (int i = 0; i < n.outputs().size() && i < out.size(); i++) {
        if (!n.output(i).isEmpty()) {
          env.put(n.output(i), out.get(i));
        }
      }
    }
    Map<String, Tensor> result = new LinkedHashMap<>();
    for (Value o : g.outputs()) {
      result.put(o.name(), env.get(o.name()));
    }
    return result;
  }

  private static long[] ints(Node n, String name, long... dflt) {
    return n.attrs().getInts(name, dflt);
  }

  /** 2-D convolution: x [N, C, H, W], w [M, C/group, kh, kw], explicit pads only. */
  static Tensor conv(Node n, List<Tensor> in) {
    Tensor x = in.get(0);
    Tensor w = in.get(1);
    long[] xs = x.shape();
    long[] ws = w.shape();
    int group = (int) n.attrs().getInt("group", 1);
    long[] st = ints(n, "strides", 1, 1);
    long[] dl = ints(n, "dilations", 1, 1);
    long[] pd = ints(n, "pads", 0, 0, 0, 0);
    int batch = (int) xs[0], h = (int) xs[2], wd = (int) xs[3];
    int m = (int) ws[0], cg = (int) ws[1], kh = (int) ws[2], kw = (int) ws[3];
    int oh = (int) ((h + pd[0] + pd[2] - dl[0] * (kh - 1) - 1) / st[0] + 1);
    int ow = (int) ((wd + pd[1] + pd[3] - dl[1] * (kw - 1) - 1) / st[1] + 1);
    int mg = m / group;
    double[] xv = x.toDoubles();
    double[] wv = w.toDoubles();
    double[] bv = in.size() > 2 && in.get(2) != null ? in.get(2).toDoubles() : new double[m];
    double[] out = new double[batch * m * oh * ow];
    for (int b = 0; b < batch; b++) {
      for (int o = 0; o < m; o++) {
        int gi = o / mg;
        for (int y = 0; y < oh; y++) {
          for (int z = 0; z < ow; z++) {
            double acc = bv[o];
            for (int c = 0; c < cg; c++) {
              int ci = gi * cg + c;
              for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                  long iy = y * st[0] - pd[0] + i * dl[0];
                  long ix = z * st[1] - pd[1] + j * dl[1];
                  if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                    acc += xv[(int) (((b * xs[1] + ci) * h + iy) * wd + ix)]
                        * wv[((o * cg + c) * kh + i) * kw + j];
                  }
                }
              }
            }
            out[((b * m + o) * oh + y) * ow + z] = acc;
          }
        }
      }
    }
    return Tensor.fromDoubles(x.dtype(), new long[] {batch, m, oh, ow}, out);
  }

  /** 2-D transposed convolution: x [N, C, H, W], w [C, M/group, kh, kw], explicit pads only. */
  static Tensor convTranspose(Node n, List<Tensor> in) {
    Tensor x = in.get(0);
    Tensor w = in.get(1);
    long[] xs = x.shape();
    long[] ws = w.shape();
    int group = (int) n.attrs().getInt("group", 1);
    long[] st = ints(n, "strides", 1, 1);
    long[] dl = ints(n, "dilations", 1, 1);
    long[] pd = ints(n, "pads", 0, 0, 0, 0);
    long[] op = ints(n, "output_padding", 0, 0);
    int batch = (int) xs[0], c = (int) xs[1], h = (int) xs[2], wd = (int) xs[3];
    int mg = (int) ws[1], kh = (int) ws[2], kw = (int) ws[3];
    int m = mg * group;
    int cg = c / group;
    int oh = (int) (st[0] * (h - 1) + op[0] + (kh - 1) * dl[0] + 1 - pd[0] - pd[2]);
    int ow = (int) (st[1] * (wd - 1) + op[1] + (kw - 1) * dl[1] + 1 - pd[1] - pd[3]);
    double[] xv = x.toDoubles();
    double[] wv = w.toDoubles();
    double[] bv = in.size() > 2 && in.get(2) != null ? in.get(2).toDoubles() : new double[m];
    double[] out = new double[batch * m * oh * ow];
    for (int b = 0; b < batch; b++) {
      for (int o = 0; o < m; o++) {
        for (int p = 0; p < oh * ow; p++) {
          out[(b * m + o) * oh * ow + p] = bv[o];
        }
      }
      for (int ci = 0; ci < c; ci++) {
        int gi = ci / cg;
        for (int iy = 0; iy < h; iy++) {
          for (int ix = 0; ix < wd; ix++) {
            double v = xv[((b * c + ci) * h + iy) * wd + ix];
            for (int j = 0; j < mg; j++) {
              int o = gi * mg + j;
              for (int i = 0; i < kh; i++) {
                for (int k = 0; k < kw; k++) {
                  long y = iy * st[0] - pd[0] + i * dl[0];
                  long z = ix * st[1] - pd[1] + k * dl[1];
                  if (y >= 0 && y < oh && z >= 0 && z < ow) {
                    out[(int) (((b * m + o) * oh + y) * ow + z)] += v * wv[((ci * mg + j) * kh + i) * kw + k];
                  }
                }
              }
            }
          }
        }
      }
    }
    return Tensor.fromDoubles(x.dtype(), new long[] {batch, m, oh, ow}, out);
  }

  /** Y = alpha * A' B' + beta * C, C broadcast to [M, N]. */
  static Tensor gemm(Node n, List<Tensor> in) {
    boolean ta = n.attrs().getInt("transA", 0) != 0;
    boolean tb = n.attrs().getInt("transB", 0) != 0;
    double alpha = n.attrs().getFloat("alpha", 1f);
    double beta = n.attrs().getFloat("beta", 1f);
    Tensor a = in.get(0);
    Tensor b = in.get(1);
    long[] as = a.shape();
    long[] bs = b.shape();
    int m = (int) (ta ? as[1] : as[0]);
    int k = (int) (ta ? as[0] : as[1]);
    int nn = (int) (tb ? bs[0] : bs[1]);
    double[] av = a.toDoubles();
    double[] bv = b.toDoubles();
    Tensor c = in.size() > 2 ? in.get(2) : null;
    double[] out = new double[m * nn];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < nn; j++) {
        double acc = 0;
        for (int p = 0; p < k; p++) {
          acc += av[ta ? p * m + i : i * k + p] * bv[tb ? j * k + p : p * nn + j];
        }
        out[i * nn + j] = alpha * acc + (c == null ? 0 : beta * c.getDouble(broadcastIndex(c.shape(), i, j)));
      }
    }
    return Tensor.fromDoubles(a.dtype(), new long[] {m, nn}, out);
  }

  private static int broadcastIndex(long[] cs, int i, int j) {
    if (cs.length == 0) {
      return 0;
    }
    if (cs.length == 1) {
      return cs[0] == 1 ? 0 : j;
    }
    return (int) ((cs[0] == 1 ? 0 : i) * cs[1] + (cs[1] == 1 ? 0 : j));
  }

  /** A [..., M, K] x B [K, N], or A [..., M, K] x B [..., K, N] with the same batch dims. */
  static Tensor matMul(Tensor a, Tensor b) {
    long[] as = a.shape();
    long[] bs = b.shape();
    boolean batchedB = bs.length > 2;
    if (as.length < 2 || bs.length < 2 || batchedB && !java.util.Arrays.equals(
        java.util.Arrays.copyOf(as, as.length - 2), java.util.Arrays.copyOf(bs, bs.length - 2))) {
      throw new UnsupportedOperationException("reference MatMul: B is 2-D or has A's batch dims");
    }
    int m = (int) as[as.length - 2];
    int k = (int) bs[bs.length - 2];
    int nn = (int) bs[bs.length - 1];
    int batches = (int) (a.numElements() / ((long) m * k));
    double[] av = a.toDoubles();
    double[] bv = b.toDoubles();
    double[] out = new double[batches * m * nn];
    for (int t = 0; t < batches; t++) {
      int ao = t * m * k;
      int bo = batchedB ? t * k * nn : 0;
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < nn; j++) {
          double acc = 0;
          for (int p = 0; p < k; p++) {
            acc += av[ao + i * k + p] * bv[bo + p * nn + j];
          }
          out[(t * m + i) * nn + j] = acc;
        }
      }
    }
    long[] os = as.clone();
    os[os.length - 1] = nn;
    return Tensor.fromDoubles(a.dtype(), os, out);
  }

  /** (x - mean) / sqrt(var + eps) * scale + bias, per channel on axis 1. */
  static Tensor batchNorm(Node n, List<Tensor> in) {
    Tensor x = in.get(0);
    long[] xs = x.shape();
    double eps = n.attrs().getFloat("epsilon", 1e-5f);
    int c = (int) xs[1];
    long inner = x.numElements() / (xs[0] * c);
    double[] v = x.toDoubles();
    for (int i = 0; i < v.length; i++) {
      int ch = (int) ((i / inner) % c);
      v[i] = (v[i] - in.get(3).getDouble(ch)) / Math.sqrt(in.get(4).getDouble(ch) + eps)
          * in.get(1).getDouble(ch) + in.get(2).getDouble(ch);
    }
    return Tensor.fromDoubles(x.dtype(), xs, v);
  }

  static Tensor globalAveragePool(Tensor x) {
    long[] xs = x.shape();
    int outer = (int) (xs[0] * xs[1]);
    int inner = (int) (x.numElements() / outer);
    double[] v = x.toDoubles();
    double[] out = new double[outer];
    for (int i = 0; i < outer; i++) {
      for (int j = 0; j < inner; j++) {
        out[i] += v[i * inner + j];
      }
      out[i] /= inner;
    }
    long[] os = xs.clone();
    for (int d = 2; d < os.length; d++) {
      os[d] = 1;
    }
    return Tensor.fromDoubles(x.dtype(), os, out);
  }

  /** 2-D max pooling without padding. */
  static Tensor maxPool(Node n, Tensor x) {
    long[] xs = x.shape();
    long[] k = ints(n, "kernel_shape");
    long[] st = ints(n, "strides", 1, 1);
    int h = (int) xs[2], w = (int) xs[3];
    int oh = (int) ((h - k[0]) / st[0] + 1), ow = (int) ((w - k[1]) / st[1] + 1);
    int planes = (int) (xs[0] * xs[1]);
    double[] v = x.toDoubles();
    double[] out = new double[planes * oh * ow];
    for (int p = 0; p < planes; p++) {
      for (int y = 0; y < oh; y++) {
        for (int z = 0; z < ow; z++) {
          double m = Double.NEGATIVE_INFINITY;
          for (int i = 0; i < k[0]; i++) {
            for (int j = 0; j < k[1]; j++) {
              m = Math.max(m, v[(int) ((p * h + y * st[0] + i) * w + z * st[1] + j)]);
            }
          }
          out[(p * oh + y) * ow + z] = m;
        }
      }
    }
    return Tensor.fromDoubles(x.dtype(), new long[] {xs[0], xs[1], oh, ow}, out);
  }

  /** Softmax over one axis (opset >= 13 semantics; below 13 only the last axis is supported). */
  static Tensor softmax(Node n, Tensor x, int opset) {
    long[] xs = x.shape();
    int rank = xs.length;
    long a = n.attrs().getInt("axis", opset < 13 ? 1 : -1);
    int axis = (int) (a < 0 ? a + rank : a);
    if (opset < 13 && axis != rank - 1) {
      throw new UnsupportedOperationException("reference Softmax below opset 13 takes the last axis only");
    }
    long inner = 1;
    for (int d = axis + 1; d < rank; d++) {
      inner *= xs[d];
    }
    int size = (int) xs[axis];
    double[] v = x.toDoubles();
    for (int o = 0; o < v.length / (size * inner); o++) {
      for (int i = 0; i < inner; i++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < size; j++) {
          max = Math.max(max, v[(int) ((o * size + j) * inner + i)]);
        }
        double sum = 0;
        for (int j = 0; j < size; j++) {
          int at = (int) ((o * size + j) * inner + i);
          v[at] = Math.exp(v[at] - max);
          sum += v[at];
        }
        for (int j = 0; j < size; j++) {
          v[(int) ((o * size + j) * inner + i)] /= sum;
        }
      }
    }
    return Tensor.fromDoubles(x.dtype(), xs, v);
  }

  /** Nearest upsampling of an NCHW tensor by integer scales, as the default modes (half_pixel, round_prefer_floor) give. */
  static Tensor resizeNearest(Tensor x, Tensor scales) {
    long[] xs = x.shape();
    int fy = (int) scales.getDouble(2), fx = (int) scales.getDouble(3);
    int h = (int) xs[2], w = (int) xs[3];
    int planes = (int) (xs[0] * xs[1]);
    double[] v = x.toDoubles();
    double[] out = new double[planes * h * fy * w * fx];
    for (int p = 0; p < planes; p++) {
      for (int y = 0; y < h * fy; y++) {
        for (int z = 0; z < w * fx; z++) {
          out[(p * h * fy + y) * w * fx + z] = v[(p * h + y / fy) * w + z / fx];
        }
      }
    }
    return Tensor.fromDoubles(x.dtype(), new long[] {xs[0], xs[1], (long) h * fy, (long) w * fx}, out);
  }
}

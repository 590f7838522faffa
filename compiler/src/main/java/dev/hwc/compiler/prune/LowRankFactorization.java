package dev.hwc.compiler.prune;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.compiler.passes.Pass;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.PassInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * Low-rank factorization of constant 2-D weights by truncated SVD (commons-math3): a MatMul
 * {@code x W} with {@code W[K, N]} becomes {@code (x A) B} with {@code A = U_r S_r [K, r]} and
 * {@code B = V_r^T [r, N]}; a Gemm (transA 0) becomes a MatMul by A then a Gemm by B with the bias.
 * The rank is the smallest that keeps the asked fraction of the weight's energy (sum of squared
 * singular values), or a fixed rank. A weight is left as it is where the two factors would hold
 * as many parameters as it does ({@code r (K + N) >= K N}): two layers then cost more, not less.
 * Two layers also mean two kernel launches and an [.., r] intermediate: fewer parameters need not
 * mean faster, which the build measures.
 */
public final class LowRankFactorization implements Pass {
  public static final String NAME = "low-rank";
  private static final PassInfo INFO = new PassInfo(NAME, 0);

  private final double energy;
  private final int rank;
  private final Predicate<Node> eligible;

  /**
   * @param energy the fraction of each weight's energy kept, in (0, 1]; ignored when rank > 0
   * @param rank a fixed rank, or 0 to choose it by energy
   * @param eligible which layers may be factorized (all MatMul/Gemm with a constant 2-D weight otherwise)
   */
  public LowRankFactorization(double energy, int rank, Predicate<Node> eligible) {
    if (rank <= 0 && !(energy > 0 && energy <= 1)) {
      throw new IllegalArgumentException("kept energy must be in (0, 1], got " + energy);
    }
    this.energy = energy;
    this.rank = rank;
    this.eligible = eligible == null ? n -> true : eligible;
  }

  /** By kept energy, every layer but the protected ones. */
  public static LowRankFactorization byEnergy(double energy, Set<String> protectedLayers) {
    return new LowRankFactorization(energy, 0, n -> !protectedLayers.contains(n.name()));
  }

  /** A weight's singular values and vectors. */
  private record Svd(double[] s, RealMatrix u, RealMatrix vt) {}

  /**
   * The last SVDs computed, by the weight's bytes and orientation: a sweep factorizes the same
   * weights at several kept energies and precisions (low-rank runs before quantization), and an SVD of
   * a transformer's 1536 x 384 weight takes seconds. Soft references: the memory goes back when needed.
   */
  private static final Map<String, java.lang.ref.SoftReference<Svd>> SVDS = java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, java.lang.ref.SoftReference<Svd>> e) {
          return size() > 128;
        }
      });

  private static Svd svd(double[][] a) {
    java.security.MessageDigest md;
    try {
      md = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    java.nio.ByteBuffer row = java.nio.ByteBuffer.allocate(8 * a[0].length);
    for (double[] r : a) {
      row.clear();
      row.asDoubleBuffer().put(r);
      md.update(row.array());
    }
    String key = a.length + "x" + a[0].length + ":" + java.util.HexFormat.of().formatHex(md.digest());
    java.lang.ref.SoftReference<Svd> ref = SVDS.get(key);
    Svd got = ref == null ? null : ref.get();
    if (got == null) {
      SingularValueDecomposition d = new SingularValueDecomposition(new Array2DRowRealMatrix(a, false));
      got = new Svd(d.getSingularValues(), d.getU(), d.getVT());
      SVDS.put(key, new java.lang.ref.SoftReference<>(got));
    }
    return got;
  }

  @Override
  public PassInfo info() {
    return INFO;
  }

  /** One factorized layer: its name, the weight's shape, and the rank used. */
  public record Factored(String layer, long k, long n, int rank, double keptEnergy) {}

  @Override
  public Graph run(Graph g, PassContext ctx) {
    List<Factored> done = new ArrayList<>();
    Graph out = factorize(g, done);
    ctx.log().accept(NAME + ": " + done.size() + " layers factorized " + done);
    return out;
  }

  /** g with every eligible weight factorized; {@code done} receives what was. */
  public Graph factorize(Graph g, List<Factored> done) {
    Map<String, Integer> readers = new HashMap<>();
    for (Node n : g.nodes()) {
      n.inputs().forEach(i -> readers.merge(i, 1, Integer::sum));
    }
    Graph.Editor e = g.edit();
    boolean changed = false;
    for (Node n : g.nodes()) {
      boolean gemm = n.op().equals("Gemm");
      if (!(gemm || n.op().equals("MatMul")) || !eligible.test(n) || !n.hasInput(1)) {
        continue;
      }
      Tensor w = g.initializer(n.input(1));
      if (w == null || w.rank() != 2 || !w.dtype().isFloat() || readers.get(n.input(1)) > 1
          || gemm && n.attrs().getInt("transA", 0) != 0) {
        continue;
      }
      boolean transB = gemm && n.attrs().getInt("transB", 0) != 0;
      long k = transB ? w.shape()[1] : w.shape()[0];
      long m = transB ? w.shape()[0] : w.shape()[1];
      double[][] a = new double[(int) k][(int) m];
      double[] v = w.toDoubles();
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < m; j++) {
          a[i][j] = transB ? v[(int) (j * k + i)] : v[(int) (i * m + j)];
        }
      }
      Svd svd = svd(a);
      double[] s = svd.s();
      double total = 0;
      for (double x : s) {
        total += x * x;
      }
      int r = rank > 0 ? Math.min(rank, s.length) : 0;
      double kept = 0;
      if (r == 0) {
        while (r < s.length && (kept < energy * total || r == 0)) {
          kept += s[r] * s[r];
          r++;
        }
      } else {
        for (int i = 0; i < r; i++) {
          kept += s[i] * s[i];
        }
      }
      if ((long) r * (k + m) >= k * m) {
        continue; // two factors would hold as much as the weight
      }
      RealMatrix u = svd.u();
      RealMatrix vt = svd.vt();
      double[] fa = new double[(int) (k * r)];
      double[] fb = new double[(int) (r * m)];
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < r; j++) {
          fa[i * r + j] = u.getEntry(i, j) * s[j];
        }
      }
      for (int i = 0; i < r; i++) {
        for (int j = 0; j < m; j++) {
          fb[(int) (i * m + j)] = vt.getEntry(i, j);
        }
      }
      String an = n.input(1) + "_lr_a";
      String bn = n.input(1) + "_lr_b";
      String mid = n.output(0) + "_lr";
      e.putInitializer(an, Tensor.fromDoubles(w.dtype(), new long[] {k, r}, fa));
      e.putInitializer(bn, Tensor.fromDoubles(w.dtype(), new long[] {r, m}, fb));
      e.removeInitializer(n.input(1));
      Node first = new Node(n.name() + "_lr_a", "MatMul", List.of(n.input(0), an), List.of(mid), Attributes.EMPTY);
      List<String> ins = new ArrayList<>(n.inputs());
      ins.set(0, mid);
      ins.set(1, bn);
      Node second = gemm ? n.withInputs(ins).withAttrs(n.attrs().without("transB"))
          : new Node(n.name(), "MatMul", ins, n.outputs(), n.attrs());
      e.replaceNode(n, List.of(first, second));
      done.add(new Factored(n.name(), k, m, r, total == 0 ? 1 : kept / total));
      changed = true;
    }
    return changed ? ShapeInference.run(e.build()) : g;
  }
}

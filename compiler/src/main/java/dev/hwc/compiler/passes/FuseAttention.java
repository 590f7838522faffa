package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Attributes;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.ContribOps;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Fuses BERT-style self-attention, as exporters write it, into one ONNX Runtime contrib op:
 *
 * <pre>
 *   q/k/v = Add(MatMul(x, Wq/Wk/Wv), bq/bk/bv)               x [B, S, H], W [H, H], b [H]
 *   qh = Transpose(Reshape(q, [B, S, N, h]), [0, 2, 1, 3])    likewise vh; kh with perm [0, 2, 3, 1]
 *   p  = Softmax(MatMul(qh, kh) * scale [+ mask], axis -1)    (or / sqrt(h); the mask term optional)
 *   y  = Reshape(Transpose(MatMul(p, vh), [0, 2, 1, 3]), [B, S, H])
 * </pre>
 *
 * The mask term, when present, must be the exporters' additive mask from a [B, S] 0/1 attention mask,
 * {@code (1 - Cast(Unsqueeze(mask, [1, 2]))) * c} with c very negative (the Unsqueezes also as one Reshape
 * to [B, 1, 1, S], as static shapes leave them); it becomes the op's 2-D
 * {@code mask_index} (int32) with {@code mask_filter_value = c} (ONNX Runtime adds c where the mask is 0
 * and nothing where it is 1, which is what the exported graph computes).
 *
 * <p>With {@code packed} (fp32 targets) the result is {@code com.microsoft:Attention(x, [Wq|Wk|Wv],
 * [bq|bk|bv], mask_index)}: one [H, 3H] projection inside the op. Without it (int8 targets) the three
 * projections stay MatMuls the quantizer can make integer, and the core becomes
 * {@code com.microsoft:MultiHeadAttention(q, k, v, bias = [bq|bk|bv], key_padding_mask)}. Semantics:
 * onnxruntime docs/ContribOperators.md (https://github.com/microsoft/onnxruntime/blob/main/docs/ContribOperators.md).
 */
public final class FuseAttention implements Pass {
  public static final String NAME = "fuse-attention";
  private static final PassInfo INFO = new PassInfo(NAME, 0, List.of(InferShapes.NAME));

  private final boolean packed;

  /** @param packed emit {@code Attention} with packed QKV weights; false: {@code MultiHeadAttention}. */
  public FuseAttention(boolean packed) {
    this.packed = packed;
  }

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    return RuleSet.on("Softmax", this::fuse).rewrite(g);
  }

  /** One projection {@code Add(MatMul(x, W), b)}. */
  private record Proj(Node matMul, Node add, String x, String w, String b) {}

  /** A head split {@code Transpose(Reshape(p, [B, S, N, h]), perm)} with its projection. */
  private record Heads(Proj proj, Node reshape, Node transpose, long n, long h) {}

  private Optional<Rule.Rewrite> fuse(Graph g, Node softmax) {
    int rank = Match.rank(g, softmax.input(0));
    long axis = softmax.attrs().getInt("axis", g.opset() < 13 ? 1 : -1);
    if (rank != 4 || (axis != -1 && axis != 3) || softmax.outputs().size() != 1) {
      return Optional.empty();
    }
    List<Node> removed = new ArrayList<>();
    // the mask term
    String scores = softmax.input(0);
    String maskInput = null;
    double maskValue = 0;
    Node maskAdd = Match.soleOutputProducer(g, scores, "Add");
    if (maskAdd != null) {
      if (!Match.onlyReader(g, scores, softmax)) {
        return Optional.empty();
      }
      Mask m = null;
      for (int i = 0; i < 2 && m == null; i++) {
        m = mask(g, maskAdd.input(1 - i));
        if (m != null) {
          scores = maskAdd.input(i);
        }
      }
      if (m == null) {
        return Optional.empty();
      }
      maskInput = m.mask2d();
      maskValue = m.value();
      removed.add(maskAdd);
    }
    // the scale
    double scale = 1;
    Node qk = Match.soleOutputProducer(g, scores, "MatMul");
    if (qk == null) {
      Node s = g.producer(scores);
      if (s == null || s.outputs().size() != 1 || !s.domain().isEmpty()
          || !(s.op().equals("Mul") || s.op().equals("Div")) || !Match.onlyReader(g, scores, maskAdd != null ? maskAdd : softmax)) {
        return Optional.empty();
      }
      Double c = Match.scalar(g, s.input(1));
      String other = s.input(0);
      if (c == null && s.op().equals("Mul")) {
        c = Match.scalar(g, s.input(0));
        other = s.input(1);
      }
      if (c == null || c == 0) {
        return Optional.empty();
      }
      scale = s.op().equals("Mul") ? c : 1 / c;
      qk = Match.soleOutputProducer(g, other, "MatMul");
      if (qk == null || !Match.onlyReader(g, other, s)) {
        return Optional.empty();
      }
      removed.add(s);
    } else if (!Match.onlyReader(g, scores, maskAdd != null ? maskAdd : softmax)) {
      return Optional.empty();
    }
    removed.add(qk);
    Heads q = heads(g, qk.input(0), qk, new long[] {0, 2, 1, 3});
    Heads k = heads(g, qk.input(1), qk, new long[] {0, 2, 3, 1});
    // the context
    List<Node> readers = g.consumers(softmax.output(0));
    Node ctxMm = readers.size() == 1 && readers.get(0).op().equals("MatMul") && readers.get(0).domain().isEmpty()
        && readers.get(0).input(0).equals(softmax.output(0)) && !g.isGraphOutput(softmax.output(0)) ? readers.get(0) : null;
    if (q == null || k == null || ctxMm == null) {
      return Optional.empty();
    }
    Heads v = heads(g, ctxMm.input(1), ctxMm, new long[] {0, 2, 1, 3});
    if (v == null || !q.proj().x().equals(k.proj().x()) || !q.proj().x().equals(v.proj().x())
        || q.n() != k.n() || q.n() != v.n() || q.h() != k.h() || q.h() != v.h()) {
      return Optional.empty();
    }
    Node back = soleReader(g, ctxMm.output(0), "Transpose");
    if (back == null || !Arrays.equals(back.attrs().getInts("perm", null), new long[] {0, 2, 1, 3})) {
      return Optional.empty();
    }
    Node merge = soleReader(g, back.output(0), "Reshape");
    Value x = g.type(q.proj().x());
    Value y = merge == null ? null : g.type(merge.output(0));
    long hidden = q.n() * q.h();
    if (y == null || x == null || !y.shape().hasRank() || y.shape().rank() != 3 || y.dtype() != DType.FLOAT
        || !y.shape().dim(0).equals(x.shape().dim(0)) || !y.shape().dim(1).equals(x.shape().dim(1))
        || !y.shape().dim(2).equals(Dim.of(hidden))) {
      return Optional.empty();
    }
    removed.addAll(List.of(softmax, ctxMm, back));
    for (Heads hd : List.of(q, k, v)) {
      removed.add(hd.reshape());
      removed.add(hd.transpose());
    }
    String maskIndex = maskInput == null ? "" : maskInput + "_int32";
    boolean castExists = maskInput != null && g.producer(maskIndex) != null;
    Node cast = maskInput == null || castExists ? null
        : new Node(maskIndex, "Cast", List.of(maskInput), List.of(maskIndex), Attributes.of("to", (long) DType.INT32.onnxCode));
    Attributes attrs = Attributes.of("num_heads", q.n(), "scale", (float) scale);
    if (maskInput != null) {
      attrs = attrs.with("mask_filter_value", (float) maskValue);
    }
    String base = merge.name();
    List<Node> add = new ArrayList<>();
    String biasName = Match.freshName(g, base + "_qkv_bias");
    Tensor bias = concat(List.of(g.initializer(q.proj().b()), g.initializer(k.proj().b()), g.initializer(v.proj().b())), 1,
        new long[] {3 * hidden});
    String weightName = null;
    Tensor weight = null;
    if (packed) {
      removed.addAll(List.of(q.proj().matMul(), q.proj().add(), k.proj().matMul(), k.proj().add(),
          v.proj().matMul(), v.proj().add()));
      weightName = Match.freshName(g, base + "_qkv_weight");
      weight = concat(List.of(g.initializer(q.proj().w()), g.initializer(k.proj().w()), g.initializer(v.proj().w())),
          hidden, new long[] {hidden, 3 * hidden});
      add.add(new Node(base, "Attention", ContribOps.DOMAIN,
          maskInput == null ? List.of(q.proj().x(), weightName, biasName) : List.of(q.proj().x(), weightName, biasName, maskIndex),
          merge.outputs(), attrs));
    } else {
      removed.addAll(List.of(q.proj().add(), k.proj().add(), v.proj().add()));
      List<String> ins = new ArrayList<>(List.of(q.proj().matMul().output(0), k.proj().matMul().output(0),
          v.proj().matMul().output(0), biasName));
      if (maskInput != null) {
        ins.add(maskIndex);
      }
      add.add(new Node(base, "MultiHeadAttention", ContribOps.DOMAIN, ins, merge.outputs(), attrs));
    }
    String wn = weightName;
    Tensor wt = weight;
    return Optional.of(e -> {
      for (Node r : removed) {
        e.removeNode(r);
        for (String o : r.outputs()) {
          e.valueTypes().remove(o);
        }
      }
      if (cast != null) {
        e.addNode(cast);
        e.setType(new Value(maskIndex, DType.INT32, g.type(cast.input(0)).shape()));
      }
      e.putInitializer(biasName, bias);
      if (wn != null) {
        e.putInitializer(wn, wt);
      }
      e.replaceNode(merge, add);
    });
  }

  /** The additive mask {@code (1 - Cast(Unsqueeze(m, [1, 2]))) * c}: the [B, S] mask and c. */
  private record Mask(String mask2d, double value) {}

  private static Mask mask(Graph g, String value) {
    Node mul = Match.soleOutputProducer(g, value, "Mul");
    if (mul == null) {
      return null;
    }
    for (int i = 0; i < 2; i++) {
      Double c = Match.scalar(g, mul.input(1 - i));
      Node sub = Match.soleOutputProducer(g, mul.input(i), "Sub");
      if (c == null || c > -1000 || sub == null || !Match.isScalar(g, sub.input(0), 1.0)) {
        continue;
      }
      String m = sub.input(1);
      Node cast = Match.soleOutputProducer(g, m, "Cast");
      if (cast != null) {
        m = cast.input(0);
      }
      List<Long> axes = new ArrayList<>();
      Node reshape = Match.soleOutputProducer(g, m, "Reshape");
      if (reshape != null) { // static shapes: collapse-reshapes made the two Unsqueezes one Reshape
        long[] in = Match.staticShape(g, reshape.input(0));
        long[] out = Match.staticShape(g, reshape.output(0));
        if (in != null && out != null && in.length == 2 && out.length == 4 && out[0] == in[0] && out[1] == 1
            && out[2] == 1 && out[3] == in[1]) {
          axes.addAll(List.of(1L, 2L));
          m = reshape.input(0);
        }
      }
      Node u;
      while ((u = Match.soleOutputProducer(g, m, "Unsqueeze")) != null) {
        long[] a = u.attrs().getInts("axes", null);
        if (a == null && u.hasInput(1)) {
          Tensor t = Match.constant(g, u.input(1));
          a = t == null ? null : t.toLongs();
        }
        if (a == null) {
          return null;
        }
        for (int j = a.length - 1; j >= 0; j--) {
          axes.add(0, a[j]);
        }
        m = u.input(0);
      }
      Value mv = g.type(m);
      // axes 1 then 2 (or [1, 2] at once) take [B, S] to [B, 1, 1, S]
      if (!axes.equals(List.of(1L, 2L)) || mv == null || !mv.shape().hasRank() || mv.shape().rank() != 2) {
        continue;
      }
      return new Mask(m, c);
    }
    return null;
  }

  private static Heads heads(Graph g, String value, Node reader, long[] perm) {
    Node t = Match.soleOutputProducer(g, value, "Transpose");
    if (t == null || !Match.onlyReader(g, value, reader) || !Arrays.equals(t.attrs().getInts("perm", null), perm)) {
      return null;
    }
    Node r = Match.soleOutputProducer(g, t.input(0), "Reshape");
    if (r == null || !Match.onlyReader(g, t.input(0), t)) {
      return null;
    }
    Value split = g.type(r.output(0));
    Value in = g.type(r.input(0));
    if (split == null || in == null || !split.shape().hasRank() || split.shape().rank() != 4 || !in.shape().hasRank()
        || in.shape().rank() != 3) {
      return null;
    }
    Shape s = split.shape();
    long n = s.dim(2).size();
    long h = s.dim(3).size();
    if (n <= 0 || h <= 0 || !s.dim(0).equals(in.shape().dim(0)) || !s.dim(1).equals(in.shape().dim(1))
        || !in.shape().dim(2).equals(Dim.of(n * h)) || s.dim(0).equals(Dim.UNKNOWN) || s.dim(1).equals(Dim.UNKNOWN)) {
      return null;
    }
    Proj p = projection(g, r.input(0), r, n * h);
    return p == null ? null : new Heads(p, r, t, n, h);
  }

  private static Proj projection(Graph g, String value, Node reader, long width) {
    Node add = Match.soleOutputProducer(g, value, "Add");
    if (add == null || !Match.onlyReader(g, value, reader)) {
      return null;
    }
    for (int i = 0; i < 2; i++) {
      Node mm = Match.soleOutputProducer(g, add.input(i), "MatMul");
      Tensor b = Match.constant(g, add.input(1 - i));
      if (mm == null || b == null || !Match.onlyReader(g, add.input(i), add)) {
        continue;
      }
      Tensor w = Match.constant(g, mm.input(1));
      if (w == null || w.dtype() != DType.FLOAT || b.dtype() != DType.FLOAT || w.rank() != 2 || w.shape()[1] != width
          || w.shape()[0] != width || b.numElements() != width || b.shape()[b.rank() - 1] != width) {
        continue;
      }
      return new Proj(mm, add, mm.input(0), mm.input(1), add.input(1 - i));
    }
    return null;
  }

  /** The only reader of {@code value}, when it is a default-domain node of {@code op} with one output. */
  private static Node soleReader(Graph g, String value, String op) {
    List<Node> r = g.consumers(value);
    return r.size() == 1 && !g.isGraphOutput(value) && r.get(0).op().equals(op) && r.get(0).domain().isEmpty()
        && r.get(0).outputs().size() == 1 ? r.get(0) : null;
  }

  /**
   * Concatenates float tensors along their last axis: {@code rows} rows each (1 for vectors), into {@code shape}.
   */
  private static Tensor concat(List<Tensor> parts, long rows, long[] shape) {
    int total = (int) (shape.length == 1 ? shape[0] : shape[0] * shape[1]);
    ByteBuffer out = ByteBuffer.allocate(total * 4).order(ByteOrder.LITTLE_ENDIAN);
    float[][] data = parts.stream().map(Tensor::toFloats).toArray(float[][]::new);
    for (int r = 0; r < rows; r++) {
      for (float[] d : data) {
        int cols = (int) (d.length / rows);
        for (int c = 0; c < cols; c++) {
          out.putFloat(d[r * cols + c]);
        }
      }
    }
    return Tensor.ofBytes(DType.FLOAT, shape, out.array());
  }
}

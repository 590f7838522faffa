package dev.hwc.hwtests;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Value;
import dev.hwc.common.BadInputException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What an output means, which decides how its accuracy is judged: masks and labels get an IoU per
 * channel or class on top of the numeric figures.
 */
public enum OutputKind {
  /** Independent per-channel probabilities (a trailing Sigmoid): IoU per channel at 0.5. */
  MASK,
  /** Class scores over axis 1 (a trailing Softmax over channels): IoU per class of the argmax. */
  LABELS,
  /**
   * Vectors compared by direction: [batch, dim] rows, or [batch, tokens, dim] token vectors that users
   * mean-pool into one vector per sentence; judged also by the cosine of each pooled row.
   */
  EMBEDDING,
  REGRESSION;

  /** Parses {@code NAME=mask|labels|embedding|regression}. */
  public static Map.Entry<String, OutputKind> parse(String spec) {
    int eq = spec.indexOf('=');
    if (eq <= 0) {
      throw new BadInputException("bad --output-kind '" + spec + "': expected NAME=mask|labels|embedding|regression");
    }
    try {
      return Map.entry(spec.substring(0, eq), valueOf(spec.substring(eq + 1).trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw new BadInputException("bad --output-kind '" + spec + "': kind must be mask, labels, embedding or regression");
    }
  }

  /**
   * Kinds of every graph output: declared ones win; otherwise a Sigmoid producer over a tensor of
   * rank >= 3 means MASK, a Softmax over axis 1 of rank >= 3 means LABELS; a [batch, tokens, dim] output
   * of a model with a [batch, tokens] input named like a mask (a transformer encoder's token vectors), or
   * a [batch, dim] output named like an embedding, means EMBEDDING; anything else REGRESSION.
   */
  public static Map<String, OutputKind> infer(Graph g, Map<String, OutputKind> declared) {
    for (String name : declared.keySet()) {
      if (!g.isGraphOutput(name)) {
        throw new BadInputException("--output-kind names '" + name + "', which is not an output of the model");
      }
    }
    Map<String, OutputKind> out = new LinkedHashMap<>();
    for (Value o : g.outputs()) {
      OutputKind k = declared.get(o.name());
      if (k == null) {
        Node p = g.producer(o.name());
        int rank = o.shape().hasRank() ? o.shape().rank() : -1;
        if (p != null && p.op().equals("Sigmoid") && rank >= 3) {
          k = MASK;
        } else if (p != null && p.op().equals("Softmax") && rank >= 3
            && (p.attrs().getInt("axis", g.opset() < 13 ? 1 : -1) == 1 || p.attrs().getInt("axis", -1) == 1 - rank)) {
          k = LABELS;
        } else if (rank == 3 && hasTokenMask(g) || rank == 2 && o.name().toLowerCase(Locale.ROOT).contains("embed")) {
          k = EMBEDDING;
        } else {
          k = REGRESSION;
        }
      }
      out.put(o.name(), k);
    }
    return out;
  }

  private static boolean hasTokenMask(Graph g) {
    return g.inputs().stream().anyMatch(in -> in.name().toLowerCase(Locale.ROOT).contains("mask")
        && in.shape().hasRank() && in.shape().rank() == 2);
  }
}

package dev.hwc.backends;

import dev.hwc.compiler.ir.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model run as a chain of parts, each a model of its own run in order: the host keeps the live
 * tensors by name (graph inputs, then what each part writes) and feeds each part what it reads. Used by
 * a segmented Edge TPU deployment ({@code tflite.Deployment}) and by a very large ONNX model checked in
 * parts ({@code onnx.OrtChain}).
 */
public final class Parts {
  private Parts() {}

  /** Part k's feed, in its input order, from the live tensors; an internal error when one is missing. */
  public static Map<String, Tensor> feed(int k, List<String> inputs, Map<String, Tensor> live) {
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (String name : inputs) {
      Tensor t = live.get(name);
      if (t == null) {
        throw new IllegalStateException("part " + k + " reads '" + name + "', which no earlier part wrote");
      }
      feed.put(name, t);
    }
    return feed;
  }
}

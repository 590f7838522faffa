package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ops.ShapeInference;

/** Infers the type of every value ({@link ShapeInference#run}); returns the input when nothing new is known. */
public final class InferShapes implements Pass {
  public static final String NAME = "infer-shapes";
  private static final PassInfo INFO = new PassInfo(NAME, 0);

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    Graph typed = ShapeInference.run(g);
    boolean same = typed.valueTypes().equals(g.valueTypes()) && typed.outputs().equals(g.outputs());
    return same ? g : typed;
  }
}

package dev.hwc.training;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.Graph;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;

/**
 * TensorFlow's gradients through the lowering and the segmentation loss agree with finite
 * differences, on a small smooth network (sigmoids, no ReLU kinks) with every lowered layer kind the
 * example uses: padded stride-2 and "same" convolutions, attention, ConvTranspose, concat, softmax.
 */
class GradientCheckTest {
  static Graph smoothNet() {
    GraphBuilder b = new GraphBuilder("smooth", 4);
    String x = b.input("image", 1, 1, 8, 8);
    String e0 = b.sigmoid(b.conv(x, 3, 3, 1));
    String e1 = b.sigmoid(b.conv(e0, 4, 3, 2));
    e1 = b.selfAttention(e1, 2);
    String d = b.sigmoid(b.convTranspose(e1, 3, 2, 2));
    String m = b.softmax(b.conv(b.concat(1, d, e0), 3, 3, 1), 1);
    b.output(m);
    return b.build().edit().renameValue(m, "masks").build();
  }

  @Test
  void lossGradientsMatchFiniteDifferences() {
    Graph g = smoothNet();
    Random r = new Random(3);
    float[] image = new float[64];
    byte[][] labels = new byte[1][64];
    for (int i = 0; i < 64; i++) {
      image[i] = r.nextFloat();
      labels[0][i] = (byte) (r.nextInt(4) == 0 ? 1 + r.nextInt(2) : 0);
    }
    float[] target = SegmentationLoss.oneHot(labels, 3);
    SegmentationLoss loss = new SegmentationLoss("masks", new float[] {1, 4, 6}, new int[] {1, 2}, 0.5, 0.5, 1.0);
    try (Lowered m = Lowered.lower(g, Map.of())) {
      LossGraph lg = loss.build(m);
      List<Parameter> ps = m.parameters();
      Output<?>[] grads = m.tfGraph().addGradients(lg.loss().asOutput(),
          ps.stream().map(p -> p.placeholder().asOutput()).toArray(Output<?>[]::new));
      Map<String, float[]> w = m.initialValues();
      try (Session s = new Session(m.tfGraph())) {
        float[][] base = run(s, m, lg, ps, w, image, target, grads);
        int checked = 0;
        for (int pi = 0; pi < ps.size(); pi++) {
          float[] v = w.get(ps.get(pi).name());
          for (int idx : new int[] {0, v.length / 2, v.length - 1}) {
            float old = v[idx];
            double eps = 1e-2;
            v[idx] = (float) (old + eps);
            double up = run(s, m, lg, ps, w, image, target, null)[0][0];
            v[idx] = (float) (old - eps);
            double down = run(s, m, lg, ps, w, image, target, null)[0][0];
            v[idx] = old;
            double fd = (up - down) / (2 * eps);
            double tf = base[1 + pi][idx];
            assertTrue(Math.abs(fd - tf) <= 2e-3 + 0.05 * Math.abs(fd),
                ps.get(pi).name() + "[" + idx + "]: TensorFlow " + tf + ", finite difference " + fd);
            checked++;
          }
        }
        assertTrue(checked >= 30);
      }
    }
  }

  private static float[][] run(Session s, Lowered m, LossGraph lg, List<Parameter> ps, Map<String, float[]> w,
      float[] image, float[] target, Output<?>[] grads) {
    List<org.tensorflow.Tensor> owned = new java.util.ArrayList<>();
    try {
      Session.Runner r = s.runner();
      var x = TfTensors.of(image, 1, 1, 8, 8);
      owned.add(x);
      r.feed(m.input("image"), x);
      var y = TfTensors.of(target, 1, 8, 8, 3);
      owned.add(y);
      r.feed(lg.targets().get(SegmentationLoss.TARGET), y);
      for (Parameter p : ps) {
        var t = TfTensors.of(w.get(p.name()), p.tfShape());
        owned.add(t);
        r.feed(p.placeholder(), t);
      }
      r.fetch(lg.loss());
      if (grads != null) {
        for (Output<?> o : grads) {
          r.fetch(o);
        }
      }
      try (Result res = r.run()) {
        float[][] out = new float[res.size()][];
        for (int i = 0; i < res.size(); i++) {
          out[i] = TfTensors.floats(res.get(i));
        }
        return out;
      }
    } finally {
      owned.forEach(org.tensorflow.Tensor::close);
    }
  }
}

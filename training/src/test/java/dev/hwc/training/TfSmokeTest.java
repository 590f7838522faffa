package dev.hwc.training;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;

class TfSmokeTest {
  @Test
  void loads() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class);
      var y = tf.math.mul(x, x);
      var grads = g.addGradients(y.asOutput(), new org.tensorflow.Output<?>[] {x.asOutput()});
      try (Session s = new Session(g);
          TFloat32 in = TFloat32.tensorOf(Shape.of(2), DataBuffers.of(new float[] {3f, 4f}));
          var r = s.runner().feed(x, in).fetch(y).fetch(grads[0]).run()) {
        TFloat32 a = (TFloat32) r.get(0);
        TFloat32 b = (TFloat32) r.get(1);
        System.out.println("y=" + a.getFloat(0) + "," + a.getFloat(1) + " dy=" + b.getFloat(0) + "," + b.getFloat(1));
      }
    }
  }
}

package dev.hwc.compiler.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hwc.compiler.GraphBuilder;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Dim;
import dev.hwc.compiler.ir.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelStatsTest {
  @Test
  void macsAndParametersByHand() {
    GraphBuilder b = new GraphBuilder("m", 1);
    String x = b.input("x", 1, 3, 8, 8);
    String c = b.conv(x, 4, 3, 2); // out [1,4,4,4], each output: 3*3*3 MACs -> 64*27 = 1728
    String dw = b.depthwiseConv(c, 3, 1); // out [1,4,4,4], each output 1*3*3 -> 64*9 = 576
    String t = b.convTranspose(dw, 2, 2, 2); // each input elem (64) feeds 2*2*2 = 8 outputs -> 512
    String f = b.flatten(b.globalAveragePool(t));
    b.output(b.gemm(f, 5)); // 2 -> 5: 10
    ModelStats s = ModelStats.of(b.build());
    assertEquals(1728 + 576 + 512 + 10, s.macs());
    // weights + biases: 4*3*9+4, 4*1*9+4, 4*2*4+2, 5*2+5
    assertEquals(112 + 40 + 34 + 15, s.parameters());
    assertEquals(4 * s.parameters(), s.parameterBytes());
    assertEquals(6, s.nodes());
    assertEquals(1, s.opHistogram().get("ConvTranspose"));
  }

  @Test
  void macsAreUnknownUnderSymbolicDims() {
    GraphBuilder b = new GraphBuilder("m", 1);
    String x = b.input("x", DType.FLOAT, Shape.of(List.of(Dim.symbol("n"), Dim.of(3), Dim.of(8), Dim.of(8))));
    b.output(b.conv(x, 4, 3, 1));
    assertEquals(-1, ModelStats.of(b.build()).macs());
  }
}

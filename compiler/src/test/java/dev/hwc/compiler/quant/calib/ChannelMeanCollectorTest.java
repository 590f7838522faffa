package dev.hwc.compiler.quant.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hwc.compiler.ir.Tensor;
import org.junit.jupiter.api.Test;

class ChannelMeanCollectorTest {
  @Test
  void meansPerChannelOverSamplesAndPixels() {
    ChannelMeanCollector c = new ChannelMeanCollector(1);
    // [1, 2, 2, 1]: channel 0 = {1, 3}, channel 1 = {10, 20}
    c.add(Tensor.ofFloats(new long[] {1, 2, 2, 1}, 1, 3, 10, 20));
    // a second sample: channel 0 = {5, 7}, channel 1 = {0, 2}
    c.add(Tensor.ofFloats(new long[] {1, 2, 2, 1}, 5, 7, 0, 2));
    assertArrayEquals(new float[] {4, 8}, c.mean());

    ChannelMeanCollector last = new ChannelMeanCollector(-1); // MatMul input [N, S, K]
    last.add(Tensor.ofFloats(new long[] {1, 2, 3}, 1, 2, 3, 5, 6, 7));
    assertArrayEquals(new float[] {3, 4, 5}, last.mean());
    assertThrows(IllegalArgumentException.class, () -> last.add(Tensor.ofFloats(new long[] {1, 2}, 1, 2)));
  }
}

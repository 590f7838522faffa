package dev.hwc.backends.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.backends.SessionOptions;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.backends.onnx.OrtSession;
import dev.hwc.compiler.data.SampleSet;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Shape;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.quant.calib.Calibration;
import dev.hwc.compiler.quant.calib.TensorRange;
import dev.hwc.compiler.zoo.SmallModels;
import dev.hwc.common.BadInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calibration of the bundled UNet-like example (1x1x64x32 input) on ONNX Runtime. */
class CalibratorTest {
  @TempDir Path dir;

  private static final Graph CNN = SmallModels.smallCnn();

  private static List<String> outputsOf(String op) {
    return CNN.nodes().stream().filter(n -> n.op().equals(op)).map(n -> n.outputs().get(0)).toList();
  }

  /** The model as built, with {@code extra} appended to its outputs (types left to ONNX Runtime), run directly. */
  private List<Map<String, Tensor>> direct(List<String> extra, SampleSet samples) throws Exception {
    Graph.Editor e = CNN.edit();
    extra.forEach(name -> e.outputs().add(new Value(name, DType.UNDEFINED, Shape.UNKNOWN)));
    Path model = dir.resolve("direct.onnx");
    new OnnxEmitter().emit(e.build(), model);
    List<Map<String, Tensor>> out = new ArrayList<>();
    try (OrtSession s = OrtSession.open(model, new SessionOptions(1, false))) {
      for (int i = 0; i < samples.size(); i++) {
        out.add(s.run(samples.get(i)));
      }
    }
    return out;
  }

  /**
   * A tap on the calibration runs sees values that are not calibrated (so one pass serves two
   * statistics): its per-channel magnitudes equal a separate ChannelAbsMax pass, and the tapped
   * value gets no range.
   */
  @Test
  void aTapMeasuresChannelMagnitudesInTheSamePass() throws Exception {
    List<String> relus = outputsOf("Relu");
    String tapped = outputsOf("Conv").get(1);
    SampleSet samples = SampleSet.random(CNN.inputs(), 5, 7);
    ChannelAbsMax.Accumulator acc = new ChannelAbsMax.Accumulator(List.of(tapped));
    Map<String, TensorRange> ranges = Calibrator.calibrate(CNN, relus, samples, Calibration.MINMAX,
        Calibrator.Options.DEFAULT.withTap(List.of(tapped), acc));
    assertEquals(relus, List.copyOf(ranges.keySet()), "the tapped value is not calibrated");
    float[] separate = ChannelAbsMax.measure(CNN, List.of(tapped), samples, Calibrator.Progress.NONE).get(tapped);
    float[] shared = acc.result().get(tapped);
    assertEquals(separate.length, shared.length);
    for (int i = 0; i < separate.length; i++) {
      assertEquals(separate[i], shared[i], 0f, "channel " + i);
    }
    assertTrue(shared.length > 1 && shared[0] > 0, "a real measurement");
  }

  @Test
  void minMaxOfReluOutputsEqualsADirectRunWithThemExposed() throws Exception {
    List<String> relus = outputsOf("Relu");
    String conv = outputsOf("Conv").get(0);
    String softmax = CNN.outputs().get(0).name();
    List<String> observe = new ArrayList<>(relus);
    observe.add(conv);
    observe.add("image");
    observe.add(softmax);
    SampleSet samples = SampleSet.random(CNN.inputs(), 6, 100);

    Map<String, TensorRange> ranges = Calibrator.calibrate(CNN, observe, samples, Calibration.MINMAX);
    assertEquals(observe, List.copyOf(ranges.keySet()));

    List<Map<String, Tensor>> runs = direct(List.of(relus.get(0), relus.get(relus.size() - 1), conv), samples);
    for (String name : List.of(relus.get(0), relus.get(relus.size() - 1), conv, softmax, "image")) {
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < samples.size(); i++) {
        Tensor t = name.equals("image") ? samples.get(i).get("image") : runs.get(i).get(name);
        for (float v : t.toFloats()) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
      TensorRange r = ranges.get(name);
      assertEquals(min, r.min(), 1e-5f * Math.max(1, Math.abs(min)), name);
      assertEquals(max, r.max(), 1e-5f * Math.max(1, Math.abs(max)), name);
      assertEquals(r.min(), r.lo());
      assertEquals(r.max(), r.hi());
      assertEquals(6, r.samples());
      assertNull(r.channelMean());
    }
    for (String relu : relus) {
      TensorRange r = ranges.get(relu);
      assertTrue(r.min() >= 0 && r.max() > 0, r.toString());
    }
    assertTrue(ranges.get(conv).min() < 0, "a conv output before its ReLU has negative values");
    assertEquals(64L * 32 * 6, ranges.get("image").values());
    assertTrue(ranges.get(softmax).min() >= 0 && ranges.get(softmax).max() <= 1);
    System.out.println("minmax on the example: " + ranges.get(relus.get(0)) + "; " + ranges.get(conv));
  }

  @Test
  void twoHundredSamplesStreamOneAtATime() throws Exception {
    List<String> relus = outputsOf("Relu");
    SampleSet samples = SampleSet.random(CNN.inputs(), 200, 7); // made on demand, never all at once
    List<int[]> progress = new ArrayList<>();
    long t0 = System.nanoTime();
    Map<String, TensorRange> entropy = Calibrator.calibrate(CNN, relus, samples, Calibration.ENTROPY,
        Calibrator.Options.DEFAULT.withProgress((done, total) -> progress.add(new int[] {done, total})));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(200, progress.size());
    for (int i = 0; i < 200; i++) {
      assertArrayEquals(new int[] {i + 1, 200}, progress.get(i));
    }
    for (String relu : relus) {
      TensorRange e = entropy.get(relu);
      assertEquals(200, e.samples());
      assertEquals(Calibration.ENTROPY, e.calibration());
      assertEquals(0f, e.min(), relu); // ReLU of 200 random inputs: zeros are certain
      assertTrue(e.lo() == 0 && e.hi() > 0 && e.hi() <= e.max(), e.toString());
    }
    System.out.printf("200 samples, %d ReLU outputs, entropy: %d ms; %s%n", relus.size(), ms, entropy.get(relus.get(0)));
  }

  @Test
  void channelMeansOfAConvInputMatchAHandComputation() throws Exception {
    Node secondConv = CNN.nodes().stream().filter(n -> n.op().equals("Conv")).skip(1).findFirst().orElseThrow();
    String x = secondConv.inputs().get(0); // a ReLU output, [1, 8, 64, 32]
    SampleSet samples = SampleSet.random(CNN.inputs(), 4, 3);
    Map<String, TensorRange> r = Calibrator.calibrate(CNN, List.of(x, "image"), samples, Calibration.PERCENTILE,
        Calibrator.Options.DEFAULT.withChannelMeans(Map.of(x, 1, "image", 1)));
    List<Map<String, Tensor>> runs = direct(List.of(x), samples);
    double[] want = new double[8];
    double image = 0;
    for (int i = 0; i < samples.size(); i++) {
      float[] v = runs.get(i).get(x).toFloats();
      for (int k = 0; k < v.length; k++) {
        want[k / (64 * 32)] += v[k] / (4.0 * 64 * 32);
      }
      for (float p : samples.get(i).get("image").toFloats()) {
        image += p / (4.0 * 64 * 32);
      }
    }
    float[] got = r.get(x).channelMean();
    assertEquals(8, got.length);
    for (int c = 0; c < 8; c++) {
      assertEquals(want[c], got[c], 1e-5, "channel " + c);
    }
    assertEquals(image, r.get("image").channelMean()[0], 1e-6);
  }

  @Test
  void intermediatesOfOneRunEqualTheModelsOwnOutputs() throws Exception {
    SampleSet samples = SampleSet.random(CNN.inputs(), 1, 9);
    String softmax = CNN.outputs().get(0).name();
    String relu = outputsOf("Relu").get(2);
    Map<String, Tensor> got = Calibrator.runIntermediates(CNN, samples.get(0), List.of(softmax, relu, "image"));
    assertEquals(List.of(softmax, relu, "image"), List.copyOf(got.keySet()));
    Map<String, Tensor> want = direct(List.of(relu), samples).get(0);
    assertArrayEquals(want.get(softmax).toFloats(), got.get(softmax).toFloats(), 1e-6f);
    assertArrayEquals(want.get(relu).toFloats(), got.get(relu).toFloats(), 1e-5f);
    assertEquals(samples.get(0).get("image"), got.get("image"));
    Graph exposed = IntermediateRunner.expose(CNN, List.of(outputsOf("Relu").get(0)));
    assertEquals(1, exposed.outputs().size());
    assertTrue(exposed.nodes().size() < CNN.nodes().size(), "nodes after the observed value are pruned");
  }

  @Test
  void badNamesAndBadSamplesAreRefused() throws Exception {
    SampleSet samples = SampleSet.random(CNN.inputs(), 1, 0);
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Calibrator.calibrate(CNN, List.of("nope"), samples, Calibration.MINMAX)).getMessage()
        .contains("no value named 'nope'"));
    String weight = CNN.initializers().keySet().iterator().next();
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Calibrator.calibrate(CNN, List.of(weight), samples, Calibration.MINMAX)).getMessage()
        .contains("is a constant"));
    SampleSet wrong = SampleSet.of(List.of(Map.of("image", Tensor.ofFloats(new long[] {1, 1, 2, 2}, 1, 2, 3, 4))));
    String m = assertThrows(BadInputException.class,
        () -> Calibrator.calibrate(CNN, outputsOf("Relu"), wrong, Calibration.MINMAX)).getMessage();
    assertTrue(m.startsWith("sample 0: input 'image' has shape [1,1,2,2]"), m);
    assertThrows(BadInputException.class,
        () -> Calibrator.calibrate(CNN, outputsOf("Relu"), samples.limit(0), Calibration.MINMAX));
  }

  /** A sample with NaN/Inf in the image: int8 ranges are refused in one line naming the sample and the input. */
  @Test
  void nonFiniteCalibrationSamplesAreRefusedNamingTheInput() {
    List<Map<String, Tensor>> raw = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Map<String, Tensor> m = new java.util.LinkedHashMap<>(SampleSet.random(CNN.inputs(), 3, 1).get(i));
      if (i == 1) {
        Value in = CNN.inputs().get(0);
        float[] v = m.get(in.name()).toFloats();
        v[0] = Float.NaN;
        v[5] = Float.POSITIVE_INFINITY;
        m.put(in.name(), Tensor.ofFloats(m.get(in.name()).shape(), v));
      }
      raw.add(m);
    }
    BadInputException e = assertThrows(BadInputException.class,
        () -> Calibrator.calibrate(CNN, outputsOf("Relu"), SampleSet.of(raw), Calibration.MINMAX));
    assertEquals("sample 1: input '" + CNN.inputs().get(0).name() + "' holds 2 NaN/Inf of "
        + CNN.inputs().get(0).shape().numElements() + " values; int8 ranges are calibrated on finite samples only",
        e.getMessage());
  }

  /** All-subnormal samples (1e-40): every range is below fp32's smallest normal scale; params come out usable. */
  @Test
  void denormalSamplesGiveUsableParams() throws Exception {
    List<Map<String, Tensor>> raw = new ArrayList<>();
    Value in = CNN.inputs().get(0);
    float[] v = new float[(int) in.shape().numElements()];
    for (int i = 0; i < v.length; i++) {
      v[i] = 1e-40f * (i % 7);
    }
    raw.add(Map.of(in.name(), Tensor.ofFloats(dev.hwc.compiler.data.RandomInputs.concreteShape(in), v)));
    Map<String, TensorRange> r = Calibrator.calibrate(CNN, List.of(in.name()), SampleSet.of(raw), Calibration.MINMAX);
    TensorRange t = r.get(in.name());
    assertTrue(t.max() > 0 && t.max() < Float.MIN_NORMAL, t.toString());
    var p = t.params(DType.UINT8, false);
    assertEquals(1f, p.scale()[0], p.toString()); // taken as [0, 0]: quantizes to zero
  }
}

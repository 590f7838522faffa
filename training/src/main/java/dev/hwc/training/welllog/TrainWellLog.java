package dev.hwc.training.welllog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hwc.backends.onnx.OnnxEmitter;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.zoo.WellLogNet;
import dev.hwc.hwtests.welllog.WellLogEval;
import dev.hwc.hwtests.welllog.WellLogGenerator;
import dev.hwc.hwtests.welllog.WellLogSets;
import dev.hwc.training.SegmentationLoss;
import dev.hwc.training.Trainer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains the bundled well-log digitizer and writes examples/welllog/welllog.onnx. Run from the
 * repository root (see examples/welllog/README.md):
 *
 * <pre>examples/welllog/train.sh</pre>
 *
 * Options (defaults in brackets are the committed model's): {@code --steps} [3000], {@code --batch} [4],
 * {@code --lr} [2e-3], {@code --warmup} [100], {@code --seed} [6] (initial weights), {@code --data-seed} [0]
 * (training strips), {@code --threads} [2], {@code --channels} [12,24,32,48,64,96], {@code --ce-weights}
 * [1,3,4], {@code --tversky} [0.6,0.4] (alpha, beta), {@code --out} [examples/welllog], {@code --eval} [200].
 * After training it scores the model on the held-out strips and writes metrics.json beside it.
 */
public final class TrainWellLog {
  /** The seed of the model's initial weights; training strips come from the data seed (see WellLogSets). */
  public static final long DEFAULT_SEED = 6;

  private TrainWellLog() {}

  private static float[] floats(String csv) {
    String[] p = csv.split(",");
    float[] f = new float[p.length];
    for (int i = 0; i < p.length; i++) {
      f[i] = Float.parseFloat(p[i].trim());
    }
    return f;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = Args.parse(args);
    int steps = Integer.parseInt(a.getOrDefault("steps", "3000"));
    int batch = Integer.parseInt(a.getOrDefault("batch", "4"));
    double lr = Double.parseDouble(a.getOrDefault("lr", "2e-3"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "100"));
    long seed = Long.parseLong(a.getOrDefault("seed", Long.toString(DEFAULT_SEED)));
    long dataSeed = Long.parseLong(a.getOrDefault("data-seed", "0"));
    int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
    Path out = Path.of(a.getOrDefault("out", "examples/welllog"));
    PrintWriter log = new PrintWriter(System.out, true);

    WellLogNet.Config cfg = WellLogNet.DEFAULT;
    if (a.containsKey("channels")) {
      int[] ch = java.util.Arrays.stream(a.get("channels").split(",")).mapToInt(Integer::parseInt).toArray();
      cfg = new WellLogNet.Config(cfg.height(), cfg.width(), ch, cfg.attentionLayers(), cfg.attentionDim());
    }
    Graph g = WellLogNet.build(cfg, seed);
    WellLogGenerator gen = new WellLogGenerator();
    Trainer.Options opts = new Trainer.Options(steps, lr, warmup, 0.02, 5.0, threads, 25);
    log.printf("training %s, %d params: %d steps of %d strips (%dx%d), lr %.1e, seed %d, data seed %d, %d threads%n",
        cfg, g.parameterCount(), steps, batch, gen.width(), gen.height(), lr, seed, dataSeed, threads);
    float[] ce = floats(a.getOrDefault("ce-weights", "1,3,4"));
    float[] tv = floats(a.getOrDefault("tversky", "0.6,0.4"));
    SegmentationLoss loss = new SegmentationLoss(WellLogNet.OUTPUT, ce, new int[] {1, 2}, tv[0], tv[1], 1.0);
    Trainer.Outcome o = new Trainer(opts, log).train(g,
        Map.of(WellLogNet.INPUT, new long[] {batch, 1, gen.height(), gen.width()}), name -> true, loss,
        new WellLogBatches(gen, batch, WellLogSets.TRAIN_BASE + dataSeed * WellLogSets.TRAIN_SPAN));
    log.printf("trained in %.0f s%n", o.seconds());
    Files.createDirectories(out);
    Path model = out.resolve("welllog.onnx");
    Graph trained = o.graph();
    Graph.Editor e = trained.edit();
    e.metadata().put("hwc.training", String.format(java.util.Locale.ROOT,
        "TrainWellLog --steps %d --batch %d --lr %s --seed %d --data-seed %d --threads %d", steps, batch, lr, seed, dataSeed, threads));
    Files.write(model, new OnnxEmitter().toBytes(e.build()));
    log.printf("wrote %s (%d bytes)%n", model, Files.size(model));

    int heldOut = Integer.parseInt(a.getOrDefault("eval", "200"));
    WellLogEval.Scores scores = WellLogEval.evaluate(model, gen, WellLogSets.HELD_OUT_BASE, heldOut, WellLogNet.INPUT,
        WellLogNet.OUTPUT);
    log.printf("on %d held-out strips (seeds %d..):%n%s", heldOut, WellLogSets.HELD_OUT_BASE, scores.table());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("command", "examples/welllog/train.sh " + String.join(" ", args));
    m.put("steps", steps);
    m.put("batch", batch);
    m.put("learningRate", lr);
    m.put("seed", seed);
    m.put("dataSeed", dataSeed);
    m.put("threads", threads);
    m.put("trainingSeconds", Math.round(o.seconds()));
    m.put("model", cfg.toString());
    m.put("loss", "cross-entropy weighted " + java.util.Arrays.toString(ce) + " + Tversky(alpha " + tv[0] + ", beta "
        + tv[1] + ") on curve1, curve2");
    m.put("parameters", g.parameterCount());
    int tail = Math.min(100, o.log().size());
    m.put("meanLossLast" + tail + "Steps", o.log().subList(o.log().size() - tail, o.log().size()).stream()
        .mapToDouble(Trainer.StepLog::loss).average().orElse(Double.NaN));
    m.put("modelBytes", Files.size(model));
    m.put("heldOut", scores.json());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("metrics.json").toFile(), m);
    log.printf("wrote %s%n", out.resolve("metrics.json"));
  }
}

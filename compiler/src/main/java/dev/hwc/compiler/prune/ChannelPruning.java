package dev.hwc.compiler.prune;

import dev.hwc.common.BadInputException;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ir.Node;
import dev.hwc.compiler.ir.Tensor;
import dev.hwc.compiler.ir.Value;
import dev.hwc.compiler.ops.ShapeInference;
import dev.hwc.compiler.passes.Pass;
import dev.hwc.compiler.passes.PassContext;
import dev.hwc.compiler.passes.PassInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Channel (structured) pruning through the DAG with dependency groups. Every output channel a
 * weighted layer produces (Conv, ConvTranspose, Gemm, MatMul with a constant weight) is a
 * <em>slot</em>; slots are followed forward through every op that keeps channels apart and maps a
 * zero channel to a zero channel (ReLU-like activations, pools, Resize, Pad and Slice off the
 * channel axis, Transpose, Reshape/Flatten as channel x spatial blocks, depthwise convs, BatchNorm,
 * Concat at its offsets, Split), and slots that must go together are joined: the two sides of a
 * residual Add/Sub/Mul, a depthwise conv's input and output, the contracted axes of a MatMul of two
 * activations (attention's q and k). A joined set is a <em>group</em>: removing it removes, in one
 * step, the producers' weight rows and biases, the constants added or multiplied along it, and the
 * consumers' weight columns (for a Flatten into a Gemm, the channel's whole spatial block).
 *
 * <p>A group is left alone, with its reason, when any of its channels reaches something this pass
 * does not follow (a graph output, an op that maps 0 to non-zero such as Sigmoid or Softmax, a
 * grouped conv, a Reshape that splits the channel axis, a weight shared by several layers, ...):
 * never a wrong graph. Removing a group gives exactly the outputs of the unpruned model with the
 * group's producing weights and biases zeroed ({@link Analysis#zeroed}).
 *
 * <p>Groups are scored by the L2 norm of all their coupled weights; in each channel space (groups
 * with the same producers) the {@code amount} lowest-scoring fraction is removed, never all. A plan
 * may give some channel spaces their own fraction (non-uniform pruning: 0 keeps a space whole), each
 * named by one of its producing layers (node name) or producing weights (initializer name).
 */
public final class ChannelPruning implements Pass {
  public static final String NAME = "prune-channel";
  private static final PassInfo INFO = new PassInfo(NAME, 0);

  private final double amount;
  private final Set<String> protectedLayers;
  private final Map<String, Double> layerAmounts;

  /**
   * @param amount fraction of each channel space's groups removed, in [0, 1)
   * @param protectedLayers layer names whose output channels stay
   */
  public ChannelPruning(double amount, Set<String> protectedLayers) {
    this(amount, protectedLayers, Map.of());
  }

  /**
   * @param amount fraction of each channel space's groups removed, in [0, 1), where {@code layerAmounts}
   *     does not say otherwise
   * @param protectedLayers layer names whose output channels stay
   * @param layerAmounts per channel space, named by a producing layer or weight: its own fraction, in [0, 1)
   */
  public ChannelPruning(double amount, Set<String> protectedLayers, Map<String, Double> layerAmounts) {
    checkAmount(amount);
    layerAmounts.values().forEach(ChannelPruning::checkAmount);
    this.amount = amount;
    this.protectedLayers = Set.copyOf(protectedLayers);
    this.layerAmounts = Map.copyOf(layerAmounts);
  }

  private static void checkAmount(double amount) {
    if (!(amount >= 0 && amount < 1)) {
      throw new IllegalArgumentException("amount must be in [0, 1), got " + amount);
    }
  }

  @Override
  public PassInfo info() {
    return INFO;
  }

  @Override
  public Graph run(Graph g, PassContext ctx) {
    Analysis a = analyze(g, protectedLayers);
    Set<Integer> remove = a.lowestScoring(amount, layerAmounts);
    long free = a.groups().stream().filter(Group::prunable).count();
    ctx.log().accept(NAME + ": " + remove.size() + " of " + a.groups().size() + " channel groups removed ("
        + free + " prunable; " + a.blockedReasons().size() + " channel spaces left alone)");
    return remove.isEmpty() ? g : a.prune(remove);
  }

  /** Follows every channel of g; protected layers' output channels are left alone. */
  public static Analysis analyze(Graph g, Set<String> protectedLayers) {
    return new Analysis(g, protectedLayers);
  }

  /**
   * One dependency group: channels removed together.
   *
   * @param index its index in {@link Analysis#groups()}
   * @param space the producers' weights, sorted and joined (groups of one channel space share it)
   * @param members the tensors a removal slices, as {@code name[axis]}
   * @param score L2 norm of every coupled weight
   * @param blocked why it is left alone, or null when it may be removed
   */
  public record Group(int index, String space, List<String> members, double score, String blocked) {
    public boolean prunable() {
      return blocked == null;
    }
  }

  /** A channel axis of one value: {@code slots[i]} covers entries [i*block, (i+1)*block) of {@code axis}. */
  private record Track(int axis, long block, int[] slots) {
    Track at(int newAxis) {
      return new Track(newAxis, block, slots);
    }
  }

  /** A tensor sliced along an axis when slots go; a producer's slice is what {@link Analysis#zeroed} zeroes. */
  private record Edit(String initializer, int axis, long block, int[] slots, boolean producer) {}

  /** What the analysis found: groups, their members, and how to remove any set of them. */
  public static final class Analysis {
    private final Graph g;
    private final Set<String> protectedLayers;
    private final Map<String, Track> tracks = new HashMap<>();
    private final List<Edit> edits = new ArrayList<>();
    private final List<Integer> parent = new ArrayList<>();
    private final Map<Integer, String> blockedSlot = new HashMap<>();
    /** Depthwise convs: their group attribute follows their output's channel count. */
    private final Map<String, String> groupFollows = new HashMap<>();
    /** Reshapes: node name -> output axis whose size follows the track of the output. */
    private final Map<String, Integer> reshapeFollows = new HashMap<>();
    /** Splits along the channel axis: node name -> the input's track. */
    private final Map<String, Track> splitFollows = new HashMap<>();
    private final List<Group> groups = new ArrayList<>();
    private final Map<Integer, Integer> groupOfRoot = new HashMap<>();

    Analysis(Graph g, Set<String> protectedLayers) {
      this.g = g;
      this.protectedLayers = protectedLayers;
      for (Node n : g.nodes()) {
        visit(n);
      }
      for (Value o : g.outputs()) {
        Track t = tracks.get(o.name());
        if (t != null) {
          block(t, "reaches graph output '" + o.name() + "'");
        }
      }
      Map<String, Integer> readers = new HashMap<>();
      for (Node n : g.nodes()) {
        for (String in : new HashSet<>(n.inputs())) {
          if (g.isInitializer(in)) {
            readers.merge(in, 1, Integer::sum);
          }
        }
      }
      Map<String, Integer> editsPerAxis = new HashMap<>();
      for (Edit e : edits) {
        editsPerAxis.merge(e.initializer() + "#" + e.axis(), 1, Integer::sum);
      }
      for (Edit e : edits) {
        if (readers.getOrDefault(e.initializer(), 0) > 1 || editsPerAxis.get(e.initializer() + "#" + e.axis()) > 1) {
          block(e.slots(), "constant '" + e.initializer() + "' is read by several layers");
        }
      }
      buildGroups();
    }

    public List<Group> groups() {
      return List.copyOf(groups);
    }

    /** One line per channel space left alone: its producers and why. */
    public List<String> blockedReasons() {
      Map<String, String> bySpace = new LinkedHashMap<>();
      for (Group gr : groups) {
        if (!gr.prunable()) {
          bySpace.putIfAbsent(gr.space(), gr.blocked());
        }
      }
      List<String> out = new ArrayList<>();
      bySpace.forEach((space, why) -> out.add((space.isEmpty() ? "(no producer)" : space) + ": " + why));
      return out;
    }

    /** Per channel space, the floor(amount x size) lowest-scoring prunable groups (at least one group stays). */
    public Set<Integer> lowestScoring(double amount) {
      return lowestScoring(amount, Map.of());
    }

    /**
     * As {@link #lowestScoring(double)}, with the channel spaces named in {@code layerAmounts} (by a
     * producing node or weight) at their own fraction.
     *
     * @throws BadInputException when a name produces no channel space, or two names of one space disagree
     */
    public Set<Integer> lowestScoring(double amount, Map<String, Double> layerAmounts) {
      Map<String, List<Group>> bySpace = new LinkedHashMap<>();
      for (Group gr : groups) {
        bySpace.computeIfAbsent(gr.space(), k -> new ArrayList<>()).add(gr);
      }
      Map<String, Double> spaceAmount = new HashMap<>();
      for (Map.Entry<String, Double> e : new java.util.TreeMap<>(layerAmounts).entrySet()) {
        String space = spaceOf(e.getKey(), bySpace.keySet());
        Double before = spaceAmount.put(space, e.getValue());
        if (before != null && !before.equals(e.getValue())) {
          throw new BadInputException("channel pruning: '" + e.getKey() + "' shares its channels with another named layer ("
              + space + ") and is given another amount (" + before + " vs " + e.getValue() + ")");
        }
      }
      Set<Integer> out = new TreeSet<>();
      for (Map.Entry<String, List<Group>> e : bySpace.entrySet()) {
        List<Group> space = e.getValue();
        double f = spaceAmount.getOrDefault(e.getKey(), amount);
        int k = Math.min((int) Math.floor(f * space.size()), space.size() - 1);
        space.stream().filter(Group::prunable).sorted(Comparator.comparingDouble(Group::score)
            .thenComparingInt(Group::index)).limit(k).forEach(gr -> out.add(gr.index()));
      }
      return out;
    }

    /** The channel space (among {@code spaces}) whose producers include the layer or weight named {@code name}. */
    private String spaceOf(String name, Set<String> spaces) {
      Node n = g.nodes().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
      String weight = n != null && n.inputs().size() > 1 ? n.input(1) : name;
      for (String space : spaces) {
        if (Arrays.asList(space.split(",")).contains(weight)) {
          return space;
        }
      }
      throw new BadInputException("channel pruning: '" + name + "' is not a layer or weight that produces channels "
          + "of this model (channel spaces, by their producing weights: " + String.join("; ", spaces) + ")");
    }

    /** The graph with the given groups' channels removed from every member, shapes re-inferred. */
    public Graph prune(Set<Integer> remove) {
      Set<Integer> gone = removedSlots(remove);
      Graph.Editor e = g.edit();
      Map<String, Tensor> sliced = new HashMap<>();
      for (Edit ed : edits) {
        Tensor t = sliced.getOrDefault(ed.initializer(), g.initializer(ed.initializer()));
        sliced.put(ed.initializer(), slice(t, ed, gone));
      }
      sliced.forEach(e::putInitializer);
      for (int i = 0; i < e.nodes().size(); i++) {
        Node n = e.nodes().get(i);
        if (groupFollows.containsKey(n.name())) {
          long c = kept(tracks.get(groupFollows.get(n.name())), gone);
          e.nodes().set(i, n.withAttrs(n.attrs().with("group", c)));
        } else if (reshapeFollows.containsKey(n.name())) {
          int axis = reshapeFollows.get(n.name());
          Track t = tracks.get(n.output(0));
          long[] shape = g.initializer(n.input(1)).toLongs();
          if (shape[axis] > 0) {
            shape[axis] = kept(t, gone) * t.block();
            String name = n.name() + "_pruned_shape";
            e.putInitializer(name, Tensor.vector(shape));
            List<String> ins = new ArrayList<>(n.inputs());
            ins.set(1, name);
            e.nodes().set(i, n.withInputs(ins));
          }
        } else if (splitFollows.containsKey(n.name())) {
          long[] sizes = new long[n.outputs().size()];
          for (int k = 0; k < sizes.length; k++) {
            Track t = tracks.get(n.output(k));
            sizes[k] = kept(t, gone) * t.block();
          }
          if (n.hasInput(1) && g.isInitializer(n.input(1))) {
            String name = n.name() + "_pruned_split";
            e.putInitializer(name, Tensor.vector(sizes));
            List<String> ins = new ArrayList<>(n.inputs());
            ins.set(1, name);
            e.nodes().set(i, n.withInputs(ins));
          } else {
            e.nodes().set(i, n.withAttrs(n.attrs().with("split", sizes)));
          }
        }
      }
      Set<String> io = new HashSet<>();
      g.inputs().forEach(v -> io.add(v.name()));
      g.outputs().forEach(v -> io.add(v.name()));
      e.valueTypes().keySet().removeIf(k -> !io.contains(k));
      return ShapeInference.run(e.build());
    }

    /** The unpruned graph with the given groups' producing weights, biases and added constants set to zero. */
    public Graph zeroed(Set<Integer> remove) {
      Set<Integer> gone = removedSlots(remove);
      Graph.Editor e = g.edit();
      Map<String, double[]> values = new HashMap<>();
      for (Edit ed : edits) {
        if (!ed.producer()) {
          continue;
        }
        Tensor t = g.initializer(ed.initializer());
        double[] v = values.computeIfAbsent(ed.initializer(), k -> t.toDoubles());
        forEachEntry(t.shape(), ed, (pos, flat) -> {
          if (gone.contains(ed.slots()[pos])) {
            v[flat] = 0;
          }
        });
      }
      values.forEach((name, v) -> {
        Tensor t = g.initializer(name);
        e.putInitializer(name, Tensor.fromDoubles(t.dtype(), t.shape(), v));
      });
      return e.build();
    }

    private Set<Integer> removedSlots(Set<Integer> remove) {
      Set<Integer> gone = new HashSet<>();
      for (int s = 0; s < parent.size(); s++) {
        Integer gr = groupOfRoot.get(find(s));
        if (gr != null && remove.contains(gr)) {
          if (!groups.get(gr).prunable()) {
            throw new IllegalArgumentException("group " + gr + " is left alone: " + groups.get(gr).blocked());
          }
          gone.add(s);
        }
      }
      return gone;
    }

    private static long kept(Track t, Set<Integer> gone) {
      return Arrays.stream(t.slots()).filter(s -> !gone.contains(s)).count();
    }

    private interface EntryVisitor {
      void visit(int position, int flat);
    }

    /** Calls v for every entry of a tensor of this shape that lies in one of the edit's slot blocks. */
    private static void forEachEntry(long[] shape, Edit ed, EntryVisitor v) {
      long inner = 1;
      for (int i = ed.axis() + 1; i < shape.length; i++) {
        inner *= shape[i];
      }
      long len = shape[ed.axis()];
      long outer = 1;
      for (int i = 0; i < ed.axis(); i++) {
        outer *= shape[i];
      }
      for (long o = 0; o < outer; o++) {
        for (long a = 0; a < len; a++) {
          int pos = (int) (a / ed.block());
          for (long in = 0; in < inner; in++) {
            v.visit(pos, (int) ((o * len + a) * inner + in));
          }
        }
      }
    }

    private static Tensor slice(Tensor t, Edit ed, Set<Integer> gone) {
      long[] shape = t.shape();
      long inner = 1;
      for (int i = ed.axis() + 1; i < shape.length; i++) {
        inner *= shape[i];
      }
      long len = shape[ed.axis()];
      long outer = t.numElements() / (len * inner);
      List<Long> keep = new ArrayList<>();
      for (long a = 0; a < len; a++) {
        if (!gone.contains(ed.slots()[(int) (a / ed.block())])) {
          keep.add(a);
        }
      }
      double[] v = t.toDoubles();
      double[] out = new double[(int) (outer * keep.size() * inner)];
      int k = 0;
      for (long o = 0; o < outer; o++) {
        for (long a : keep) {
          for (long in = 0; in < inner; in++) {
            out[k++] = v[(int) ((o * len + a) * inner + in)];
          }
        }
      }
      long[] ns = shape.clone();
      ns[ed.axis()] = keep.size();
      return Tensor.fromDoubles(t.dtype(), ns, out);
    }

    // ---- groups and scores

    private void buildGroups() {
      Map<Integer, double[]> sq = new HashMap<>();
      Map<Integer, TreeSet<String>> producers = new HashMap<>();
      Map<Integer, TreeSet<String>> members = new HashMap<>();
      for (int s = 0; s < parent.size(); s++) {
        int r = find(s);
        producers.computeIfAbsent(r, k -> new TreeSet<>());
        members.computeIfAbsent(r, k -> new TreeSet<>());
        sq.computeIfAbsent(r, k -> new double[1]);
      }
      for (Edit ed : edits) {
        Tensor t = g.initializer(ed.initializer());
        double[] v = t.toDoubles();
        for (int s : ed.slots()) {
          int r = find(s);
          members.get(r).add(ed.initializer() + "[" + ed.axis() + "]");
          if (ed.producer()) {
            producers.get(r).add(ed.initializer());
          }
        }
        forEachEntry(t.shape(), ed, (pos, flat) -> sq.get(find(ed.slots()[pos]))[0] += v[flat] * v[flat]);
      }
      Map<Integer, String> why = new HashMap<>();
      blockedSlot.forEach((s, reason) -> why.merge(find(s), reason, (a, b) -> a.contains(b) ? a : a + "; " + b));
      List<Integer> roots = new ArrayList<>(new TreeSet<>(producers.keySet()));
      for (int r : roots) {
        int idx = groups.size();
        groupOfRoot.put(r, idx);
        groups.add(new Group(idx, String.join(",", producers.get(r)), List.copyOf(members.get(r)),
            Math.sqrt(sq.get(r)[0]), why.get(r)));
      }
    }

    private int find(int s) {
      while (parent.get(s) != s) {
        parent.set(s, parent.get(parent.get(s)));
        s = parent.get(s);
      }
      return s;
    }

    private void union(int a, int b) {
      int ra = find(a);
      int rb = find(b);
      if (ra != rb) {
        parent.set(Math.max(ra, rb), Math.min(ra, rb));
      }
    }

    private int[] fresh(long n) {
      int[] s = new int[Math.toIntExact(n)];
      for (int i = 0; i < s.length; i++) {
        s[i] = parent.size();
        parent.add(s[i]);
      }
      return s;
    }

    private void block(int[] slots, String reason) {
      for (int s : slots) {
        blockedSlot.merge(s, reason, (a, b) -> a.contains(b) ? a : a + "; " + b);
      }
    }

    private void block(Track t, String reason) {
      block(t.slots(), reason);
    }

    private void unionAll(Track a, Track b, Node n) {
      if (a.slots().length != b.slots().length || a.block() != b.block()) {
        String why = n.op() + " '" + n.name() + "' joins channel axes of different layout";
        block(a, why);
        block(b, why);
        return;
      }
      for (int i = 0; i < a.slots().length; i++) {
        union(a.slots()[i], b.slots()[i]);
      }
    }

    private long[] shape(String v) {
      if (v.isEmpty()) {
        return null;
      }
      if (g.isInitializer(v)) {
        return g.initializer(v).shape();
      }
      Value t = g.type(v);
      return t == null || !t.shape().isStatic() ? null : t.shape().sizes();
    }

    private Tensor constant(Node n, int i) {
      return n.hasInput(i) && !n.input(i).isEmpty() ? g.initializer(n.input(i)) : null;
    }

    /** Ops that keep channels apart and map 0 to 0 elementwise. */
    private static final Set<String> ZERO_PRESERVING = Set.of("Relu", "LeakyRelu", "Tanh", "Identity", "Dropout",
        "HardSwish", "Elu", "Selu", "Celu", "Gelu", "Neg", "Abs", "Erf", "Sign", "Softsign", "Mish", "Sin", "Sqrt",
        "ThresholdedRelu", "Cast", "Floor", "Ceil", "Round");
    private static final Set<String> PER_CHANNEL_SPATIAL = Set.of("MaxPool", "AveragePool", "GlobalAveragePool",
        "GlobalMaxPool", "LpPool", "GlobalLpPool");

    private void visit(Node n) {
      List<Track> in = new ArrayList<>();
      boolean anyTracked = false;
      for (String v : n.inputs()) {
        Track t = v.isEmpty() ? null : tracks.get(v);
        in.add(t);
        anyTracked |= t != null;
      }
      String why = anyTracked || isProducer(n) ? visitOp(n, in) : null;
      if (why != null) {
        for (Track t : in) {
          if (t != null) {
            block(t, why);
          }
        }
      }
    }

    private static boolean isProducer(Node n) {
      return Set.of("Conv", "ConvTranspose", "Gemm", "MatMul").contains(n.op());
    }

    /** Applies n's rule; returns why its tracked inputs are left alone, or null. */
    private String visitOp(Node n, List<Track> in) {
      String op = n.op();
      String here = op + " '" + n.name() + "'";
      Track x = in.isEmpty() ? null : in.get(0);
      switch (op) {
        case "Conv", "ConvTranspose" -> {
          Tensor w = constant(n, 1);
          long[] xs = shape(n.input(0));
          if (w == null || xs == null) {
            return here + " has no constant weight or static input shape";
          }
          long group = n.attrs().getInt("group", 1);
          boolean transpose = op.equals("ConvTranspose");
          long cin = xs[1];
          long cout = transpose ? w.shape()[1] * group : w.shape()[0];
          Tensor bias = constant(n, 2);
          if (n.hasInput(2) && !n.input(2).isEmpty() && bias == null) {
            return here + " has a non-constant bias";
          }
          if (!transpose && group > 1 && group == cin && cout == cin && w.shape()[1] == 1) { // depthwise
            if (x == null || x.axis() != 1 || x.block() != 1) {
              int[] s = fresh(cout);
              block(s, "depthwise " + here + " reads channels not followed (graph input or unfollowed op)");
              tracks.put(n.output(0), new Track(1, 1, s));
              return x == null ? null : here + ": depthwise conv on a channel layout not followed";
            }
            edits.add(new Edit(n.input(1), 0, 1, x.slots(), true));
            if (bias != null) {
              edits.add(new Edit(n.input(2), 0, 1, x.slots(), true));
            }
            groupFollows.put(n.name(), n.output(0));
            tracks.put(n.output(0), x);
            return null;
          }
          int[] out = fresh(cout);
          tracks.put(n.output(0), new Track(1, 1, out));
          if (group != 1) {
            block(out, "grouped " + here + " (group=" + group + ") couples channels in groups: not followed");
            return x == null ? null : "grouped " + here + " (group=" + group + "): not followed";
          }
          if (protectedLayers.contains(n.name())) {
            block(out, here + " is protected");
          }
          edits.add(new Edit(n.input(1), transpose ? 1 : 0, 1, out, true));
          if (bias != null) {
            edits.add(new Edit(n.input(2), 0, 1, out, true));
          }
          if (x != null) {
            if (x.axis() != 1 || x.block() != 1) {
              return here + " reads a channel layout not followed";
            }
            edits.add(new Edit(n.input(1), transpose ? 0 : 1, 1, x.slots(), false));
          }
          return null;
        }
        case "Gemm", "MatMul" -> {
          return visitProduct(n, in, here);
        }
        case "BatchNormalization" -> {
          if (x == null) {
            return null;
          }
          if (x.axis() != 1 || x.block() != 1 || n.outputs().size() > 1) {
            return here + " on a channel layout not followed";
          }
          for (int i = 1; i <= 4; i++) {
            if (constant(n, i) == null) {
              return here + " has non-constant parameters";
            }
            // shift (2) and mean (3) are what a zeroed channel's zero output needs zeroed too
            edits.add(new Edit(n.input(i), 0, 1, x.slots(), i == 2 || i == 3));
          }
          tracks.put(n.output(0), x);
          return null;
        }
        case "Add", "Sub", "Mul", "Div" -> {
          return visitBinary(n, in, here);
        }
        case "Clip" -> {
          if (x == null) {
            return null;
          }
          double lo = clipBound(n, 1, "min", Double.NEGATIVE_INFINITY);
          double hi = clipBound(n, 2, "max", Double.POSITIVE_INFINITY);
          if (Double.isNaN(lo) || Double.isNaN(hi) || lo > 0 || hi < 0) {
            return here + " does not map 0 to 0 (or has non-constant bounds)";
          }
          tracks.put(n.output(0), x);
          return null;
        }
        case "Resize", "Upsample" -> {
          if (x == null) {
            return null;
          }
          Tensor scales = op.equals("Upsample") ? constant(n, 1) : constant(n, 2);
          boolean sizes = op.equals("Resize") && n.hasInput(3) && !n.input(3).isEmpty();
          if (sizes || scales == null || scales.getDouble(x.axis()) != 1) {
            return here + " resizes by sizes, non-constant scales or along the channel axis: not followed";
          }
          tracks.put(n.output(0), x);
          return null;
        }
        case "Pad" -> {
          if (x == null) {
            return null;
          }
          Tensor pads = n.hasInput(1) ? constant(n, 1) : null;
          long[] p = pads != null ? pads.toLongs() : n.attrs().getInts("pads", null);
          Tensor cv = constant(n, 2);
          boolean axesGiven = n.hasInput(3) && !n.input(3).isEmpty();
          long[] xs = shape(n.input(0));
          if (p == null || xs == null || axesGiven || p[x.axis()] != 0 || p[x.axis() + xs.length] != 0
              || (cv != null && cv.getDouble(0) != 0) || n.attrs().getFloat("value", 0) != 0) {
            return here + " pads the channel axis, pads with a non-zero value or has non-constant pads";
          }
          tracks.put(n.output(0), x);
          return null;
        }
        case "Slice" -> {
          if (x == null) {
            return null;
          }
          Tensor starts = constant(n, 1);
          Tensor axes = n.hasInput(3) && !n.input(3).isEmpty() ? constant(n, 3) : null;
          long[] xs = shape(n.input(0));
          if (starts == null || xs == null || (n.hasInput(3) && !n.input(3).isEmpty() && axes == null)) {
            return here + " has non-constant starts or axes";
          }
          long[] ax = axes != null ? axes.toLongs() : java.util.stream.LongStream.range(0, starts.numElements()).toArray();
          for (long a : ax) {
            if ((a < 0 ? a + xs.length : a) == x.axis()) {
              return here + " slices the channel axis: not followed";
            }
          }
          tracks.put(n.output(0), x);
          return null;
        }
        case "Transpose" -> {
          if (x == null) {
            return null;
          }
          long[] perm = n.attrs().getInts("perm", null);
          long[] xs = shape(n.input(0));
          if (perm == null && xs != null) {
            perm = new long[xs.length];
            for (int i = 0; i < perm.length; i++) {
              perm[i] = perm.length - 1 - i;
            }
          }
          if (perm == null) {
            return here + " has no static rank";
          }
          for (int i = 0; i < perm.length; i++) {
            if (perm[i] == x.axis()) {
              tracks.put(n.output(0), x.at(i));
            }
          }
          return null;
        }
        case "Flatten", "Reshape" -> {
          if (x == null) {
            return null;
          }
          long[] xs = shape(n.input(0));
          long[] ys = shape(n.output(0));
          if (xs == null || ys == null) {
            return here + " has no static shapes";
          }
          long p = 1;
          for (int i = 0; i < x.axis(); i++) {
            p *= xs[i];
          }
          long q = 1;
          for (int i = x.axis() + 1; i < xs.length; i++) {
            q *= xs[i];
          }
          long pp = 1;
          for (int a = 0; a < ys.length; a++) {
            long qq = 1;
            for (int i = a + 1; i < ys.length; i++) {
              qq *= ys[i];
            }
            if (pp == p && q % qq == 0 && ys[a] == xs[x.axis()] * (q / qq)) {
              if (op.equals("Reshape")) {
                Tensor shapeConst = constant(n, 1);
                if (shapeConst == null) {
                  return here + " has a non-constant shape";
                }
                long entry = shapeConst.toLongs()[a];
                if (entry == 0 && !(a == x.axis() && q == qq)) {
                  return here + " copies a dim (0) that pruning would change: not followed";
                }
                if (entry > 0) {
                  reshapeFollows.put(n.name(), a);
                }
              }
              tracks.put(n.output(0), new Track(a, x.block() * (q / qq), x.slots()));
              return null;
            }
            pp *= ys[a];
          }
          return here + " splits or interleaves the channel axis: not followed";
        }
        case "Concat" -> {
          long[] ys = shape(n.output(0));
          if (ys == null) {
            return in.stream().anyMatch(t -> t != null) ? here + " has no static shape" : null;
          }
          int axis = (int) n.attrs().getInt("axis", 0);
          axis = axis < 0 ? axis + ys.length : axis;
          if (in.stream().allMatch(t -> t == null)) {
            return null;
          }
          boolean alongTracked = in.stream().anyMatch(t -> t != null) && in.stream()
              .filter(t -> t != null).allMatch(t -> t.block() == 1);
          final int cat = axis;
          if (in.stream().filter(t -> t != null).allMatch(t -> t.axis() == cat) && alongTracked) {
            List<Integer> slots = new ArrayList<>();
            for (int i = 0; i < in.size(); i++) {
              Track t = in.get(i);
              int[] s = t != null ? t.slots() : fresh(shape(n.input(i))[cat]);
              if (t == null) {
                block(s, "concatenated by " + here + " with input '" + n.input(i) + "' whose channels are not followed");
              }
              for (int v : s) {
                slots.add(v);
              }
            }
            tracks.put(n.output(0), new Track(cat, 1, slots.stream().mapToInt(Integer::intValue).toArray()));
            return null;
          }
          Track first = null;
          for (Track t : in) {
            if (t == null || t.axis() == cat) {
              return here + " joins tensors along an axis that is not their shared channel axis";
            }
            if (first == null) {
              first = t;
            } else {
              unionAll(first, t, n);
            }
          }
          tracks.put(n.output(0), first);
          return null;
        }
        case "Split" -> {
          if (x == null) {
            return null;
          }
          long[] xs = shape(n.input(0));
          int axis = (int) n.attrs().getInt("axis", 0);
          axis = xs != null && axis < 0 ? axis + xs.length : axis;
          if (axis != x.axis()) {
            for (String o : n.outputs()) {
              tracks.put(o, x);
            }
            return null;
          }
          int off = 0;
          List<Track> outs = new ArrayList<>();
          for (String o : n.outputs()) {
            long[] os = shape(o);
            if (os == null || os[axis] % x.block() != 0) {
              return here + " splits the channel axis inside a block or has no static shapes";
            }
            int c = (int) (os[axis] / x.block());
            outs.add(new Track(axis, x.block(), Arrays.copyOfRange(x.slots(), off, off + c)));
            off += c;
          }
          if (n.hasInput(1) && !n.input(1).isEmpty() && !g.isInitializer(n.input(1))) {
            return here + " has non-constant split sizes";
          }
          for (int i = 0; i < outs.size(); i++) {
            tracks.put(n.output(i), outs.get(i));
          }
          splitFollows.put(n.name(), x);
          return null;
        }
        default -> {
          if (x == null && in.stream().allMatch(t -> t == null)) {
            return null;
          }
          if (ZERO_PRESERVING.contains(op) && n.inputs().size() == 1 && n.outputs().size() == 1) {
            tracks.put(n.output(0), x);
            return null;
          }
          if (op.equals("LeakyRelu") || op.equals("PRelu") && constant(n, 1) != null && constant(n, 1).numElements() == 1) {
            tracks.put(n.output(0), x);
            return null;
          }
          if (PER_CHANNEL_SPATIAL.contains(op) && x != null && x.axis() == 1 && n.outputs().size() == 1) {
            tracks.put(n.output(0), x);
            return null;
          }
          return here + (Set.of("Sigmoid", "Exp", "Softplus", "HardSigmoid", "Softmax", "LogSoftmax", "Cos")
              .contains(op) ? " does not map a zeroed channel to zero" : " consumes it: coupling not followed");
        }
      }
    }

    private double clipBound(Node n, int input, String attr, double dflt) {
      if (n.hasInput(input) && !n.input(input).isEmpty()) {
        Tensor t = constant(n, input);
        return t == null ? Double.NaN : t.getDouble(0);
      }
      return n.attrs().has(attr) ? n.attrs().getFloat(attr, 0) : dflt;
    }

    private String visitProduct(Node n, List<Track> in, String here) {
      Track x = in.get(0);
      Tensor w = constant(n, 1);
      long[] xs = shape(n.input(0));
      long[] ys = shape(n.output(0));
      boolean gemm = n.op().equals("Gemm");
      if (w != null && w.rank() == 2 && ys != null && xs != null) {
        if (gemm && n.attrs().getInt("transA", 0) != 0) {
          return here + " with transA: not followed";
        }
        boolean transB = gemm && n.attrs().getInt("transB", 0) != 0;
        int outAxisW = transB ? 0 : 1;
        int kAxisW = transB ? 1 : 0;
        int[] out = fresh(w.shape()[outAxisW]);
        tracks.put(n.output(0), new Track(ys.length - 1, 1, out));
        if (protectedLayers.contains(n.name())) {
          block(out, here + " is protected");
        }
        edits.add(new Edit(n.input(1), outAxisW, 1, out, true));
        if (gemm && n.hasInput(2) && !n.input(2).isEmpty()) {
          Tensor c = constant(n, 2);
          if (c == null) {
            block(out, here + " has a non-constant bias");
          } else if (c.rank() >= 1 && c.shape()[c.rank() - 1] == out.length) {
            if (c.rank() == 2 && c.shape()[0] != 1) {
              block(out, here + " has a bias per row: not followed");
            } else {
              edits.add(new Edit(n.input(2), c.rank() - 1, 1, out, true));
            }
          } else if (Arrays.stream(c.toDoubles()).anyMatch(d -> d != 0)) {
            block(out, here + " adds a broadcast bias: a zeroed channel would not be zero");
          }
        }
        if (x != null) {
          if (x.axis() != xs.length - 1) {
            if (gemm) {
              return here + " reads a channel layout not followed";
            }
            // rows of a MatMul are independent: the row axis passes through (it is not the output's last)
            return here + " reads channels along a row axis: not followed";
          }
          edits.add(new Edit(n.input(1), kAxisW, x.block(), x.slots(), false));
        }
        return null;
      }
      if (gemm || xs == null || ys == null) {
        return in.stream().anyMatch(t -> t != null) ? here + " has no constant 2-D weight or static shapes" : null;
      }
      // MatMul of two activations
      Track b = in.get(1);
      long[] bs = shape(n.input(1));
      if (bs == null || xs.length < 2 || bs.length < 2) {
        return x != null || b != null ? here + " has no static shapes" : null;
      }
      int outRank = ys.length;
      if (x != null && x.axis() == xs.length - 1) { // contracted: A's columns with B's rows
        if (b == null || b.axis() != bs.length - 2) {
          return here + " contracts channels with a tensor whose channels are not followed";
        }
        unionAll(x, b, n);
        return null;
      }
      if (b != null && b.axis() == bs.length - 2) {
        return here + " contracts channels with a tensor whose channels are not followed";
      }
      if (x != null && x.axis() == xs.length - 2) {
        tracks.put(n.output(0), x.at(outRank - 2));
      }
      if (b != null && b.axis() == bs.length - 1) {
        tracks.put(n.output(0), b.at(outRank - 1));
      }
      if (x != null && b != null && x.axis() == xs.length - 2 && b.axis() == bs.length - 1) {
        block(x, here + " has channels on both of its output axes: not followed");
        block(b, here + " has channels on both of its output axes: not followed");
      }
      if ((x != null && x.axis() < xs.length - 2) || (b != null && b.axis() < bs.length - 2)) {
        return here + " has channels on a batch axis: not followed";
      }
      return null;
    }

    private String visitBinary(Node n, List<Track> in, String here) {
      long[] ys = shape(n.output(0));
      if (in.stream().allMatch(t -> t == null)) {
        return null;
      }
      if (ys == null || n.inputs().size() != 2) {
        return here + " has no static shapes";
      }
      boolean additive = n.op().equals("Add") || n.op().equals("Sub");
      Track out = null;
      for (int i = 0; i < 2; i++) {
        Track t = in.get(i);
        if (t == null) {
          continue;
        }
        long[] ts = shape(n.input(i));
        int axis = t.axis() + ys.length - ts.length;
        Track aligned = t.at(axis);
        if (out == null) {
          out = aligned;
        } else if (out.axis() != axis) {
          return here + " combines channel axes that do not line up";
        } else {
          unionAll(out, aligned, n);
        }
      }
      if (n.op().equals("Div") && in.get(1) != null) {
        return here + " divides by a channel: not followed";
      }
      for (int i = 0; i < 2; i++) {
        if (in.get(i) != null) {
          continue;
        }
        long[] os = shape(n.input(i));
        if (os == null) {
          return here + " has an operand without a static shape";
        }
        int oa = out.axis() - (ys.length - os.length);
        long d = oa < 0 ? 1 : os[oa];
        long full = out.slots().length * out.block();
        Tensor c = g.isInitializer(n.input(i)) ? g.initializer(n.input(i)) : null;
        if (d == full && c != null) {
          // a per-channel constant: a bias when added (zeroed with the channel), a scale when multiplied
          edits.add(new Edit(n.input(i), oa, out.block(), out.slots(), additive));
        } else if (d == full) {
          return here + " combines channels with a value whose channels are not followed";
        } else if (d != 1) {
          return here + " broadcasts an operand over part of the channel axis";
        } else if (additive && (c == null || Arrays.stream(c.toDoubles()).anyMatch(v -> v != 0))) {
          return here + " adds a value broadcast over channels: a zeroed channel would not stay zero";
        }
      }
      tracks.put(n.output(0), out);
      return null;
    }
  }
}

package dev.hwc.hwtests;

import dev.hwc.compiler.ir.Graph;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a segmenter's mask output holds, from the model's metadata: the name of each channel, and
 * which channels are thin curves (one position per image row) that are worth reading out as curves.
 *
 * <pre>
 * hwc.masks  = masks:background,curve1,curve2      (output:channel,...; ';' between outputs)
 * hwc.curves = masks:curve1,curve2                 (the curve channels of each output)
 * </pre>
 *
 * @param output the mask output, [N, C, H, W] class scores (a Softmax over channels)
 * @param channels a name per channel
 * @param curves indices of the curve channels, in the order their ground truth is stored
 */
public record MaskSpec(String output, List<String> channels, List<Integer> curves) {
  public static final String MASKS_KEY = "hwc.masks";
  public static final String CURVES_KEY = "hwc.curves";

  public MaskSpec {
    channels = List.copyOf(channels);
    curves = List.copyOf(curves);
  }

  /** The specs a graph's metadata declares (none when it declares none). */
  public static List<MaskSpec> of(Graph g) {
    Map<String, List<String>> masks = parse(g.metadata().get(MASKS_KEY));
    Map<String, List<String>> curves = parse(g.metadata().get(CURVES_KEY));
    List<MaskSpec> out = new ArrayList<>();
    masks.forEach((output, channels) -> {
      if (!g.isGraphOutput(output)) {
        return;
      }
      List<Integer> idx = new ArrayList<>();
      for (String c : curves.getOrDefault(output, List.of())) {
        int i = channels.indexOf(c);
        if (i >= 0) {
          idx.add(i);
        }
      }
      out.add(new MaskSpec(output, channels, idx));
    });
    return out;
  }

  private static Map<String, List<String>> parse(String value) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    if (value == null || value.isBlank()) {
      return m;
    }
    for (String part : value.split(";")) {
      int colon = part.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      List<String> names = new ArrayList<>();
      for (String n : part.substring(colon + 1).split(",")) {
        if (!n.isBlank()) {
          names.add(n.trim());
        }
      }
      m.put(part.substring(0, colon).trim(), names);
    }
    return m;
  }

  /** The channel's name, or its index when unnamed. */
  public String channel(int i) {
    return i < channels.size() ? channels.get(i) : Integer.toString(i);
  }
}

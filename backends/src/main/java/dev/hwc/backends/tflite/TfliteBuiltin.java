package dev.hwc.backends.tflite;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.lite.schema.BuiltinOperator;

/**
 * A TFLite builtin as a lowering rule emits it, with the op versions TFLite's converter would write
 * (tensorflow/lite/tools/versioning/op_version.cc): the lowest version for float operands, the lowest
 * for int8 operands, and the version each optional feature needs. An op written with several
 * features takes the highest version any of them (or its operand type) needs. These are the only
 * version numbers in the backend: the lowering writes them, the Edge TPU report and {@code inspect}
 * compare them with a profile's limits.
 *
 * @param builtin the {@link BuiltinOperator} code
 * @param floatVersion version with float (or integer index) operands
 * @param int8Version version with int8 operands
 * @param features feature name to the version it needs
 */
public record TfliteBuiltin(int builtin, int floatVersion, int int8Version, Map<String, Integer> features) {
  /** Dilation other than 1 (CONV_2D and DEPTHWISE_CONV_2D v2). */
  public static final String DILATION = "dilation";
  /** TRANSPOSE_CONV with a bias input (v3). */
  public static final String BIAS_INPUT = "bias input";
  /** FULLY_CONNECTED with int8 weights and float activations, the hybrid kernel (v3). */
  public static final String HYBRID = "hybrid";
  /** FULLY_CONNECTED keeping the input's leading dims (v5). */
  public static final String KEEP_NUM_DIMS = "keep_num_dims";
  /** RESIZE_* with align_corners (v3). */
  public static final String ALIGN_CORNERS = "align_corners";
  /** RESIZE_* with half_pixel_centers (v3). */
  public static final String HALF_PIXEL = "half_pixel_centers";
  /** DEQUANTIZE of a FLOAT16 constant (v3). */
  public static final String FLOAT16 = "float16";

  public TfliteBuiltin {
    features = Map.copyOf(features);
  }

  public static TfliteBuiltin of(int builtin, int floatVersion, int int8Version) {
    return new TfliteBuiltin(builtin, floatVersion, int8Version, Map.of());
  }

  /** The same builtin, with one more feature. */
  public TfliteBuiltin with(String feature, int version) {
    Map<String, Integer> f = new LinkedHashMap<>(features);
    f.put(feature, version);
    return new TfliteBuiltin(builtin, floatVersion, int8Version, f);
  }

  /** The builtin's name, e.g. CONV_2D. */
  public String name() {
    return BuiltinOperator.name(builtin);
  }

  /** The version to write for int8 or float operands and the features used; an undeclared feature is a bug. */
  public int version(boolean int8, String... used) {
    int v = int8 ? int8Version : floatVersion;
    for (String f : used) {
      Integer need = features.get(f);
      if (need == null) {
        throw new IllegalStateException(name() + " does not declare the feature " + f);
      }
      v = Math.max(v, need);
    }
    return v;
  }
}

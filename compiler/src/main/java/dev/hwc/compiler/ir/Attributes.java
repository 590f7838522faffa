package dev.hwc.compiler.ir;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A node's attributes: an immutable map from name to typed {@link Attribute}, sorted by name so
 * that emitted models are deterministic. Typed getters name the attribute and the expected kind
 * when the kind is wrong.
 */
public final class Attributes {
  public static final Attributes EMPTY = new Attributes(new TreeMap<>());

  private final Map<String, Attribute> map;

  private Attributes(TreeMap<String, Attribute> map) {
    this.map = Collections.unmodifiableMap(map);
  }

  /** Builds from name/value pairs: Long/Integer, Float/Double, String, long[]/int[], float[], List of String, Tensor. */
  public static Attributes of(Object... nameValuePairs) {
    if (nameValuePairs.length % 2 != 0) {
      throw new IllegalArgumentException("attributes come in name/value pairs");
    }
    TreeMap<String, Attribute> m = new TreeMap<>();
    for (int i = 0; i < nameValuePairs.length; i += 2) {
      m.put((String) nameValuePairs[i], wrap(nameValuePairs[i + 1]));
    }
    return new Attributes(m);
  }

  public static Attributes of(Map<String, Attribute> attrs) {
    return new Attributes(new TreeMap<>(attrs));
  }

  @SuppressWarnings("unchecked")
  static Attribute wrap(Object v) {
    if (v instanceof Attribute a) {
      return a;
    } else if (v instanceof Long || v instanceof Integer) {
      return new Attribute.Int(((Number) v).longValue());
    } else if (v instanceof Float || v instanceof Double) {
      return new Attribute.Float(((Number) v).floatValue());
    } else if (v instanceof String s) {
      return new Attribute.Str(s);
    } else if (v instanceof long[] a) {
      return new Attribute.Ints(a);
    } else if (v instanceof int[] a) {
      return new Attribute.Ints(java.util.Arrays.stream(a).asLongStream().toArray());
    } else if (v instanceof float[] a) {
      return new Attribute.Floats(a);
    } else if (v instanceof List<?> l) {
      return new Attribute.Strs((List<String>) l);
    } else if (v instanceof Tensor t) {
      return new Attribute.TensorValue(t);
    } else if (v instanceof Graph g) {
      return new Attribute.GraphValue(g);
    }
    throw new IllegalArgumentException("unsupported attribute value " + v);
  }

  public Attributes with(String name, Object value) {
    TreeMap<String, Attribute> m = new TreeMap<>(map);
    m.put(name, wrap(value));
    return new Attributes(m);
  }

  public Attributes without(String name) {
    TreeMap<String, Attribute> m = new TreeMap<>(map);
    m.remove(name);
    return new Attributes(m);
  }

  public boolean has(String name) {
    return map.containsKey(name);
  }

  public Set<String> names() {
    return map.keySet();
  }

  public Map<String, Attribute> asMap() {
    return map;
  }

  public Attribute get(String name) {
    return map.get(name);
  }

  public long getInt(String name, long dflt) {
    Attribute a = map.get(name);
    if (a == null) {
      return dflt;
    }
    if (a instanceof Attribute.Int i) {
      return i.value();
    }
    throw wrongKind(name, a, "INT");
  }

  public float getFloat(String name, float dflt) {
    Attribute a = map.get(name);
    if (a == null) {
      return dflt;
    }
    if (a instanceof Attribute.Float f) {
      return f.value();
    }
    if (a instanceof Attribute.Int i) {
      return i.value();
    }
    throw wrongKind(name, a, "FLOAT");
  }

  public String getString(String name, String dflt) {
    Attribute a = map.get(name);
    if (a == null) {
      return dflt;
    }
    if (a instanceof Attribute.Str s) {
      return s.value();
    }
    throw wrongKind(name, a, "STRING");
  }

  /** The INTS attribute, or dflt (may be null) when absent. */
  public long[] getInts(String name, long[] dflt) {
    Attribute a = map.get(name);
    if (a == null) {
      return dflt == null ? null : dflt.clone();
    }
    if (a instanceof Attribute.Ints i) {
      return i.values();
    }
    throw wrongKind(name, a, "INTS");
  }

  public float[] getFloats(String name, float[] dflt) {
    Attribute a = map.get(name);
    if (a == null) {
      return dflt == null ? null : dflt.clone();
    }
    if (a instanceof Attribute.Floats f) {
      return f.values();
    }
    throw wrongKind(name, a, "FLOATS");
  }

  public Tensor getTensor(String name) {
    Attribute a = map.get(name);
    if (a == null) {
      return null;
    }
    if (a instanceof Attribute.TensorValue t) {
      return t.value();
    }
    throw wrongKind(name, a, "TENSOR");
  }

  private static IllegalArgumentException wrongKind(String name, Attribute a, String want) {
    return new IllegalArgumentException(
        "attribute '" + name + "' is " + a.kind() + ", expected " + want);
  }

  public boolean isEmpty() {
    return map.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Attributes a && a.map.equals(map);
  }

  @Override
  public int hashCode() {
    return map.hashCode();
  }

  @Override
  public String toString() {
    return map.toString();
  }
}

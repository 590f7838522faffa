package dev.hwc.compiler.passes;

import java.util.List;

/**
 * A pass's name (kebab-case, unique in a pipeline), the optimization level from which it is on, and
 * the passes it needs to have run before it (they are switched on with it; see {@link
 * PassContext#enabled}).
 */
public record PassInfo(String name, int level, List<String> requires) {
  public PassInfo {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a pass needs a name");
    }
    requires = List.copyOf(requires);
  }

  public PassInfo(String name, int level) {
    this(name, level, List.of());
  }
}

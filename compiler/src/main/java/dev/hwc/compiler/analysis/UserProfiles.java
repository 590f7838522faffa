package dev.hwc.compiler.analysis;

import dev.hwc.compiler.ops.OpRegistry;
import dev.hwc.profiles.Profile;
import dev.hwc.profiles.ProfileLoader;
import java.nio.file.Path;
import java.util.Set;

/**
 * Loads a user's capability profile where both the profile loader and the op registry are visible: every
 * op name the profile lists must be an op hwc knows (a misspelt op would otherwise be counted as
 * supported and never match), and its id may take a built-in target's only when the user says so.
 */
public final class UserProfiles {
  private UserProfiles() {}

  /** Every op name hwc's op registry knows. */
  public static Set<String> knownOps() {
    java.util.Set<String> all = new java.util.HashSet<>(OpRegistry.names());
    all.addAll(OpRegistry.contribNames());
    return Set.copyOf(all);
  }

  /**
   * The profile in {@code file}; a one-line BadInputException naming file and line for an unknown op, or
   * for an id of a built-in target unless {@code overrideBuiltin}.
   */
  public static Profile load(Path file, boolean overrideBuiltin) {
    return ProfileLoader.load(file, knownOps(), overrideBuiltin);
  }
}

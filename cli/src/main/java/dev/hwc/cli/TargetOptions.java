package dev.hwc.cli;

import dev.hwc.profiles.Profile;
import dev.hwc.profiles.ProfileLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by commands that look up targets: a user's own profile file. */
final class TargetOptions {
  @Option(names = "--profile", paramLabel = "FILE",
      description = "A capability profile of your own (YAML, same format as profiles/); its id becomes a target.")
  Path profileFile;

  /** The profile for a target id: the user's file when its id matches (or no id is given), else a built-in. */
  Profile resolve(String target) {
    if (profileFile != null) {
      Profile own = ProfileLoader.load(profileFile);
      if (target == null || target.equals(own.id())) {
        return own;
      }
    }
    if (target == null) {
      throw new dev.hwc.common.BadInputException("no target given: use --target (one of "
          + String.join(", ", ProfileLoader.builtinIds()) + ") or --profile FILE");
    }
    return ProfileLoader.builtin(target);
  }

  /** Every built-in profile, plus the user's own when given. */
  List<Profile> all() {
    List<Profile> out = new ArrayList<>();
    ProfileLoader.builtinIds().forEach(id -> out.add(ProfileLoader.builtin(id)));
    if (profileFile != null) {
      Profile own = ProfileLoader.load(profileFile);
      out.removeIf(p -> p.id().equals(own.id()));
      out.add(own);
    }
    return out;
  }
}

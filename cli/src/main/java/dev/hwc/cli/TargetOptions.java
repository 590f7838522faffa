package dev.hwc.cli;

import dev.hwc.compiler.analysis.UserProfiles;
import dev.hwc.profiles.Profile;
import dev.hwc.profiles.ProfileLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options shared by commands that look up targets: a user's own profile file. */
final class TargetOptions {
  @Option(names = "--profile", paramLabel = "FILE",
      description = "A capability profile of your own (YAML, same format as profiles/); its id becomes a target.")
  Path profileFile;

  @Option(names = "--override-builtin",
      description = "Let the --profile file replace the built-in target of the same id (refused otherwise).")
  boolean overrideBuiltin;

  @Spec(Spec.Target.MIXEE) CommandSpec mixee;

  private Profile own;

  /** The user's profile, loaded once; a replaced built-in is said on stderr. */
  private Profile own() {
    if (own == null) {
      own = UserProfiles.load(profileFile, overrideBuiltin);
      if (ProfileLoader.builtinIds().contains(own.id())) {
        mixee.commandLine().getErr().println("hwc: note: " + profileFile + " replaces the built-in target '"
            + own.id() + "' (--override-builtin)");
      }
    }
    return own;
  }

  /** The profile for a target id: the user's file when its id matches (or no id is given), else a built-in. */
  Profile resolve(String target) {
    if (profileFile != null) {
      Profile own = own();
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
      Profile own = own();
      out.removeIf(p -> p.id().equals(own.id()));
      out.add(own);
    }
    return out;
  }
}

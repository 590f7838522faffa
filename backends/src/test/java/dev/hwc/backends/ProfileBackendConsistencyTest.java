package dev.hwc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hwc.profiles.Profile;
import dev.hwc.profiles.ProfileLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every built-in profile agrees with the backend of its artifact format (see {@link TargetBackend#profileProblems}). */
class ProfileBackendConsistencyTest {
  @Test
  void everyBuiltinProfileListsWhatItsBackendLowersAndNothingElse() {
    List<String> ids = ProfileLoader.builtinIds();
    assertEquals(7, ids.size(), ids::toString);
    List<String> problems = new ArrayList<>();
    for (String id : ids) {
      Profile p = ProfileLoader.builtin(id);
      problems.addAll(TargetBackend.of(p).profileProblems(p));
    }
    assertEquals(List.of(), problems, String.join("\n", problems));
  }
}

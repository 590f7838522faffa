package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What a pipeline run is configured with; the CLI fills it, passes only read it.
 *
 * @param optLevel passes whose {@link PassInfo#level()} is at most this run
 * @param disabled pass names never run (wins over everything)
 * @param required pass names run whatever the level
 * @param target the target profile id, or null when building for no particular target
 * @param log where passes and pipelines write one-line notes (never null)
 * @param instruments run around every pass, in order
 */
public record PassContext(
    int optLevel,
    Set<String> disabled,
    Set<String> required,
    String target,
    Consumer<String> log,
    List<PassInstrument> instruments) {
  public static final int DEFAULT_OPT_LEVEL = 2;

  public PassContext {
    disabled = Set.copyOf(disabled);
    required = Set.copyOf(required);
    log = log == null ? s -> {} : log;
    instruments = List.copyOf(instruments);
  }

  /** Level {@value #DEFAULT_OPT_LEVEL}, nothing disabled or required, no target, no log, no instruments. */
  public static PassContext defaults() {
    return new PassContext(DEFAULT_OPT_LEVEL, Set.of(), Set.of(), null, null, List.of());
  }

  /** The defaults plus {@link ValidateAfterPass}: every pass's result is checked. */
  public static PassContext forTests() {
    return defaults().withInstruments(new ValidateAfterPass());
  }

  /** Disabled wins, then required, then the opt level. */
  public boolean enabled(PassInfo info) {
    if (disabled.contains(info.name())) {
      return false;
    }
    if (required.contains(info.name())) {
      return true;
    }
    return info.level() <= optLevel;
  }

  /**
   * Runs one pass with the instruments around it, if it is enabled; returns the input otherwise.
   * Tests use this to run a pass alone under the same checks as in a pipeline.
   */
  public Graph run(Pass pass, Graph g) {
    PassInfo info = pass.info();
    if (!enabled(info)) {
      return g;
    }
    for (PassInstrument i : instruments) {
      i.beforePass(info, g);
    }
    long t0 = System.nanoTime();
    Graph out = pass.run(g, this);
    long nanos = System.nanoTime() - t0;
    for (PassInstrument i : instruments) {
      i.afterPass(info, g, out, nanos);
    }
    return out;
  }

  public Optional<String> targetId() {
    return Optional.ofNullable(target);
  }

  /** Writes one note to the log. */
  public void note(String line) {
    log.accept(line);
  }

  public PassContext withOptLevel(int level) {
    return new PassContext(level, disabled, required, target, log, instruments);
  }

  public PassContext disable(String... passNames) {
    return new PassContext(optLevel, union(disabled, Arrays.asList(passNames)), required, target, log, instruments);
  }

  public PassContext require(String... passNames) {
    return require(Arrays.asList(passNames));
  }

  public PassContext require(java.util.Collection<String> passNames) {
    return new PassContext(optLevel, disabled, union(required, passNames), target, log, instruments);
  }

  public PassContext withTarget(String profileId) {
    return new PassContext(optLevel, disabled, required, profileId, log, instruments);
  }

  public PassContext withLog(Consumer<String> sink) {
    return new PassContext(optLevel, disabled, required, target, sink, instruments);
  }

  /** Adds instruments after the ones already there. */
  public PassContext withInstruments(PassInstrument... more) {
    List<PassInstrument> all = new ArrayList<>(instruments);
    all.addAll(Arrays.asList(more));
    return new PassContext(optLevel, disabled, required, target, log, all);
  }

  private static Set<String> union(Set<String> a, java.util.Collection<String> b) {
    Set<String> s = new HashSet<>(a);
    s.addAll(b);
    return s;
  }
}

package dev.hwc.backends;

import dev.hwc.compiler.ir.Graph;
import dev.hwc.profiles.Profile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An {@link Emitter} over a {@link TargetBackend} for one profile and options, remembering the facts
 * of every artifact it wrote by file, so that reports read the lowering that wrote the chosen
 * artifact instead of lowering it again.
 */
public final class LoweringEmitter implements Emitter {
  private final TargetBackend backend;
  private final Profile profile;
  private final TargetBackend.Options options;
  private final Map<Path, Lowered> written = new HashMap<>();
  private int lowerings;

  LoweringEmitter(TargetBackend backend, Profile profile, TargetBackend.Options options) {
    this.backend = backend;
    this.profile = profile;
    this.options = options;
  }

  @Override
  public String format() {
    return profile.artifact().id();
  }

  @Override
  public String extension() {
    return backend.extension();
  }

  @Override
  public void emit(Graph graph, Path file) throws IOException {
    Lowered l = backend.emit(graph, profile, options, file);
    lowerings++;
    written.put(file.toAbsolutePath().normalize(), l.withoutBytes());
  }

  /** The facts of the artifact this emitter wrote to {@code file}. */
  public Optional<Lowered> lowered(Path file) {
    return Optional.ofNullable(written.get(file.toAbsolutePath().normalize()));
  }

  /** How many graphs this emitter has lowered. */
  public int lowerings() {
    return lowerings;
  }
}

package dev.hwc.profiles;

import dev.hwc.common.BadInputException;
import dev.hwc.common.SafeFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads capability profiles: the built-in ones by id from the classpath ({@code profiles/<id>.yaml}, listed in
 * {@code profiles/index.txt}), a user's by path. Every problem is a one-line {@link BadInputException} that
 * names {@code file:line}: syntax, unknown fields, wrong types, unknown names, missing required fields.
 */
public final class ProfileLoader {
  private static final String DIR = "profiles/";
  private static final long MAX_BYTES = 1 << 20;
  private static final Map<String, Profile> BUILTINS = new ConcurrentHashMap<>();
  private static volatile List<String> ids;

  private ProfileLoader() {}

  /** The ids of the built-in profiles, sorted. */
  public static List<String> builtinIds() {
    List<String> known = ids;
    if (known == null) {
      known = readIndex();
      ids = known;
    }
    return known;
  }

  /** The built-in profile {@code id}; an unknown id is a {@link BadInputException} listing the known ones. */
  public static Profile builtin(String id) {
    if (id == null || !builtinIds().contains(id)) {
      throw new BadInputException("unknown profile '" + id + "'" + Names.closest(id, builtinIds())
          .map(n -> "; did you mean '" + n + "'?").orElse("") + " (built-in: " + String.join(", ", builtinIds()) + ")");
    }
    return BUILTINS.computeIfAbsent(id, ProfileLoader::readBuiltin);
  }

  /** A user's profile file; its {@code source} is the path as given. Op names are checked for spelling only. */
  public static Profile load(Path file) {
    return load(file, null, true);
  }

  /**
   * A user's profile file, checked against hwc's ops: every op name it lists must be in {@code knownOps}
   * (the op registry's names; null skips that check), and its id may take a built-in's only when
   * {@code overrideBuiltin} says the user means to replace that target.
   */
  public static Profile load(Path file, Set<String> knownOps, boolean overrideBuiltin) {
    if (file == null) {
      throw new BadInputException("no profile file given");
    }
    ProfileError error = new ProfileError(file.toString());
    // checked before anything is opened: a FIFO, a device (/dev/zero) or a symlink to one is refused
    String problem = SafeFiles.problem(file, MAX_BYTES);
    if (problem != null) {
      if (Files.isDirectory(file)) {
        throw error.whole("is a directory, not a YAML file");
      }
      if (problem.startsWith("the file is ")) {
        throw error.whole("file is " + sizeOf(file) + " bytes; a profile is at most " + MAX_BYTES + " bytes");
      }
      throw error.whole(problem);
    }
    byte[] bytes = SafeFiles.readAllBytes(file, "bad profile", MAX_BYTES); // "bad profile FILE: reason"
    return parse(bytes, error, file.toString(), knownOps,
        overrideBuiltin ? Set.of() : new HashSet<>(builtinIds()));
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * A built-in id or a path. Something that looks like a path (has a separator or ends in .yaml/.yml) is
   * loaded as a file; otherwise a built-in id wins over a file of the same name.
   */
  public static Profile resolve(String idOrPath) {
    if (idOrPath == null || idOrPath.isBlank()) {
      throw new BadInputException("no profile given (built-in: " + String.join(", ", builtinIds()) + ")");
    }
    boolean looksLikePath = idOrPath.contains("/") || idOrPath.contains("\\")
        || idOrPath.endsWith(".yaml") || idOrPath.endsWith(".yml");
    if (!looksLikePath && builtinIds().contains(idOrPath)) {
      return builtin(idOrPath);
    }
    Path path;
    try {
      path = Path.of(idOrPath);
    } catch (InvalidPathException e) {
      throw new BadInputException("bad profile path '" + ProfileError.clip(idOrPath) + "': " + e.getReason());
    }
    if (looksLikePath || Files.exists(path)) {
      return load(path);
    }
    return builtin(idOrPath);
  }

  /** Parses profile bytes: text checks, then the line map, Jackson binding and validation. */
  static Profile parse(byte[] bytes, ProfileError error, String source) {
    return parse(bytes, error, source, null, Set.of());
  }

  static Profile parse(byte[] bytes, ProfileError error, String source, Set<String> knownOps,
      Set<String> reservedIds) {
    String text = decode(bytes, error);
    YamlSourceMap lines = YamlSourceMap.scan(ProfileBinder.FACTORY, text, error);
    Profile profile = ProfileBinder.bind(text, lines, error);
    new ProfileValidator(lines, error, knownOps, reservedIds).validate(profile);
    return profile.withSource(source);
  }

  private static Profile readBuiltin(String id) {
    String resource = DIR + id + ".yaml";
    ProfileError error = new ProfileError(resource);
    try (InputStream in = ProfileLoader.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw error.whole("missing from the classpath");
      }
      Profile profile = parse(in.readAllBytes(), error, "builtin:" + id);
      if (!profile.id().equals(id)) {
        throw error.at(1, "", "id '" + profile.id() + "' does not match the file name '" + id + "'");
      }
      return profile;
    } catch (IOException e) {
      throw error.whole("cannot read: " + ProfileError.oneLine(String.valueOf(e.getMessage())));
    }
  }

  private static List<String> readIndex() {
    String resource = DIR + "index.txt";
    try (InputStream in = ProfileLoader.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the classpath");
      }
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        return reader.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).sorted().toList();
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }

  /** Strict UTF-8 (a BOM is skipped); binary content is rejected with the line where it starts. */
  private static String decode(byte[] bytes, ProfileError error) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      throw error.at(lineAt(bytes, in.position()), "", "not UTF-8 text (a binary file?)");
    }
    decoder.flush(out);
    String text = out.flip().toString();
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    int line = 1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
      } else if (c < 0x20 && c != '\t' && c != '\r' || c == 0x7f) {
        throw error.at(line, "", String.format("control character U+%04X (a binary file?)", (int) c));
      }
    }
    return text;
  }

  private static int lineAt(byte[] bytes, int end) {
    int line = 1;
    for (int i = 0; i < end && i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        line++;
      }
    }
    return line;
  }
}

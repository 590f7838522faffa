package dev.hwc.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An output folder hwc writes whole or not at all, and that never costs the user a file hwc did not
 * write.
 *
 * <p>The rules, checked by {@link #check} before any work is done:
 * <ul>
 *   <li>a folder that does not exist, or an empty one, is written;
 *   <li>an existing folder is replaced only with {@code force}, and only when hwc wrote it: it holds
 *       {@value #MANIFEST}, which lists every file hwc wrote there with its size and SHA-256, and
 *       nothing else (a file added or changed since makes it the user's folder);
 *   <li>a folder that is, or contains, a folder the caller protects (the model's, the calibration and
 *       eval folders), the current folder, the home folder or the root is never replaced;
 *   <li>a regular file, a symbolic link (dangling or not) or any other non-folder is never replaced.
 * </ul>
 *
 * <p>Everything is written into a staging folder beside the target ({@code .NAME.hwc-staging-PID-N}, same
 * file system, permissions from the umask), and {@link #commit} moves it into place: an absent or empty
 * target is replaced by one rename; an old hwc folder is first renamed aside, the new one renamed into
 * place, and only then the old one removed. The staging folder is removed on failure ({@link #close})
 * and on SIGINT/SIGTERM (a shutdown hook); one left by a run that was killed outright (its process is
 * gone) is removed by the next run into the same parent folder, and an old folder that such a run had
 * renamed aside is put back when the target is missing.
 */
public final class OutputFolder implements AutoCloseable {
  /** The manifest hwc writes into every output folder: what it wrote, so that it may replace it later. */
  public static final String MANIFEST = ".hwc-manifest.json";
  private static final String STAGING = ".hwc-staging-";
  private static final String OLD = ".hwc-old-";
  private static final long MANIFEST_CAP = 1 << 20;
  private static final Pattern ENTRY = Pattern.compile(
      "\\s*\\{\"path\": \"((?:[^\"\\\\]|\\\\.)*)\", \"bytes\": (\\d+), \"sha256\": \"([0-9a-f]{64})\"},?\\s*");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path target;
  private final String shown;
  private final boolean force;
  private final Object lock = new Object();
  private Path staging;
  private Path aside;
  private Thread hook;
  private boolean done;

  private OutputFolder(Path target, String shown, boolean force) {
    this.target = target;
    this.shown = shown;
    this.force = force;
  }

  /**
   * Checks that {@code output} may be written (see the class comment) and removes stale staging folders of
   * killed runs beside it; creates nothing yet.
   *
   * @param protect folders that must survive, keyed by what they are (e.g. "the model's folder"); the
   *     current folder, the home folder and the root are always protected
   * @throws BadInputException naming the rule that refuses the folder, in one line
   */
  public static OutputFolder check(Path output, boolean force, Map<String, Path> protect) throws IOException {
    String shown = output.toString();
    Path target = output.toAbsolutePath().normalize();
    if (target.getParent() == null) {
      throw new BadInputException("output folder " + shown + " is the root folder; choose a folder of its own");
    }
    Map<String, Path> guarded = new LinkedHashMap<>(protect);
    guarded.put("the current folder", Path.of("").toAbsolutePath());
    guarded.put("your home folder", Path.of(System.getProperty("user.home")));
    Path real = realOrLexical(target);
    for (boolean same : new boolean[] {true, false}) { // "is X" says more than "contains Y": checked first
      for (Map.Entry<String, Path> g : guarded.entrySet()) {
        if (g.getValue() == null) {
          continue;
        }
        Path p = realOrLexical(g.getValue().toAbsolutePath().normalize());
        if (same ? p.equals(real) : p.startsWith(real)) {
          throw new BadInputException("output folder " + shown + (same ? " is " : " contains ") + g.getKey()
              + " (" + g.getValue() + "); hwc will not replace it: choose an output folder of its own");
        }
      }
    }
    for (Path q = target.getParent(); q != null; q = q.getParent()) {
      if (Files.exists(q)) { // the nearest existing ancestor must be a folder to create the target in
        if (!Files.isDirectory(q)) {
          throw new BadInputException("cannot create output folder " + shown + ": " + q + " is not a folder");
        }
        break;
      }
    }
    OutputFolder f = new OutputFolder(target, shown, force);
    f.cleanStale();
    f.replaceable(true);
    return f;
  }

  /**
   * Adds files to a folder that collects runs (hwc lab): the folder is created when missing (umask
   * permissions), and must be a real folder (not a file, not a symbolic link); each file is written
   * beside its name and renamed into place, and an existing file of the same name is never replaced. On
   * failure nothing of this call is left. Returns the paths written, in order.
   */
  public static List<Path> addFiles(Path dir, Map<String, byte[]> files) throws IOException {
    checkAddable(dir);
    String shown = dir.toString();
    Path target = dir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(target);
    } catch (FileAlreadyExistsException e) {
      throw new BadInputException("cannot create output folder " + shown + ": " + IoProblem.describe(e));
    }
    return write(target, dir, files);
  }

  /** Checks, before any work, that {@link #addFiles} may add to {@code dir}; creates nothing. */
  public static void checkAddable(Path dir) throws IOException {
    String shown = dir.toString();
    Path target = dir.toAbsolutePath().normalize();
    BasicFileAttributes a = null;
    try {
      a = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      // created by addFiles
    }
    if (a != null && a.isSymbolicLink() && !Files.exists(target)) {
      throw new BadInputException("output folder " + shown + " is a symbolic link to " + Files.readSymbolicLink(target)
          + ", which does not exist");
    }
    if (a != null && !Files.isDirectory(target)) {
      throw new BadInputException("output " + shown + " is " + (a.isRegularFile() ? "a file" : "not a folder")
          + ", not a folder; hwc will not replace it");
    }
    for (Path q = target.getParent(); q != null; q = q.getParent()) {
      if (Files.exists(q)) {
        if (!Files.isDirectory(q)) {
          throw new BadInputException("cannot create output folder " + shown + ": " + q + " is not a folder");
        }
        break;
      }
    }
  }

  private static List<Path> write(Path target, Path dir, Map<String, byte[]> files) throws IOException {
    List<Path> written = new ArrayList<>();
    List<Path> parts = new ArrayList<>();
    boolean ok = false;
    try {
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        Path part = target.resolve("." + f.getKey() + STAGING + ProcessHandle.current().pid() + "-"
            + Long.toUnsignedString(RANDOM.nextLong(), 36));
        parts.add(part);
        Files.write(part, f.getValue());
      }
      int i = 0;
      for (String name : files.keySet()) {
        Path to = target.resolve(name);
        try {
          Files.move(parts.get(i++), to); // no REPLACE_EXISTING: an existing file stays
        } catch (FileAlreadyExistsException e) {
          throw new BadInputException("output " + dir.resolve(name) + " exists; hwc does not overwrite it");
        }
        written.add(to);
      }
      ok = true;
      return written;
    } finally {
      for (Path p : parts) {
        Files.deleteIfExists(p);
      }
      if (!ok) {
        for (Path p : written) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** The output folder, absolute and normalized. */
  public Path target() {
    return target;
  }

  /**
   * Creates the staging folder (once) and returns it: write everything there. It is removed by
   * {@link #close}, and by a shutdown hook if the JVM is stopped by a signal first.
   */
  public Path stage() throws IOException {
    synchronized (lock) {
      if (staging != null) {
        return staging;
      }
      if (done) {
        throw new IllegalStateException("output folder " + shown + " is already committed or closed");
      }
      Path parent = target.getParent();
      try {
        Files.createDirectories(parent);
      } catch (FileAlreadyExistsException e) {
        throw new BadInputException("cannot create output folder " + shown + ": " + parent + " is not a folder");
      }
      String prefix = "." + target.getFileName() + STAGING + ProcessHandle.current().pid() + "-";
      for (int i = 0; staging == null; i++) {
        Path p = parent.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong(), 36));
        try {
          staging = Files.createDirectory(p); // no attributes: the permissions come from the umask
        } catch (FileAlreadyExistsException e) {
          if (i > 8) {
            throw e;
          }
        }
      }
      hook = new Thread(this::onSignal, "hwc-output-cleanup");
      java.lang.Runtime.getRuntime().addShutdownHook(hook);
      return staging;
    }
  }

  /**
   * Writes the manifest of what the staging folder holds and moves it into place, replacing the old
   * folder (checked again, just before, by the same rules).
   */
  public void commit() throws IOException {
    synchronized (lock) {
      if (staging == null || done) {
        throw new IllegalStateException("nothing staged for " + shown);
      }
      writeManifest(staging);
      boolean replaceOld = replaceable(false);
      if (replaceOld) {
        aside = target.resolveSibling("." + target.getFileName() + OLD + ProcessHandle.current().pid() + "-"
            + Long.toUnsignedString(RANDOM.nextLong(), 36));
        Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
      }
      try {
        // one rename; it also replaces an empty folder
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        if (aside != null) {
          Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
          aside = null;
        }
        if (e instanceof DirectoryNotEmptyException || e instanceof FileAlreadyExistsException) {
          throw new BadInputException("output folder " + shown + " was filled while hwc was building; it is left as "
              + "it is and nothing was written");
        }
        throw e;
      }
      staging = null;
      done = true;
      if (aside != null) {
        deleteTree(aside);
        aside = null;
      }
    }
  }

  /** Removes the staging folder unless committed; idempotent. */
  @Override
  public void close() throws IOException {
    synchronized (lock) {
      done = true;
      if (staging != null) {
        deleteTree(staging);
        staging = null;
      }
      if (hook != null) {
        try {
          java.lang.Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // the JVM is shutting down: the hook runs (or ran) and finds nothing to do
        }
        hook = null;
      }
    }
  }

  private void onSignal() {
    synchronized (lock) {
      try {
        if (aside != null && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE); // killed mid-swap: the old folder goes back
          aside = null;
        }
        if (staging != null) {
          deleteTree(staging);
          staging = null;
        }
        done = true;
      } catch (IOException | RuntimeException e) {
        System.err.println("hwc: could not remove " + staging + ": " + e.getMessage());
      }
    }
  }

  /**
   * Whether there is an old folder to move aside (true) or nothing there / an empty folder (false);
   * throws when the target may not be replaced.
   */
  private boolean replaceable(boolean early) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return false;
    }
    if (a.isSymbolicLink()) {
      Path to = Files.readSymbolicLink(target);
      boolean dangling = !Files.exists(target);
      throw new BadInputException("output folder " + shown + " is a symbolic link to " + to
          + (dangling ? ", which does not exist" : "") + "; give a real folder (hwc does not write through links)");
    }
    if (!a.isDirectory()) {
      throw new BadInputException("output " + shown + " is " + (a.isRegularFile() ? "a file" : "not a folder")
          + ", not a folder; hwc will not replace it");
    }
    try (Stream<Path> s = Files.list(target)) {
      if (s.findAny().isEmpty()) {
        return false;
      }
    }
    if (!force) {
      throw new BadInputException("output folder " + shown + " exists; pass --force to replace it (only a folder "
          + "hwc wrote, with its " + MANIFEST + ", is replaced)");
    }
    String foreign = foreignContent(target);
    if (foreign != null) {
      throw new BadInputException("output folder " + shown + " " + foreign + "; --force replaces only a folder hwc "
          + "wrote, so it is left as it is: remove it yourself or choose another output folder");
    }
    return true;
  }

  /** Null when the folder holds exactly what its manifest lists; else what does not match, as a phrase. */
  static String foreignContent(Path dir) throws IOException {
    Path manifest = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS)) {
      return "was not written by hwc (it has no " + MANIFEST + ")";
    }
    if (Files.size(manifest) > MANIFEST_CAP) {
      return "has a " + MANIFEST + " larger than hwc writes";
    }
    Map<String, String[]> listed = parseManifest(Files.readString(manifest, StandardCharsets.UTF_8));
    if (listed == null) {
      return "has a " + MANIFEST + " hwc did not write";
    }
    Map<String, BasicFileAttributes> found = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (p.equals(dir) || p.equals(manifest)) {
          continue;
        }
        found.put(relative(dir, p), Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    for (Map.Entry<String, BasicFileAttributes> e : found.entrySet()) {
      String name = e.getKey();
      BasicFileAttributes a = e.getValue();
      if (a.isDirectory()) {
        if (listed.keySet().stream().noneMatch(l -> l.startsWith(name + "/"))) {
          return "holds '" + name + "/', which hwc did not write";
        }
        continue;
      }
      String[] want = listed.get(name);
      if (want == null || !a.isRegularFile()) {
        return "holds '" + name + "', which hwc did not write";
      }
      if (a.size() != Long.parseLong(want[0]) || !sha256(dir.resolve(name)).equals(want[1])) {
        return "holds '" + name + "', which changed since hwc wrote it";
      }
    }
    for (String name : listed.keySet()) {
      if (!found.containsKey(name)) {
        return "lacks '" + name + "', which its " + MANIFEST + " lists (changed since hwc wrote it)";
      }
    }
    return null;
  }

  /** Writes {@value #MANIFEST}: every regular file under {@code dir}, with its size and SHA-256. */
  static void writeManifest(Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted().toList()) {
        if (p.equals(dir) || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          throw new IllegalStateException("hwc staged a non-file " + p);
        }
        lines.add("    {\"path\": \"" + escape(relative(dir, p)) + "\", \"bytes\": " + Files.size(p) + ", \"sha256\": \""
            + sha256(p) + "\"}");
      }
    }
    String body = "{\n  \"writer\": \"hwc\",\n  \"manifest\": 1,\n  \"note\": \"hwc replaces this folder (build --force) "
        + "only while it holds exactly these files\",\n  \"files\": [\n" + String.join(",\n", lines) + "\n  ]\n}\n";
    Files.writeString(dir.resolve(MANIFEST), body, StandardCharsets.UTF_8);
  }

  /** The listed files (path -> {bytes, sha256}), or null when the text is not a manifest hwc writes. */
  static Map<String, String[]> parseManifest(String text) {
    List<String> lines = text.lines().toList();
    int start = lines.indexOf("  \"files\": [");
    if (lines.size() < 5 || !lines.get(1).equals("  \"writer\": \"hwc\",") || start < 0) {
      return null;
    }
    Map<String, String[]> out = new LinkedHashMap<>();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.equals("  ]")) {
        return out;
      }
      Matcher m = ENTRY.matcher(line);
      if (!m.matches()) {
        return null;
      }
      String path = unescape(m.group(1));
      if (path == null || path.isEmpty() || path.startsWith("/") || List.of(path.split("/")).contains("..")) {
        return null;
      }
      out.put(path, new String[] {m.group(2), m.group(3)});
    }
    return null;
  }

  /**
   * Removes staging folders beside the target whose run is gone (killed outright), and puts back an old
   * folder such a run had renamed aside when the target itself is missing (else removes it: it was
   * replaced).
   */
  private void cleanStale() throws IOException {
    Path parent = target.getParent();
    if (!Files.isDirectory(parent)) {
      return;
    }
    String name = "." + target.getFileName();
    Pattern own = Pattern.compile(Pattern.quote(name) + "(" + Pattern.quote(STAGING) + "|" + Pattern.quote(OLD)
        + ")(\\d+)-[0-9a-z]+");
    List<Path> stale = new ArrayList<>();
    try (Stream<Path> s = Files.list(parent)) {
      s.forEach(p -> {
        Matcher m = own.matcher(p.getFileName().toString());
        if (m.matches() && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !alive(m.group(2))) {
          stale.add(p);
        }
      });
    }
    for (Path p : stale) {
      if (p.getFileName().toString().startsWith(name + OLD) && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
      } else {
        deleteTree(p);
      }
    }
  }

  private static boolean alive(String pid) {
    try {
      return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return true; // not ours to judge
    }
  }

  /** The real path of the longest existing prefix, with the rest appended (the target may not exist yet). */
  private static Path realOrLexical(Path p) {
    Path rest = p.getFileSystem().getPath("");
    for (Path q = p; q != null; q = q.getParent()) {
      try {
        return q.toRealPath().resolve(rest);
      } catch (IOException e) {
        rest = q.getFileName() == null ? rest : q.getFileName().resolve(rest);
      }
    }
    return p;
  }

  private static String relative(Path dir, Path p) {
    return dir.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
  }

  /** Removes a folder and everything under it, never following symbolic links; retried while it refills. */
  static void deleteTree(Path p) throws IOException {
    for (int attempt = 0; ; attempt++) {
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      try (Stream<Path> s = Files.walk(p)) {
        for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(q);
        }
        return;
      } catch (DirectoryNotEmptyException | NoSuchFileException | UncheckedIOException e) {
        if (attempt >= 20) { // another thread is still writing into it
          throw e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
        }
      }
    }
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static String unescape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        b.append(c);
      } else if (i + 1 < s.length() && (s.charAt(i + 1) == '"' || s.charAt(i + 1) == '\\')) {
        b.append(s.charAt(++i));
      } else if (i + 5 < s.length() && s.charAt(i + 1) == 'u') {
        try {
          b.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        } catch (NumberFormatException e) {
          return null;
        }
        i += 5;
      } else {
        return null;
      }
    }
    return b.toString();
  }
}

package dev.hwc.backends.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * ONNX Runtime's native libraries, extracted once into a cache folder
 * ({@code $XDG_CACHE_HOME/hwc/onnxruntime-<os-arch>-<hash>}, else {@code ~/.cache/hwc/...}) and loaded
 * from there through the system property ONNX Runtime's Java API reads, {@code onnxruntime.native.path}.
 * Without it every process extracts them into a fresh {@code onnxruntime-java*} folder under the
 * temporary folder and leaves that folder behind. Where the cache cannot be written, ONNX Runtime's
 * own extraction is used as before.
 */
final class OrtNatives {
  static final String PROPERTY = "onnxruntime.native.path";
  private static boolean done;

  private OrtNatives() {}

  /** Points ONNX Runtime at the cached libraries (extracting them first when needed); call before its first use. */
  static synchronized void prepare() {
    if (done || System.getProperty(PROPERTY) != null) {
      return;
    }
    done = true;
    try {
      Path dir = extract(cacheRoot());
      if (dir != null) {
        System.setProperty(PROPERTY, dir.toString());
      }
    } catch (IOException | RuntimeException e) {
      // ONNX Runtime extracts them itself
    }
  }

  static Path cacheRoot() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
        : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("hwc");
  }

  /** Extracts the two libraries into a folder named by their content; null when the jar has none for this platform. */
  static Path extract(Path root) throws IOException {
    String platform = platform();
    String[] names = {System.mapLibraryName("onnxruntime"), System.mapLibraryName("onnxruntime4j_jni")};
    URL[] urls = new URL[names.length];
    for (int i = 0; i < names.length; i++) {
      urls[i] = OrtNatives.class.getResource("/ai/onnxruntime/native/" + platform + "/" + names[i]);
      if (urls[i] == null) {
        return null;
      }
    }
    // named by the JNI library's hash and the main library's size: cheap to compute on every start
    long mainSize = urls[0].openConnection().getContentLengthLong();
    byte[] jni;
    try (InputStream in = urls[1].openStream()) {
      jni = in.readAllBytes();
    }
    Path dir = root.resolve("onnxruntime-" + platform + "-" + sha256(jni).substring(0, 16) + "-" + mainSize);
    Path main = dir.resolve(names[0]);
    Path glue = dir.resolve(names[1]);
    if (Files.isRegularFile(main) && Files.size(main) == mainSize && Files.isRegularFile(glue)
        && Files.size(glue) == jni.length) {
      return dir;
    }
    Files.createDirectories(dir);
    for (int i = 0; i < names.length; i++) {
      Path tmp = Files.createTempFile(dir, "." + names[i], ".part");
      try (InputStream in = urls[i].openStream()) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, dir.resolve(names[i]), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return Files.size(main) == mainSize ? dir : null;
  }

  /** ONNX Runtime's name for this platform's folder in its jar: linux-x64, linux-aarch64, osx-aarch64, win-x64. */
  static String platform() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String o = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "osx" : os.startsWith("windows") ? "win" : os;
    String a = arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch.equals("arm64") ? "aarch64" : arch;
    return o + "-" + a;
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

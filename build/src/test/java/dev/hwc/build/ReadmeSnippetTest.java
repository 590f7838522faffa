package dev.hwc.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Use from Java" snippet, exactly as written there: compiled with javac against this classpath, and run. */
class ReadmeSnippetTest {
  @TempDir Path dir;

  /** The first ```java block after the "## Use from Java" heading. */
  static String snippet() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int section = readme.indexOf("\n## Use from Java");
    assertTrue(section >= 0, "README.md has a 'Use from Java' section");
    int start = readme.indexOf("```java\n", section);
    int end = readme.indexOf("\n```", start + 8);
    assertTrue(start > section && end > start, "the section has a ```java block");
    return readme.substring(start + 8, end + 1);
  }

  @Test
  void theSnippetCompilesAndBuildsForTheEdgeTpu() throws Exception {
    String code = snippet();
    Matcher cls = Pattern.compile("public class (\\w+)").matcher(code);
    assertTrue(cls.find(), code);
    Path src = dir.resolve("src").resolve(cls.group(1) + ".java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, code);
    Path classes = Files.createDirectories(dir.resolve("classes"));
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int rc = javac.run(null, diagnostics, diagnostics, "-Xlint:all,-path", "-Werror", "-cp", classpath, "-d", classes.toString(),
        src.toString());
    assertEquals(0, rc, "the README snippet compiles:\n" + diagnostics.toString(StandardCharsets.UTF_8));

    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      loader.loadClass(cls.group(1)).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(stdout);
    }
    String out = printed.toString(StandardCharsets.UTF_8);
    stdout.print(out);
    List<String> lines = out.lines().toList();
    Matcher plan = Pattern.compile("static plan, (\\d+) bytes, sha256 ([0-9a-f]{64})").matcher(lines.get(0));
    assertTrue(plan.matches(), out);
    assertTrue(Long.parseLong(plan.group(1)) > 1000, out);
    Matcher weakest = Pattern.compile("weakest output 'masks': cosine ([0-9.]+), IoU ([0-9.]+)").matcher(lines.get(1));
    assertTrue(weakest.matches(), out);
    assertTrue(Double.parseDouble(weakest.group(1)) >= 0.98, "above the Edge TPU's gate: " + out);
    assertTrue(Double.parseDouble(weakest.group(2)) >= 0.9, "every mask survives int8: " + out);
    assertTrue(out.contains("Edge TPU (edgetpu):"), "the mapping summary: " + out);
  }
}

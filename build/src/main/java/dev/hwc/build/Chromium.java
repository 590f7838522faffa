package dev.hwc.build;

import dev.hwc.common.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium (Debian's {@code chromium} package, or {@code $HWC_CHROMIUM}) for the envelope
 * page's PNG and its browser test: {@code --screenshot} and {@code --dump-dom} on a file URL, in a
 * throwaway profile folder (nothing written to the user's home), with the sandbox off when running as
 * root (Chromium refuses root otherwise). {@link #open} drives a live page over the DevTools protocol
 * (https://chromedevtools.github.io/devtools-protocol/), on the loopback interface only: real key
 * presses (Input.dispatchKeyEvent, trusted events, as a keyboard's) and script evaluation.
 */
public final class Chromium {
  private final Path exe;

  private Chromium(Path exe) {
    this.exe = exe;
  }

  /** The browser on PATH (chromium, chromium-browser, google-chrome) or $HWC_CHROMIUM. */
  public static Optional<Chromium> find() {
    List<String> names = new ArrayList<>();
    String env = System.getenv("HWC_CHROMIUM");
    if (env != null && !env.isBlank()) {
      names.add(env);
    }
    names.addAll(List.of("chromium", "chromium-browser", "google-chrome"));
    for (String n : names) {
      Path p = Path.of(n);
      if (p.isAbsolute() && Files.isExecutable(p)) {
        return Optional.of(new Chromium(p));
      }
      for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
        Path q = Path.of(dir, n);
        if (Files.isExecutable(q)) {
          return Optional.of(new Chromium(q));
        }
      }
    }
    return Optional.empty();
  }

  /** What a run printed: the DOM (for --dump-dom) and the browser's log (console messages included). */
  public record Output(String stdout, String stderr) {}

  /** Writes a PNG of the page at width x height. */
  public Output screenshot(Path page, Path png, int width, int height) throws IOException {
    Output o = run(List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
        "--hide-scrollbars"), page.toUri() + "");
    if (!Files.isRegularFile(png) || Files.size(png) == 0) {
      throw new IOException("chromium wrote no screenshot: " + last(o.stderr()));
    }
    return o;
  }

  /** The page's DOM after its scripts ran; {@code fragment} (e.g. "step=3") is appended as the URL's #. */
  public Output dumpDom(Path page, String fragment) throws IOException {
    return run(List.of("--dump-dom"), page.toUri() + (fragment == null ? "" : "#" + fragment));
  }

  private Output run(List<String> args, String url) throws IOException {
    Path profile = Files.createTempDirectory("hwc-chromium-");
    Path out = profile.resolve("stdout");
    Path err = profile.resolve("stderr");
    try {
      List<String> cmd = new ArrayList<>(List.of(exe.toString(), "--headless", "--disable-gpu", "--no-first-run",
          "--no-default-browser-check", "--disable-extensions", "--user-data-dir=" + profile.resolve("p"),
          "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000"));
      if ("root".equals(System.getProperty("user.name"))) {
        cmd.add("--no-sandbox");
      }
      cmd.addAll(args);
      cmd.add(url);
      Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("chromium did not finish in 90 s");
      }
      return new Output(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      OutputStaging.deleteRecursively(profile);
    }
  }

  /**
   * A page open in headless Chromium, driven over the DevTools protocol: {@link #press} sends a real
   * key press to the focused element, {@link #evaluate} runs an expression and returns its value as text.
   */
  public static final class Session implements AutoCloseable {
    private final Process process;
    private final Path profile;
    private final java.net.http.WebSocket socket;
    private final com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    private final java.util.concurrent.ConcurrentHashMap<Integer, java.util.concurrent.CompletableFuture<
        com.fasterxml.jackson.databind.JsonNode>> replies = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger ids = new java.util.concurrent.atomic.AtomicInteger();

    private Session(Process process, Path profile, java.net.http.WebSocket socket) {
      this.process = process;
      this.profile = profile;
      this.socket = socket;
    }

    private com.fasterxml.jackson.databind.JsonNode call(String method, Map<String, Object> params) throws IOException {
      int id = ids.incrementAndGet();
      var reply = new java.util.concurrent.CompletableFuture<com.fasterxml.jackson.databind.JsonNode>();
      replies.put(id, reply);
      socket.sendText(json.writeValueAsString(Map.of("id", id, "method", method, "params", params)), true).join();
      try {
        var r = reply.get(30, TimeUnit.SECONDS);
        if (r.has("error")) {
          throw new IOException(method + ": " + r.get("error"));
        }
        return r.path("result");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IOException(method + ": no answer from chromium", e);
      } finally {
        replies.remove(id);
      }
    }

    /** The expression's value (as text; null for undefined or null). */
    public String evaluate(String expression) throws IOException {
      var r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
      if (r.has("exceptionDetails")) {
        throw new IOException("script error: " + r.get("exceptionDetails"));
      }
      var v = r.path("result").path("value");
      return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    /** Presses and releases a key ("ArrowRight", "ArrowLeft", "End", "Home", "PageUp", ...) on the focused element. */
    public void press(String key) throws IOException {
      int code = switch (key) {
        case "ArrowLeft" -> 37;
        case "ArrowUp" -> 38;
        case "ArrowRight" -> 39;
        case "ArrowDown" -> 40;
        case "End" -> 35;
        case "Home" -> 36;
        case "PageUp" -> 33;
        case "PageDown" -> 34;
        default -> throw new IllegalArgumentException("no key code for " + key);
      };
      for (String type : List.of("rawKeyDown", "keyUp")) {
        call("Input.dispatchKeyEvent", Map.of("type", type, "key", key, "code", key, "windowsVirtualKeyCode", code,
            "nativeVirtualKeyCode", code));
      }
    }

    @Override
    public void close() {
      try {
        socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the browser goes anyway
      }
      process.destroy();
      Processes.awaitOrKill(process, 10);
      try {
        OutputStaging.deleteRecursively(profile);
      } catch (IOException e) {
        // a temporary folder
      }
    }
  }

  /**
   * Opens {@code page} in headless Chromium with the DevTools protocol on a loopback port, and waits
   * until {@code ready} (a script expression) is true.
   */
  public Session open(Path page, String ready) throws IOException {
    Path profile = Files.createTempDirectory("hwc-chromium-");
    Path err = profile.resolve("stderr");
    List<String> cmd = new ArrayList<>(List.of(exe.toString(), "--headless", "--disable-gpu", "--no-first-run",
        "--no-default-browser-check", "--disable-extensions", "--user-data-dir=" + profile.resolve("p"),
        "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--window-size=1100,1000"));
    if ("root".equals(System.getProperty("user.name"))) {
      cmd.add("--no-sandbox");
    }
    cmd.add(page.toUri().toString());
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile())
        .start();
    try {
      // Chromium writes the port it chose into the profile folder
      Path portFile = profile.resolve("p").resolve("DevToolsActivePort");
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!(Files.isRegularFile(portFile) && Files.readString(portFile).contains("\n"))) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          throw new IOException("chromium opened no DevTools port: " + last(Files.readString(err)));
        }
        Thread.sleep(50);
      }
      String port = Files.readString(portFile).lines().findFirst().orElseThrow().trim();
      var http = java.net.http.HttpClient.newHttpClient();
      String pageSocket = null;
      while (pageSocket == null) {
        var list = new com.fasterxml.jackson.databind.ObjectMapper().readTree(http.send(java.net.http.HttpRequest
            .newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        for (var t : list) {
          if ("page".equals(t.path("type").asText())) {
            pageSocket = t.path("webSocketDebuggerUrl").asText();
          }
        }
        if (pageSocket == null) {
          if (System.nanoTime() > deadline) {
            throw new IOException("chromium shows no page");
          }
          Thread.sleep(50);
        }
      }
      Session[] self = new Session[1];
      StringBuilder text = new StringBuilder();
      var socket = http.newWebSocketBuilder().buildAsync(java.net.URI.create(pageSocket),
          new java.net.http.WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data,
                boolean lastPart) {
              text.append(data);
              if (lastPart) {
                try {
                  var msg = self[0].json.readTree(text.toString());
                  var reply = msg.has("id") ? self[0].replies.get(msg.get("id").asInt()) : null;
                  if (reply != null) {
                    reply.complete(msg);
                  }
                } catch (IOException e) {
                  // not a message of ours
                }
                text.setLength(0);
              }
              ws.request(1);
              return null;
            }
          }).get(30, TimeUnit.SECONDS);
      Session s = new Session(p, profile, socket);
      self[0] = s;
      while (!"true".equals(s.evaluate("String(!!(" + ready + "))"))) {
        if (System.nanoTime() > deadline) {
          s.close();
          throw new IOException("the page did not get ready (" + ready + ")");
        }
        Thread.sleep(50);
      }
      return s;
    } catch (InterruptedException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      p.destroyForcibly();
      OutputStaging.deleteRecursively(profile);
      throw new IOException("could not drive chromium: " + e, e);
    } catch (IOException | RuntimeException e) {
      p.destroyForcibly();
      OutputStaging.deleteRecursively(profile);
      throw e;
    }
  }

  private static String last(String s) {
    List<String> l = s.lines().filter(x -> !x.isBlank()).toList();
    return l.isEmpty() ? "(no output)" : l.get(l.size() - 1);
  }
}

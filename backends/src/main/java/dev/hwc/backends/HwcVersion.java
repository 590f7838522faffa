package dev.hwc.backends;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * hwc's version, written into artifacts (ONNX producer_version) and reports. It comes from a
 * resource Maven filters at build time, so classes and jar builds write the same bytes.
 */
public final class HwcVersion {
  public static final String VALUE = read();

  private HwcVersion() {}

  private static String read() {
    try (InputStream in = HwcVersion.class.getResourceAsStream("hwc-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read hwc-version.properties", e);
    }
  }
}

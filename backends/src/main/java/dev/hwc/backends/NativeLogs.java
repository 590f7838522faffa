package dev.hwc.backends;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.Interpreter;
import org.bytedeco.tensorflowlite.global.tensorflowlite;

/**
 * What the native runtimes (ONNX Runtime, the TFLite interpreter) may print on stderr: by default only
 * what a user must see (ONNX Runtime: fatal; TFLite: warnings and errors), so that an hwc error stays
 * one line; with {@code hwc --verbose} (system property {@value #PROPERTY}) or {@code HWC_VERBOSE=1}
 * their warnings and information too.
 */
public final class NativeLogs {
  /** The system property that turns the native runtimes' logs on; the CLI sets it for --verbose. */
  public static final String PROPERTY = "hwc.verbose";
  /** tflite::LogSeverity (tensorflow/lite/logger.h): VERBOSE 0, INFO 1, WARNING 2, ERROR 3, SILENT 4. */
  private static final int TFLITE_LOG_INFO = 1;
  private static final int TFLITE_LOG_WARNING = 2;
  private static volatile boolean tfliteSet;

  private NativeLogs() {}

  /** Whether native logs are wanted: -Dhwc.verbose=true or HWC_VERBOSE set to anything but 0/empty. */
  public static boolean verbose() {
    String env = System.getenv("HWC_VERBOSE");
    return Boolean.getBoolean(PROPERTY) || env != null && !env.isEmpty() && !env.equals("0");
  }

  /** ONNX Runtime's log severity for the environment and each session. */
  public static ai.onnxruntime.OrtLoggingLevel ort() {
    return verbose() ? ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING
        : ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
  }

  /**
   * Sets TFLite's minimum log severity (its INFO lines, such as the one saying the XNNPACK delegate was
   * created, go away) once per process. The JavaCPP bindings do not expose
   * {@code tflite::LoggerOptions::SetMinimumLogSeverity(LogSeverity)}, so it is looked up in the loaded
   * library and called through a bound function-pointer type of the same calling convention (one
   * integer-register argument; its return value is ignored). Where the symbol is missing, nothing
   * changes.
   */
  public static void tflite() {
    if (tfliteSet) {
      return;
    }
    synchronized (NativeLogs.class) {
      if (tfliteSet) {
        return;
      }
      tfliteSet = true;
      try {
        Loader.load(tensorflowlite.class);
        Pointer fn = Loader.addressof("_ZN6tflite13LoggerOptions21SetMinimumLogSeverityENS_11LogSeverityE");
        if (fn == null || fn.isNull()) {
          return;
        }
        long severity = verbose() ? TFLITE_LOG_INFO : TFLITE_LOG_WARNING;
        // a JavaCPP function pointer object is a small struct whose first member is the C function
        // pointer (then the Java callback object): build one around the looked-up address
        LongPointer holder = new LongPointer(2);
        holder.put(0, fn.address()).put(1, 0L);
        Interpreter.Check_cancelled_func_Pointer call = new Interpreter.Check_cancelled_func_Pointer(holder);
        call.call(new Pointer() {
          {
            address = severity; // passed in the first integer register, read as the enum
          }
        });
        holder.close();
      } catch (RuntimeException | LinkageError e) {
        // the logs stay as TFLite sets them
      }
    }
  }
}

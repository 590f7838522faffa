package dev.hwc.common;

/**
 * Bad input from the user anywhere in hwc: a malformed or hostile model file, a bad profile, an
 * unsupported op, a wrong shape, a bad flag. The message is one line that names the problem; the CLI
 * prints it and exits with code 2. It lives in the lowest module so that every module can throw it.
 */
public class BadInputException extends RuntimeException {
  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}

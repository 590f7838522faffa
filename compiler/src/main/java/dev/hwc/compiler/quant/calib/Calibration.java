package dev.hwc.compiler.quant.calib;

import dev.hwc.common.BadInputException;
import java.util.Locale;

/**
 * A calibration method with its argument, as given by {@code --calibration
 * minmax|percentile[:P]|entropy|mse} (P in (50, 100], default {@value #DEFAULT_PERCENTILE}).
 *
 * @param method the method
 * @param percentile the percentile for {@link CalibrationMethod#PERCENTILE}, else NaN
 */
public record Calibration(CalibrationMethod method, double percentile) {
  public static final double DEFAULT_PERCENTILE = 99.99;

  public static final Calibration MINMAX = new Calibration(CalibrationMethod.MINMAX, Double.NaN);
  public static final Calibration PERCENTILE = new Calibration(CalibrationMethod.PERCENTILE, DEFAULT_PERCENTILE);
  public static final Calibration ENTROPY = new Calibration(CalibrationMethod.ENTROPY, Double.NaN);
  public static final Calibration MSE = new Calibration(CalibrationMethod.MSE, Double.NaN);

  public Calibration {
    if (method == null) {
      throw new IllegalArgumentException("calibration method must not be null");
    }
    if (method == CalibrationMethod.PERCENTILE) {
      if (!(percentile > 50 && percentile <= 100)) {
        throw new BadInputException("calibration percentile must be in (50, 100], got " + percentile);
      }
    } else {
      percentile = Double.NaN;
    }
  }

  public static Calibration percentile(double p) {
    return new Calibration(CalibrationMethod.PERCENTILE, p);
  }

  /** Reads {@code minmax}, {@code percentile}, {@code percentile:99.9}, {@code entropy}, {@code mse} (any case). */
  public static Calibration parse(String flag) {
    String s = flag == null ? "" : flag.trim().toLowerCase(Locale.ROOT);
    int colon = s.indexOf(':');
    String name = colon < 0 ? s : s.substring(0, colon);
    String arg = colon < 0 ? null : s.substring(colon + 1).trim();
    for (CalibrationMethod m : CalibrationMethod.values()) {
      if (!m.flag().equals(name)) {
        continue;
      }
      if (m != CalibrationMethod.PERCENTILE) {
        if (arg != null) {
          throw new BadInputException("calibration method '" + name + "' takes no argument, got '" + flag + "'");
        }
        return new Calibration(m, Double.NaN);
      }
      if (arg == null) {
        return PERCENTILE;
      }
      try {
        return percentile(Double.parseDouble(arg));
      } catch (NumberFormatException e) {
        throw new BadInputException("bad calibration percentile '" + arg + "' in '" + flag + "'; e.g. percentile:99.99");
      }
    }
    throw new BadInputException("unknown calibration method '" + flag + "'; use minmax, percentile[:P], entropy or mse");
  }

  /** A fresh collector for one tensor. */
  public RangeCollector newCollector() {
    return switch (method) {
      case MINMAX -> new MinMaxCollector();
      case PERCENTILE -> new PercentileCollector(percentile);
      case ENTROPY -> new EntropyCollector();
      case MSE -> new MseCollector();
    };
  }

  /** The flag form: {@code minmax}, {@code percentile:99.99}, {@code entropy}, {@code mse}. */
  @Override
  public String toString() {
    return method == CalibrationMethod.PERCENTILE
        ? method.flag() + ":" + (percentile == Math.rint(percentile) ? Long.toString((long) percentile) : Double.toString(percentile))
        : method.flag();
  }
}

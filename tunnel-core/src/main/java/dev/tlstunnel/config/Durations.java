package dev.tlstunnel.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Human durations as used in config files: one or more {@code <number><unit>} parts, units {@code
 * ns}, {@code us}, {@code ms}, {@code s}, {@code m}, {@code h}, e.g. {@code "250ms"}, {@code "2s"},
 * {@code "1.5s"}, {@code "1m30s"}, {@code "1h"}.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)([a-zA-Z]*)");
  private static final Map<String, Long> UNIT_NANOS =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);
  private static final String[] FORMAT_UNITS = {"h", "m", "s", "ms", "us", "ns"};

  private Durations() {}

  /**
   * Parses a duration such as {@code "2s"} or {@code "1m30s"}.
   *
   * @throws IllegalArgumentException naming the problem, e.g. {@code unknown unit 'x' in '10x' (use
   *     ms, s, m or h)}
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration (use e.g. \"2s\" or \"250ms\")");
    }
    String s = text.trim();
    Matcher m = PART.matcher(s);
    BigDecimal nanos = BigDecimal.ZERO;
    int pos = 0;
    while (pos < s.length()) {
      if (!m.find(pos) || m.start() != pos) {
        throw new IllegalArgumentException("invalid duration '" + text + "' (use e.g. \"2s\")");
      }
      String unit = m.group(2);
      if (unit.isEmpty()) {
        throw new IllegalArgumentException(
            "missing unit in '" + text + "' (use ms, s, m or h, e.g. \"" + m.group(1) + "s\")");
      }
      Long factor = UNIT_NANOS.get(unit);
      if (factor == null) {
        throw new IllegalArgumentException(
            "unknown unit '" + unit + "' in '" + text + "' (use ms, s, m or h)");
      }
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(factor)));
      pos = m.end();
    }
    BigDecimal whole = nanos.setScale(0, RoundingMode.HALF_UP);
    if (whole.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("duration '" + text + "' is too long");
    }
    return Duration.ofNanos(whole.longValueExact());
  }

  /**
   * Formats a duration in the syntax {@link #parse} accepts, largest units first: {@code 90 s ->
   * "1m30s"}, {@code 250 ms -> "250ms"}, zero {@code -> "0s"}.
   */
  public static String format(Duration duration) {
    if (duration.isNegative()) {
      return "-" + format(duration.negated());
    }
    if (duration.isZero()) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    long seconds = duration.getSeconds();
    long nanos = duration.getNano();
    long[] amounts = {
      seconds / 3600,
      seconds / 60 % 60,
      seconds % 60,
      nanos / 1_000_000,
      nanos / 1000 % 1000,
      nanos % 1000
    };
    for (int i = 0; i < amounts.length; i++) {
      if (amounts[i] != 0) {
        sb.append(amounts[i]).append(FORMAT_UNITS[i]);
      }
    }
    return sb.toString();
  }
}

package dev.tlstunnel.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/** The value checks every part of {@link ConfigValidator} uses, each reporting under its key. */
final class Checks {
  /** Names of proxies and clients: {@code [A-Za-z0-9._-]{1,64}}. */
  static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private Checks() {}

  static void port(int port, int min, String key, Problems p) {
    if (port < min || port > 65535) {
      p.error(key, "must be between " + min + " and 65535, got " + port);
    }
  }

  static void atLeast(long value, long min, String key, Problems p) {
    if (value < min) {
      p.error(key, "must be at least " + min + ", got " + value);
    }
  }

  /** {@code addr}, or {@code dflt} when null; blank is an error. */
  static String address(String addr, String dflt, String key, Problems p) {
    if (addr == null) {
      return dflt;
    }
    if (addr.isBlank()) {
      p.error(key, "must not be empty");
    }
    return addr;
  }

  static void name(String name, String key, Problems p) {
    if (name != null && !NAME_PATTERN.matcher(name).matches()) {
      p.error(key, "must match " + NAME_PATTERN.pattern() + ", got '" + name + "'");
    }
  }

  /** A duration that must be positive (or at least zero when {@code zeroAllowed}). */
  static Duration duration(Duration d, Duration dflt, boolean zeroAllowed, String key, Problems p) {
    if (d == null) {
      return dflt;
    }
    if (d.isNegative() || (!zeroAllowed && d.isZero())) {
      p.error(key, "must be " + (zeroAllowed ? "0s or more" : "positive") + ", got " + fmt(d));
    }
    return d;
  }

  /** A retry delay: positive; below {@code min} it is raised to {@code min} with a warning. */
  static Duration delay(Duration d, Duration min, String key, Problems p) {
    if (d == null) {
      p.error(key, "missing required key");
    } else if (d.isNegative() || d.isZero()) {
      p.error(key, "must be positive, got " + fmt(d));
    } else if (d.compareTo(min) < 0) {
      p.warn(key, fmt(d) + " is below the minimum of " + fmt(min) + "; using " + fmt(min));
      return min;
    }
    return d;
  }

  static BindRetryPolicy retry(BindRetryPolicy policy, Duration minDelay, String key, Problems p) {
    if (policy.maxRetries() < -1) {
      p.error(
          key + ".max_retries", "must be -1 (retry forever) or more, got " + policy.maxRetries());
    }
    Duration initial = delay(policy.initialDelay(), minDelay, key + ".initial_delay", p);
    Duration max = delay(policy.maxDelay(), minDelay, key + ".max_delay", p);
    if (initial != null && max != null && max.compareTo(initial) < 0) {
      p.error(
          key + ".max_delay",
          "must be at least initial_delay (" + fmt(initial) + "), got " + fmt(max));
    }
    return new BindRetryPolicy(policy.maxRetries(), initial, max);
  }

  static void readableFile(Path file, boolean required, String key, Problems p) {
    if (file == null) {
      if (required) {
        p.error(key, "missing required key");
      }
    } else if (!Files.exists(file)) {
      p.error(key, "file not found: " + file.toAbsolutePath());
    } else if (!Files.isRegularFile(file)) {
      p.error(key, "not a regular file: " + file.toAbsolutePath());
    } else if (!Files.isReadable(file)) {
      p.error(key, "file not readable: " + file.toAbsolutePath());
    }
  }

  static String fmt(Duration d) {
    return Durations.format(d);
  }
}

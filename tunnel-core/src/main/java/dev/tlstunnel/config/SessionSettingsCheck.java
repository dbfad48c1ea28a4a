package dev.tlstunnel.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks of the settings that shape a session rather than what it publishes: the pinned server
 * fingerprint, keep-alive and reconnect. Part of {@link ConfigValidator}.
 */
final class SessionSettingsCheck {
  private SessionSettingsCheck() {}

  private static final Pattern FINGERPRINT =
      Pattern.compile("sha256:([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}");

  /** {@code sha256:} and 32 hex bytes, with or without colons; normalized to lower case. */
  static String fingerprint(String value, String key, Problems p) {
    if (value == null) {
      return null;
    }
    if (!FINGERPRINT.matcher(value).matches()) {
      p.error(
          key, "must be 'sha256:' followed by 64 hex digits (colons allowed), got '" + value + "'");
      return value;
    }
    return value.toLowerCase(Locale.ROOT);
  }

  static KeepAlive keepAlive(KeepAlive k, String section, Problems p) {
    KeepAlive keepAlive = k == null ? KeepAlive.DEFAULT : k;
    if (keepAlive.interval().toMillis() <= 0) {
      p.error(
          section + ".keepalive_interval",
          "must be positive, got " + Durations.format(keepAlive.interval()));
    } else if (keepAlive.timeout().compareTo(keepAlive.interval()) <= 0) {
      p.error(
          section + ".keepalive_timeout",
          "must be longer than keepalive_interval ("
              + Durations.format(keepAlive.interval())
              + "), got "
              + Durations.format(keepAlive.timeout()));
    }
    return keepAlive;
  }

  static ReconnectPolicy reconnect(ReconnectPolicy r, String key, Problems p) {
    ReconnectPolicy policy = r == null ? ReconnectPolicy.DEFAULT : r;
    if (policy.initialDelay().toMillis() <= 0) {
      p.error(
          key + ".initial_delay",
          "must be positive, got " + Durations.format(policy.initialDelay()));
    } else if (policy.maxDelay().compareTo(policy.initialDelay()) < 0) {
      p.error(
          key + ".max_delay",
          "must be at least initial_delay ("
              + Durations.format(policy.initialDelay())
              + "), got "
              + Durations.format(policy.maxDelay()));
    }
    return policy;
  }
}

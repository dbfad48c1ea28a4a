package dev.tlstunnel.config;

import java.time.Duration;

/**
 * How a running server or client takes a changed configuration ({@code [server]} and {@code
 * [client]} keys {@code watch}, {@code watch_interval}, {@code log_level}; the server's {@code
 * key_rotation_window}).
 *
 * @param watch whether the configuration file is polled (its modification time and content hash)
 *     and reloaded when it changes
 * @param watchInterval how often the file is polled
 * @param logLevel the log level of tls-tunnel's own loggers ({@code error}, {@code warn}, {@code
 *     info}, {@code debug}, {@code trace}), or null to leave it to the application; the library
 *     itself only carries it (the command line applies it)
 * @param keyRotationWindow server: after a reload changed the auth key, how long the previous key
 *     is still accepted (0: not at all); not used by a client
 */
public record ReloadConfig(
    boolean watch, Duration watchInterval, String logLevel, Duration keyRotationWindow) {

  /** Poll every 2 s. */
  public static final Duration DEFAULT_WATCH_INTERVAL = Duration.ofSeconds(2);

  /** The previous key works for an hour after it was replaced. */
  public static final Duration DEFAULT_KEY_ROTATION_WINDOW = Duration.ofHours(1);

  /** The log levels {@link #logLevel()} may name. */
  public static final java.util.List<String> LOG_LEVELS =
      java.util.List.of("error", "warn", "info", "debug", "trace");

  /** No watching, the application's log level, a one-hour key rotation window. */
  public static final ReloadConfig DEFAULT =
      new ReloadConfig(false, DEFAULT_WATCH_INTERVAL, null, DEFAULT_KEY_ROTATION_WINDOW);

  public ReloadConfig {
    watchInterval = watchInterval == null ? DEFAULT_WATCH_INTERVAL : watchInterval;
    keyRotationWindow = keyRotationWindow == null ? DEFAULT_KEY_ROTATION_WINDOW : keyRotationWindow;
  }

  /** A copy that watches the file ({@code watch = true}) every {@code interval}. */
  public ReloadConfig watching(Duration interval) {
    return new ReloadConfig(true, interval, logLevel, keyRotationWindow);
  }

  /** A copy with another log level (null: the application's). */
  public ReloadConfig withLogLevel(String level) {
    return new ReloadConfig(watch, watchInterval, level, keyRotationWindow);
  }

  /** A copy with another key rotation window. */
  public ReloadConfig withKeyRotationWindow(Duration window) {
    return new ReloadConfig(watch, watchInterval, logLevel, window);
  }
}

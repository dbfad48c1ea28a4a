package dev.tlstunnel.config;

import java.time.Duration;
import java.util.Locale;

/** Checks of {@link ReloadConfig}; part of {@link ConfigValidator}. */
final class ReloadCheck {
  /** The shortest poll interval of a watched file. */
  static final Duration MIN_WATCH_INTERVAL = Duration.ofMillis(100);

  private ReloadCheck() {}

  /**
   * @param section {@code server} or {@code client}
   */
  static ReloadConfig check(ReloadConfig r, String section, Problems p) {
    ReloadConfig reload = r == null ? ReloadConfig.DEFAULT : r;
    Duration interval =
        Checks.delay(reload.watchInterval(), MIN_WATCH_INTERVAL, section + ".watch_interval", p);
    String level = reload.logLevel();
    if (level != null) {
      level = level.toLowerCase(Locale.ROOT);
      if (!ReloadConfig.LOG_LEVELS.contains(level)) {
        p.error(
            section + ".log_level",
            "must be one of error, warn, info, debug or trace, got '" + reload.logLevel() + "'");
      }
    }
    Duration window =
        Checks.duration(
            reload.keyRotationWindow(),
            ReloadConfig.DEFAULT_KEY_ROTATION_WINDOW,
            true,
            section + "." + ReloadToml.KEY_ROTATION_WINDOW,
            p);
    return new ReloadConfig(reload.watch(), interval, level, window);
  }
}

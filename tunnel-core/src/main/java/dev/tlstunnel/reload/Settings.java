package dev.tlstunnel.reload;

import dev.tlstunnel.ReloadResult.Action;
import dev.tlstunnel.config.ReloadConfig;

/** The settings both sides compare the same way. */
final class Settings {
  private Settings() {}

  /** {@code watch}, {@code watch_interval}, {@code log_level} and the server's rotation window. */
  static void reload(
      PlanBuilder plan, String section, ReloadConfig a, ReloadConfig b, boolean server) {
    Action u = Action.UPDATE;
    plan.setting(section + ".watch", a.watch(), b.watch(), u, null)
        .setting(section + ".watch_interval", a.watchInterval(), b.watchInterval(), u, null)
        .setting(section + ".log_level", a.logLevel(), b.logLevel(), u, null);
    if (server) {
      plan.setting(
          section + ".key_rotation_window", a.keyRotationWindow(), b.keyRotationWindow(), u, null);
    }
  }
}

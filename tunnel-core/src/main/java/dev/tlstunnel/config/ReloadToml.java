package dev.tlstunnel.config;

/**
 * Maps the reload keys of {@code [server]} and {@code [client]} onto {@link ReloadConfig}; value
 * rules are {@link ReloadCheck}'s.
 */
final class ReloadToml {
  /** The server's further key. */
  static final String KEY_ROTATION_WINDOW = "key_rotation_window";

  private ReloadToml() {}

  static ReloadConfig server(TomlTable s) {
    return new ReloadConfig(
        Boolean.TRUE.equals(s.bool("watch")),
        s.duration("watch_interval"),
        s.string("log_level"),
        s.duration(KEY_ROTATION_WINDOW));
  }

  static ReloadConfig client(TomlTable c) {
    return new ReloadConfig(
        Boolean.TRUE.equals(c.bool("watch")),
        c.duration("watch_interval"),
        c.string("log_level"),
        null);
  }
}

package dev.tlstunnel.config;

import java.util.Locale;

/**
 * What a proxy's local service speaks. Every type is relayed byte for byte; the type only picks the
 * default of a {@code health_check} without {@code type}: {@link #HTTP_1_1} probes with HTTP,
 * {@link #SSH} connects and waits for the SSH banner, {@link #TCP} and {@link #HTTP_2_0} just
 * connect.
 */
public enum ProxyType {
  TCP("tcp"),
  HTTP_1_1("http/1.1"),
  HTTP_2_0("http/2.0"),
  SSH("ssh");

  private final String configName;

  ProxyType(String configName) {
    this.configName = configName;
  }

  /** The name used in config files and on the wire. */
  public String configName() {
    return configName;
  }

  /** Parses a config name, case-insensitively; null when unknown. */
  public static ProxyType fromConfigName(String value) {
    for (ProxyType t : values()) {
      if (t.configName.equals(value.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    return null;
  }
}

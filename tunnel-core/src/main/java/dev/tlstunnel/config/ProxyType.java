package dev.tlstunnel.config;

import java.util.Locale;

/** How the client treats connections of a proxy. Only {@link #TCP} changes nothing yet. */
public enum ProxyType {
  TCP("tcp"),
  HTTP_1_1("http/1.1"),
  HTTP_2_0("http/2.0");

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

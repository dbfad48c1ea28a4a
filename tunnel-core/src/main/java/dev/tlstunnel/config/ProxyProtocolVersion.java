package dev.tlstunnel.config;

import java.util.Locale;

/**
 * The PROXY protocol header a proxy's client writes to the local service before the public
 * connection's bytes ({@code proxy_protocol} of {@code [[proxies]]}), carrying the public peer's
 * address: HAProxy's text version 1 or binary version 2.
 */
public enum ProxyProtocolVersion {
  V1,
  V2;

  /** The name in config files: {@code v1}, {@code v2}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The version with this config name (any case), or null. */
  public static ProxyProtocolVersion fromConfigName(String name) {
    for (ProxyProtocolVersion v : values()) {
      if (v.configName().equals(name.toLowerCase(Locale.ROOT))) {
        return v;
      }
    }
    return null;
  }
}

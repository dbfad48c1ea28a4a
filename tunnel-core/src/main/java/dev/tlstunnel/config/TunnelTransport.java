package dev.tlstunnel.config;

import java.util.Locale;

/**
 * What carries the tunnel's yamux byte stream between client and server ({@code transport}).
 * Everything above yamux is the same on each.
 */
public enum TunnelTransport {
  /** yamux directly over TLS. */
  TLS("tls"),
  /** A WebSocket (binary frames) over TLS, or over cleartext HTTP behind a reverse proxy. */
  WSS("wss"),
  /** One HTTP/2 CONNECT stream over TLS (ALPN {@code h2}), or over cleartext h2c behind a proxy. */
  H2("h2");

  private final String configName;

  TunnelTransport(String configName) {
    this.configName = configName;
  }

  /** The name in config files, status output and logs. */
  public String configName() {
    return configName;
  }

  /** Whether the tunnel is an HTTP exchange (a proxy can carry it, headers can name the client). */
  public boolean http() {
    return this != TLS;
  }

  /** Parses a config name, case-insensitively; null when unknown. */
  public static TunnelTransport fromConfigName(String value) {
    for (TunnelTransport t : values()) {
      if (t.configName.equals(value.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    return null;
  }
}

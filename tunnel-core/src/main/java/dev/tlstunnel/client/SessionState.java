package dev.tlstunnel.client;

import java.util.Locale;

/** Where a client's connection to its server stands. */
public enum SessionState {
  /** Dialing, in the TLS handshake, or authenticating. */
  CONNECTING,
  /** Authenticated: proxies are registered and served. */
  CONNECTED,
  /** Not connected; waiting before the next attempt (or ended, when the client has stopped). */
  DISCONNECTED,
  /** Closed on request. */
  CLOSED;

  /** The name in JSON and the status table: {@code connected}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The state with this {@link #wireName()}, or null when unknown. */
  public static SessionState fromWireName(String name) {
    for (SessionState s : values()) {
      if (s.wireName().equals(name)) {
        return s;
      }
    }
    return null;
  }
}

package dev.tlstunnel;

import java.util.Locale;

/**
 * The state of one proxy, as the server reports it and the client shows it. The set may grow in
 * later versions; code that switches on it should have a default branch.
 */
public enum ProxyStatus {
  /** Registered or about to be, with no answer from the server yet (or binding right now). */
  PENDING,
  /** Listening on its published port. */
  HEALTHY,
  /** Temporarily unavailable: the bind failed and a retry is scheduled. */
  UNHEALTHY,
  /** The server gave up binding it after its last retry. */
  BIND_FAILED,
  /** The server refused to register it (e.g. its name or port is held by another client). */
  REJECTED,
  /**
   * Listening, but its local service fails its {@code health_check}: the server refuses its
   * connections (or, in a group, sends them to the other members) until the service recovers.
   */
  LOCAL_UNHEALTHY;

  /** The name in JSON, logs and the status table: {@code bind_failed}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Whether the proxy failed for good in this session: {@link #BIND_FAILED} or {@link #REJECTED}.
   */
  public boolean isFinalFailure() {
    return this == BIND_FAILED || this == REJECTED;
  }

  /** The status with this {@link #wireName()}, or null when unknown (a newer peer's status). */
  public static ProxyStatus fromWireName(String name) {
    for (ProxyStatus s : values()) {
      if (s.wireName().equals(name)) {
        return s;
      }
    }
    return null;
  }
}

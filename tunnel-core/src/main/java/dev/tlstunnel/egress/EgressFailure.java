package dev.tlstunnel.egress;

import java.util.Locale;

/**
 * Why a forwarded connection could not be made; the wire name travels in the server's egress reply,
 * and each front end maps it to its own answer (HTTP status, SOCKS5 reply code).
 */
public enum EgressFailure {
  /** The policy or a routing rule refuses the target. HTTP 403, SOCKS5 0x02. */
  NOT_ALLOWED,
  /** The name does not resolve. HTTP 502, SOCKS5 0x04. */
  DNS_FAILED,
  /** The target refused the connection. HTTP 502, SOCKS5 0x05. */
  REFUSED,
  /** No route to the target's network or host. HTTP 502, SOCKS5 0x04 (0x03 for a network). */
  UNREACHABLE,
  /** The connect did not complete in time. HTTP 504, SOCKS5 0x04. */
  TIMEOUT,
  /** The tunnel is down or egress is not offered. HTTP 502, SOCKS5 0x01. */
  TUNNEL_UNAVAILABLE,
  /** Anything else. HTTP 502, SOCKS5 0x01. */
  FAILED;

  /** {@code not_allowed}, {@code dns_failed}... */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The failure a wire name stands for; {@link #FAILED} for names this version does not know. */
  public static EgressFailure fromWire(String name) {
    if (name != null) {
      for (EgressFailure f : values()) {
        if (f.wireName().equals(name)) {
          return f;
        }
      }
    }
    return FAILED;
  }
}

package dev.tlstunnel.config;

import java.time.Duration;

/**
 * Dead-peer detection: each side pings the other every {@code interval} and drops the session when
 * nothing (no answer, no traffic) arrived within {@code timeout}.
 */
public record KeepAlive(Duration interval, Duration timeout) {
  /** Ping every 10 s, give up after 30 s of silence. */
  public static final KeepAlive DEFAULT =
      new KeepAlive(Duration.ofSeconds(10), Duration.ofSeconds(30));
}

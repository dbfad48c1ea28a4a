package dev.tlstunnel.config;

import java.time.Duration;

/**
 * How the client comes back after the tunnel drops or the server is unreachable: retry forever,
 * waiting {@code initialDelay} doubling to {@code maxDelay}, with jitter. An authentication failure
 * ends the client unless {@code retryOnAuthFailure}.
 *
 * @param enabled false makes the client exit instead (code 4)
 */
public record ReconnectPolicy(
    boolean enabled, Duration initialDelay, Duration maxDelay, boolean retryOnAuthFailure) {

  /** Reconnect forever, 1 s doubling to 30 s; an authentication failure is final. */
  public static final ReconnectPolicy DEFAULT =
      new ReconnectPolicy(true, Duration.ofSeconds(1), Duration.ofSeconds(30), false);

  /** The wait before reconnect attempt {@code attempt} (1-based), before jitter. */
  public Duration delayBeforeAttempt(int attempt) {
    BindRetryPolicy doubling = new BindRetryPolicy(-1, initialDelay, maxDelay);
    return doubling.delayBeforeRetry(Math.max(1, attempt));
  }
}

package dev.tlstunnel.config;

import java.time.Duration;

/**
 * How a proxy retries a failed bind: {@code maxRetries} retries after the first attempt (-1 for no
 * limit), waiting {@code initialDelay} before the first retry and doubling up to {@code maxDelay}.
 */
public record BindRetryPolicy(int maxRetries, Duration initialDelay, Duration maxDelay) {

  /** 10 retries, 2 s doubling to 60 s: 2, 4, 8, 16, 32, 60, 60, 60, 60, 60 seconds. */
  public static final BindRetryPolicy DEFAULT =
      new BindRetryPolicy(10, Duration.ofSeconds(2), Duration.ofSeconds(60));

  /** Whether this policy retries without limit. */
  public boolean unlimited() {
    return maxRetries < 0;
  }

  /**
   * The wait before retry number {@code retry} (1-based): {@code initialDelay * 2^(retry-1)},
   * capped at {@code maxDelay}.
   */
  public Duration delayBeforeRetry(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry numbers start at 1, got " + retry);
    }
    long initial = initialDelay.toNanos();
    long cap = maxDelay.toNanos();
    int shift = Math.min(retry - 1, 62);
    long delay = initial > (cap >> shift) ? cap : initial << shift;
    return Duration.ofNanos(Math.min(delay, cap));
  }

  /** Whether another retry is allowed after {@code retriesDone} retries. */
  public boolean allowsRetry(int retriesDone) {
    return unlimited() || retriesDone < maxRetries;
  }
}

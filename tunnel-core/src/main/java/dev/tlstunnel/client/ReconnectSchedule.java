package dev.tlstunnel.client;

import dev.tlstunnel.config.ReconnectPolicy;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The waits between reconnect attempts: the policy's doubling delay, spread by ±{@value
 * #JITTER_PERCENT}% so that many clients cut off together do not come back in lockstep.
 */
final class ReconnectSchedule {
  static final int JITTER_PERCENT = 20;

  private final ReconnectPolicy policy;
  private final DoubleSupplier random;

  /**
   * @param random uniform values in [0, 1); seed it in tests
   */
  ReconnectSchedule(ReconnectPolicy policy, DoubleSupplier random) {
    this.policy = policy;
    this.random = random;
  }

  /** The same jitter with another policy (a reload changed it). */
  ReconnectSchedule with(ReconnectPolicy next) {
    return new ReconnectSchedule(next, random);
  }

  /** The wait before reconnect attempt {@code attempt} (1-based). */
  Duration delayBefore(int attempt) {
    long base = policy.delayBeforeAttempt(attempt).toNanos();
    double spread = JITTER_PERCENT / 100.0 * (2 * random.getAsDouble() - 1);
    return Duration.ofNanos(Math.max(0, Math.round(base * (1 + spread))));
  }
}

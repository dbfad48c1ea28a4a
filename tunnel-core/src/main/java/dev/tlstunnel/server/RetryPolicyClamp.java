package dev.tlstunnel.server;

import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.protocol.BindRetrySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fits the retry policy a client asks for into the server's limits: no more retries than the server
 * allows (unless the server retries forever), no longer waits than the server's {@code max_delay},
 * and no first wait under 100 ms (or the server's own first wait, if shorter).
 */
final class RetryPolicyClamp {
  static final Duration MIN_DELAY = Duration.ofMillis(100);

  /** The policy in force and, when anything was changed, a note saying what. */
  record Result(BindRetryPolicy policy, String note) {}

  private RetryPolicyClamp() {}

  static Result clamp(BindRetryPolicy server, BindRetrySpec asked) {
    if (asked == null) {
      return new Result(server, null);
    }
    List<String> notes = new ArrayList<>();
    int retries = asked.maxRetries();
    if (!server.unlimited() && (retries < 0 || retries > server.maxRetries())) {
      notes.add(
          "max_retries "
              + (retries < 0 ? "-1 (forever)" : retries)
              + " clamped to the server's limit "
              + server.maxRetries());
      retries = server.maxRetries();
    }
    Duration maxDelay = Duration.ofMillis(asked.maxDelayMs());
    if (maxDelay.compareTo(server.maxDelay()) > 0) {
      notes.add(
          "max_delay "
              + ProxyListener.seconds(maxDelay)
              + "s clamped to the server's limit "
              + ProxyListener.seconds(server.maxDelay())
              + "s");
      maxDelay = server.maxDelay();
    }
    Duration initial = Duration.ofMillis(asked.initialDelayMs());
    Duration floor =
        MIN_DELAY.compareTo(server.initialDelay()) < 0 ? MIN_DELAY : server.initialDelay();
    if (initial.compareTo(floor) < 0) {
      notes.add("initial_delay raised to the minimum " + ProxyListener.seconds(floor) + "s");
      initial = floor;
    }
    if (initial.compareTo(maxDelay) > 0) {
      notes.add("initial_delay lowered to max_delay " + ProxyListener.seconds(maxDelay) + "s");
      initial = maxDelay;
    }
    if (maxDelay.compareTo(initial) < 0) {
      maxDelay = initial;
    }
    String note = notes.isEmpty() ? null : "bind_retry: " + String.join("; ", notes);
    return new Result(new BindRetryPolicy(retries, initial, maxDelay), note);
  }

  static BindRetrySpec toSpec(BindRetryPolicy policy) {
    return new BindRetrySpec(
        policy.maxRetries(), policy.initialDelay().toMillis(), policy.maxDelay().toMillis());
  }
}

package dev.tlstunnel.client;

import dev.tlstunnel.common.Counts;
import dev.tlstunnel.config.Addresses;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client's one log line per change of a proxy's state on the server. */
final class ProxyChangeLog {
  private static final Logger log = LoggerFactory.getLogger(ProxyStateTracker.class);

  private ProxyChangeLog() {}

  static void log(ProxyState s) {
    switch (s.status()) {
      case HEALTHY -> {
        if (s.publishAddr() == null) {
          log.info("Proxy '{}' ready on server for visitors (private)", s.name());
          return;
        }
        log.info(
            "Proxy '{}' healthy on server: listening on {}{}",
            s.name(),
            Addresses.hostPort(s.publishAddr(), s.publishPort()),
            s.attempt() != null && s.attempt() > 1
                ? " (after " + Counts.retries(s.attempt() - 1) + ")"
                : "");
      }
      case UNHEALTHY ->
          log.warn("Proxy '{}' unhealthy on server{}{}", s.name(), errorSuffix(s), retrySuffix(s));
      case LOCAL_UNHEALTHY ->
          log.warn(
              "Proxy '{}' local service unhealthy{}; the server sends it no connections until it"
                  + " recovers",
              s.name(),
              errorSuffix(s));
      default ->
          log.error(
              "Proxy '{}' bind failed on server{}{}", s.name(), errorSuffix(s), gaveUpSuffix(s));
    }
  }

  private static String errorSuffix(ProxyState s) {
    return s.error() == null ? "" : ": " + s.error();
  }

  /** {@code " (attempt 1/10, retrying in 2s)"}, or what of it is known. */
  private static String retrySuffix(ProxyState s) {
    List<String> parts = new ArrayList<>(2);
    if (s.attempt() != null) {
      boolean bounded = s.maxRetries() != null && s.maxRetries() >= 0;
      parts.add("attempt " + s.attempt() + (bounded ? "/" + s.maxRetries() : ""));
    }
    if (s.retryAfter() != null) {
      parts.add("retrying in " + seconds(s.retryAfter()) + "s");
    }
    return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
  }

  /** {@code " (gave up after 10 retries)"}: the attempts after the first one. */
  private static String gaveUpSuffix(ProxyState s) {
    Integer retries = s.attempt() != null ? Integer.valueOf(s.attempt() - 1) : s.maxRetries();
    return retries == null || retries < 0 ? "" : " (gave up after " + Counts.retries(retries) + ")";
  }

  /** {@code 2 s -> "2"}, {@code 250 ms -> "0.25"}. */
  static String seconds(Duration d) {
    return BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString();
  }
}

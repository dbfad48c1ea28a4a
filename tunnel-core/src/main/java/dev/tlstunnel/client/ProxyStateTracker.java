package dev.tlstunnel.client;

import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.protocol.ProxyRegistrationResult;
import dev.tlstunnel.protocol.ProxyStatus;
import dev.tlstunnel.protocol.ProxyStatusUpdate;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest {@link ProxyState} of every configured proxy, fed by the server's registration results
 * and {@code proxy_status_update} messages. Each change is logged once and passed to the listeners.
 *
 * <p>Writers (the tunnel's event loop) are serialized by this object's monitor; readers (the admin
 * API) see an immutable map published through a volatile field, so a snapshot is always consistent.
 */
final class ProxyStateTracker {

  static final String PENDING = "pending";
  static final String REJECTED = "rejected";

  private static final Logger log = LoggerFactory.getLogger(ProxyStateTracker.class);

  private final Map<String, ProxyConfig> configs;
  private final Clock clock;
  private final List<Consumer<ProxyState>> listeners = new CopyOnWriteArrayList<>();
  private volatile Map<String, ProxyState> states;

  /** Tracks {@code proxies}, all {@code pending}, in configuration order. */
  ProxyStateTracker(List<ProxyConfig> proxies, Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    Map<String, ProxyConfig> byName = new LinkedHashMap<>();
    Map<String, ProxyState> initial = new LinkedHashMap<>();
    String now = now().toString();
    for (ProxyConfig proxy : proxies) {
      byName.put(proxy.name(), proxy);
      initial.put(proxy.name(), pending(proxy, now));
    }
    this.configs = byName;
    this.states = initial;
  }

  /** Registers a listener called, on the writer's thread, with every changed state. */
  void onChange(Consumer<ProxyState> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Applies the server's answer to a proxy registration. */
  synchronized void onRegistrationResult(ProxyRegistrationResult result) {
    ProxyState current = states.get(result.proxyName());
    if (current == null) {
      log.debug("Ignoring registration result for unknown proxy '{}'", result.proxyName());
      return;
    }
    String now = now().toString();
    if (!result.accepted()) {
      log.warn("Proxy '{}' rejected by server: {}", result.proxyName(), result.reason());
      ProxyConfig config = configs.get(result.proxyName());
      apply(
          new ProxyState(
              config.name(),
              REJECTED,
              config.publishAddr(),
              config.publishPort(),
              current.local(),
              result.reason(),
              null,
              null,
              null,
              null,
              now));
      return;
    }
    if (result.note() == null || result.note().isBlank()) {
      log.info("Proxy '{}' accepted by server", result.proxyName());
    } else {
      log.info("Proxy '{}' accepted by server ({})", result.proxyName(), result.note());
    }
    if (REJECTED.equals(current.status())) {
      apply(pending(configs.get(result.proxyName()), now));
    }
  }

  /** Applies a {@code proxy_status_update}; unknown proxies and unknown statuses are ignored. */
  synchronized void onStatusUpdate(ProxyStatusUpdate update) {
    ProxyState current = states.get(update.proxyName());
    if (current == null) {
      log.debug("Ignoring status update for unknown proxy '{}'", update.proxyName());
      return;
    }
    if (update.status() == null) {
      log.debug("Ignoring status update with unknown status for proxy '{}'", update.proxyName());
      return;
    }
    Instant now = now();
    boolean retrying = update.status() == ProxyStatus.UNHEALTHY;
    Double retryAfter = retrying ? update.retryAfterSeconds() : null;
    String nextRetryAt =
        retryAfter == null ? null : now.plusNanos(Math.round(retryAfter * 1e9)).toString();
    ProxyState next =
        new ProxyState(
            current.name(),
            update.status().wireName(),
            update.publishAddr() != null ? update.publishAddr() : current.publishAddr(),
            update.publishPort() != null ? update.publishPort() : current.publishPort(),
            current.local(),
            update.status() == ProxyStatus.HEALTHY ? null : update.errorMessage(),
            retryAfter,
            nextRetryAt,
            update.attempt(),
            update.maxRetries(),
            now.toString());
    if (sameApartFromTime(current, next)) {
      return;
    }
    logUpdate(next);
    apply(next);
  }

  /** The session ended: every proxy is {@code pending} again until the next session reports. */
  synchronized void onSessionLost() {
    String now = now().toString();
    for (ProxyConfig config : configs.values()) {
      if (!PENDING.equals(states.get(config.name()).status())) {
        apply(pending(config, now));
      }
    }
  }

  /** Every proxy's latest state, in configuration order. */
  List<ProxyState> snapshot() {
    return List.copyOf(states.values());
  }

  /** Whether any proxy has failed for good: {@code bind_failed} or {@code rejected}. */
  boolean anyFailed() {
    for (ProxyState state : states.values()) {
      if (isFailed(state)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code state} is final failure: {@code bind_failed} or {@code rejected}. */
  static boolean isFailed(ProxyState state) {
    return ProxyStatus.BIND_FAILED.wireName().equals(state.status())
        || REJECTED.equals(state.status());
  }

  private void apply(ProxyState next) {
    Map<String, ProxyState> copy = new LinkedHashMap<>(states);
    copy.put(next.name(), next);
    states = copy;
    for (Consumer<ProxyState> listener : listeners) {
      try {
        listener.accept(next);
      } catch (RuntimeException e) {
        log.warn("Proxy state listener failed for proxy '{}'", next.name(), e);
      }
    }
  }

  private static void logUpdate(ProxyState s) {
    switch (s.status()) {
      case "healthy":
        if (s.publishAddr() == null) {
          log.info("Proxy '{}' ready on server for visitors (private)", s.name());
          break;
        }
        log.info(
            "Proxy '{}' healthy on server: listening on {}{}",
            s.name(),
            hostPort(s.publishAddr(), s.publishPort()),
            s.attempt() != null && s.attempt() > 1
                ? " (after " + (s.attempt() - 1) + " retries)"
                : "");
        break;
      case "unhealthy":
        log.warn("Proxy '{}' unhealthy on server{}{}", s.name(), errorSuffix(s), retrySuffix(s));
        break;
      default:
        log.error(
            "Proxy '{}' bind failed on server{}{}", s.name(), errorSuffix(s), gaveUpSuffix(s));
        break;
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
    if (s.retryAfterSeconds() != null) {
      parts.add("retrying in " + seconds(s.retryAfterSeconds()) + "s");
    }
    return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
  }

  /** {@code " (gave up after 10 retries)"}: the attempts after the first one. */
  private static String gaveUpSuffix(ProxyState s) {
    Integer retries = s.attempt() != null ? Integer.valueOf(s.attempt() - 1) : s.maxRetries();
    return retries == null || retries < 0 ? "" : " (gave up after " + retries + " retries)";
  }

  /** {@code 2.0 -> "2"}, {@code 0.25 -> "0.25"}. */
  static String seconds(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  private static String hostPort(String addr, int port) {
    boolean ipv6 = addr != null && addr.indexOf(':') >= 0 && !addr.startsWith("[");
    return (ipv6 ? "[" + addr + "]" : addr) + ":" + port;
  }

  private static boolean sameApartFromTime(ProxyState a, ProxyState b) {
    return a.status().equals(b.status())
        && Objects.equals(a.publishAddr(), b.publishAddr())
        && a.publishPort() == b.publishPort()
        && Objects.equals(a.error(), b.error())
        && Objects.equals(a.retryAfterSeconds(), b.retryAfterSeconds())
        && Objects.equals(a.attempt(), b.attempt())
        && Objects.equals(a.maxRetries(), b.maxRetries());
  }

  private static ProxyState pending(ProxyConfig config, String now) {
    String local = hostPort(config.localAddr(), config.localPort());
    return new ProxyState(
        config.name(),
        PENDING,
        config.publishAddr(),
        config.publishPort(),
        local,
        null,
        null,
        null,
        null,
        null,
        now);
  }

  private Instant now() {
    return clock.instant();
  }
}

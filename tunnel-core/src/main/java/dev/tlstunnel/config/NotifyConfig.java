package dev.tlstunnel.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One fault notification target ({@code [[server.notify]]}, {@code [[client.notify]]}): a webhook
 * ({@code url}, POSTed the event as JSON, signed with HMAC-SHA256 when {@code secret} is set) or a
 * command ({@code exec}, given the event as JSON on its standard input). Deliveries wait in a
 * bounded queue and are retried with doubling delays; a slow or dead receiver never slows the
 * tunnel.
 *
 * @param url the webhook's {@code http://} or {@code https://} URL, or null for a command
 * @param exec the command and its arguments, or empty for a webhook
 * @param events the event names to send ({@link #EVENTS}); empty for all
 * @param secret the HMAC-SHA256 key of the {@code X-Tls-Tunnel-Signature} header, or null
 * @param timeout how long one delivery may take
 * @param retries retries after a failed delivery
 * @param retryDelay the wait before the first retry, doubling after each
 * @param queueSize events that may wait for delivery; more are dropped and counted
 */
public record NotifyConfig(
    URI url,
    List<String> exec,
    Set<String> events,
    String secret,
    Duration timeout,
    int retries,
    Duration retryDelay,
    int queueSize) {

  /** The events a target may ask for. */
  public static final List<String> EVENTS =
      List.of(
          "proxy_unhealthy",
          "proxy_bind_failed",
          "proxy_recovered",
          "client_connected",
          "client_disconnected",
          "visitor_refused");

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final int DEFAULT_RETRIES = 3;
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(1);
  public static final int DEFAULT_QUEUE_SIZE = 1000;

  public NotifyConfig {
    exec = exec == null ? List.of() : List.copyOf(exec);
    events = events == null ? Set.of() : Set.copyOf(events);
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    retryDelay = retryDelay == null ? DEFAULT_RETRY_DELAY : retryDelay;
  }

  /** A webhook with the defaults, for every event. */
  public static NotifyConfig webhook(URI url, String secret) {
    return new NotifyConfig(
        url,
        List.of(),
        Set.of(),
        secret,
        DEFAULT_TIMEOUT,
        DEFAULT_RETRIES,
        DEFAULT_RETRY_DELAY,
        DEFAULT_QUEUE_SIZE);
  }

  /** Whether {@code event} is sent to this target. */
  public boolean wants(String event) {
    return events.isEmpty() || events.contains(event);
  }

  /** {@code webhook https://...} or {@code exec cmd}, without the secret. */
  public String describe() {
    return url != null ? "webhook " + url : "exec " + String.join(" ", exec);
  }

  @Override
  public String toString() {
    return "NotifyConfig["
        + describe()
        + ", events="
        + events
        + ", secret="
        + (secret == null ? "none" : "***")
        + ", timeout="
        + timeout
        + ", retries="
        + retries
        + ", retryDelay="
        + retryDelay
        + ", queueSize="
        + queueSize
        + "]";
  }
}

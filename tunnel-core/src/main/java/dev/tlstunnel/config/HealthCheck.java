package dev.tlstunnel.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the client checks a proxy's local service ({@code [proxies.health_check]}): a probe every
 * {@code interval} (jittered), each failing after {@code timeout}; {@code unhealthyAfter} failures
 * in a row make the proxy {@code local_unhealthy}, {@code healthyAfter} successes in a row make it
 * serve again. Validated as part of its proxy.
 *
 * @param type what a probe does
 * @param interval the time between the end of one probe and the start of the next (±10 % jitter)
 * @param timeout how long one probe may take
 * @param unhealthyAfter consecutive failures that make a serving proxy {@code local_unhealthy}
 * @param healthyAfter consecutive successes that make a {@code local_unhealthy} proxy serve again
 * @param path http, https: the request path
 * @param expectStatus http, https: accepted status codes, each {@code "200"} or {@code "200-299"};
 *     null accepts 200-399
 * @param expectBody http, https: text the response body must contain, or null
 * @param headers http, https: extra request headers (a {@code Host} header replaces the default)
 */
public record HealthCheck(
    Type type,
    Duration interval,
    Duration timeout,
    int unhealthyAfter,
    int healthyAfter,
    String path,
    List<String> expectStatus,
    String expectBody,
    Map<String, String> headers) {

  /** Default time between probes. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  /** Default probe timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

  /** Default consecutive failures before {@code local_unhealthy}. */
  public static final int DEFAULT_UNHEALTHY_AFTER = 3;

  /** Default consecutive successes before serving again. */
  public static final int DEFAULT_HEALTHY_AFTER = 2;

  /** What a probe does. */
  public enum Type {
    /** Connects to the local service; for {@code proxy_type = "ssh"} also reads its banner. */
    TCP,
    /** Sends an HTTP/1.1 {@code GET path} and checks the status (and body). */
    HTTP,
    /** The same over TLS; the service's certificate is not verified. */
    HTTPS;

    /** The name in config files: {@code tcp}, {@code http}, {@code https}. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The type with this config name (any case), or null. */
    public static Type fromConfigName(String name) {
      for (Type t : values()) {
        if (t.configName().equals(name.toLowerCase(Locale.ROOT))) {
          return t;
        }
      }
      return null;
    }
  }

  public HealthCheck {
    expectStatus = expectStatus == null ? null : List.copyOf(expectStatus);
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  /** A check of {@code type} with every default ({@code path = "/"} for http and https). */
  public static HealthCheck of(Type type) {
    return new HealthCheck(
        type,
        DEFAULT_INTERVAL,
        DEFAULT_TIMEOUT,
        DEFAULT_UNHEALTHY_AFTER,
        DEFAULT_HEALTHY_AFTER,
        type == Type.TCP ? null : "/",
        null,
        null,
        Map.of());
  }

  /** This check with another interval and timeout. */
  public HealthCheck withTiming(Duration everyInterval, Duration probeTimeout) {
    return new HealthCheck(
        type,
        everyInterval,
        probeTimeout,
        unhealthyAfter,
        healthyAfter,
        path,
        expectStatus,
        expectBody,
        headers);
  }

  /** This check with other thresholds. */
  public HealthCheck withThresholds(int failures, int successes) {
    return new HealthCheck(
        type, interval, timeout, failures, successes, path, expectStatus, expectBody, headers);
  }

  /** This check with another path, accepted statuses and expected body text (http, https). */
  public HealthCheck withHttp(String requestPath, List<String> statuses, String body) {
    return new HealthCheck(
        type,
        interval,
        timeout,
        unhealthyAfter,
        healthyAfter,
        requestPath,
        statuses,
        body,
        headers);
  }

  /** This check with extra request headers (http, https). */
  public HealthCheck withHeaders(Map<String, String> requestHeaders) {
    return new HealthCheck(
        type,
        interval,
        timeout,
        unhealthyAfter,
        healthyAfter,
        path,
        expectStatus,
        expectBody,
        requestHeaders);
  }
}

package dev.tlstunnel.client;

import dev.tlstunnel.visitor.ConnectedVisitor;
import java.util.List;

/**
 * The latest known state of one proxy, as the client sees it.
 *
 * @param name the proxy name
 * @param status {@code pending} (not yet answered), {@code healthy}, {@code unhealthy}, {@code
 *     bind_failed} or {@code rejected}
 * @param publishAddr the address the server publishes it on
 * @param publishPort the port the server publishes it on
 * @param local {@code host:port} of the local service
 * @param error the last error: the server's bind diagnosis or the rejection reason
 * @param retryAfterSeconds seconds until the server's next bind attempt, as announced
 * @param nextRetryAt ISO-8601 instant of the next bind attempt, when unhealthy
 * @param attempt the attempt the server last reported
 * @param maxRetries the retries the server allows, -1 for no limit
 * @param updatedAt ISO-8601 instant of the last change
 * @param visibility {@code public}, or {@code private} (no public port; visitors only)
 * @param connectedVisitors of a private proxy: the visitors with connections open right now
 */
public record ProxyState(
    String name,
    String status,
    String publishAddr,
    int publishPort,
    String local,
    String error,
    Double retryAfterSeconds,
    String nextRetryAt,
    Integer attempt,
    Integer maxRetries,
    String updatedAt,
    String visibility,
    List<ConnectedVisitor> connectedVisitors) {

  /** A state without visibility details (filled in by {@link #withVisitors}). */
  public ProxyState(
      String name,
      String status,
      String publishAddr,
      int publishPort,
      String local,
      String error,
      Double retryAfterSeconds,
      String nextRetryAt,
      Integer attempt,
      Integer maxRetries,
      String updatedAt) {
    this(
        name,
        status,
        publishAddr,
        publishPort,
        local,
        error,
        retryAfterSeconds,
        nextRetryAt,
        attempt,
        maxRetries,
        updatedAt,
        null,
        null);
  }

  /** This state with its visibility and, for a private proxy, the visitors connected to it. */
  public ProxyState withVisitors(String visibility, List<ConnectedVisitor> connectedVisitors) {
    return new ProxyState(
        name,
        status,
        publishAddr,
        publishPort,
        local,
        error,
        retryAfterSeconds,
        nextRetryAt,
        attempt,
        maxRetries,
        updatedAt,
        visibility,
        connectedVisitors == null ? null : List.copyOf(connectedVisitors));
  }
}

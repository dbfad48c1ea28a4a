package dev.tlstunnel.client;

import dev.tlstunnel.ConnectedVisitor;
import dev.tlstunnel.GroupState;
import dev.tlstunnel.ProxyStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The latest known state of one proxy, as the client sees it.
 *
 * @param name the proxy name
 * @param status {@code PENDING} until the server answered, then as the server reports it
 * @param publishAddr the address the server publishes it on
 * @param publishPort the port the server publishes it on (the real port once bound)
 * @param local {@code host:port} of the local service
 * @param error the last error: the server's bind diagnosis or the rejection reason, else null
 * @param retryAfter while {@code UNHEALTHY}: the wait the server announced before its next attempt
 * @param nextRetryAt while {@code UNHEALTHY}: when that attempt is due
 * @param attempt the attempt the server last reported (1 for the first), or null
 * @param maxRetries the retries the server allows after the first attempt, -1 for no limit, or null
 * @param updatedAt when this state was reached
 * @param visibility {@code public}, or {@code private} (no public port; visitors only); null when
 *     not known (a status from a client that predates private proxies)
 * @param connectedVisitors of a private proxy: the visitors with connections open right now
 * @param group of a proxy in a load-balancing group: the group and its members, as the server last
 *     reported them; else null
 */
public record ProxyState(
    String name,
    ProxyStatus status,
    String publishAddr,
    int publishPort,
    String local,
    String error,
    Duration retryAfter,
    Instant nextRetryAt,
    Integer attempt,
    Integer maxRetries,
    Instant updatedAt,
    String visibility,
    List<ConnectedVisitor> connectedVisitors,
    GroupState group) {

  /** A state in no load-balancing group. */
  public ProxyState(
      String name,
      ProxyStatus status,
      String publishAddr,
      int publishPort,
      String local,
      String error,
      Duration retryAfter,
      Instant nextRetryAt,
      Integer attempt,
      Integer maxRetries,
      Instant updatedAt,
      String visibility,
      List<ConnectedVisitor> connectedVisitors) {
    this(
        name,
        status,
        publishAddr,
        publishPort,
        local,
        error,
        retryAfter,
        nextRetryAt,
        attempt,
        maxRetries,
        updatedAt,
        visibility,
        connectedVisitors,
        null);
  }

  /** A state without visibility details (filled in by {@link #withVisitors}). */
  public ProxyState(
      String name,
      ProxyStatus status,
      String publishAddr,
      int publishPort,
      String local,
      String error,
      Duration retryAfter,
      Instant nextRetryAt,
      Integer attempt,
      Integer maxRetries,
      Instant updatedAt) {
    this(
        name,
        status,
        publishAddr,
        publishPort,
        local,
        error,
        retryAfter,
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
        retryAfter,
        nextRetryAt,
        attempt,
        maxRetries,
        updatedAt,
        visibility,
        connectedVisitors == null ? null : List.copyOf(connectedVisitors),
        group);
  }

  /** This state with the load-balancing group the server reported, or none. */
  public ProxyState withGroup(GroupState reported) {
    return new ProxyState(
        name,
        status,
        publishAddr,
        publishPort,
        local,
        error,
        retryAfter,
        nextRetryAt,
        attempt,
        maxRetries,
        updatedAt,
        visibility,
        connectedVisitors,
        reported);
  }
}

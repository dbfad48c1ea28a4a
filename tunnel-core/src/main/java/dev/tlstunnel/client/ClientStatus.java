package dev.tlstunnel.client;

import dev.tlstunnel.visitor.VisitorState;
import java.util.List;

/**
 * A snapshot of the client: its session and every proxy's latest state. Serialized as the admin
 * API's {@code GET /api/status} (snake_case JSON).
 *
 * @param clientId the client's id
 * @param server {@code host:port} of the server
 * @param sessionState {@code connecting}, {@code connected}, {@code disconnected} or {@code closed}
 * @param lastError the last session-level error, or null
 * @param nextAttemptAt ISO-8601 instant of the next reconnect attempt while {@code disconnected}
 *     and waiting, else null
 * @param reconnectAttempt the number of the next (or running) reconnect attempt since the session
 *     was last up, or null while connected
 * @param proxies every configured proxy, in configuration order
 * @param visitors every configured visitor, in configuration order
 */
public record ClientStatus(
    String clientId,
    String server,
    String sessionState,
    String lastError,
    String nextAttemptAt,
    Integer reconnectAttempt,
    List<ProxyState> proxies,
    List<VisitorState> visitors) {
  public ClientStatus {
    proxies = List.copyOf(proxies);
    visitors = visitors == null ? List.of() : List.copyOf(visitors);
  }

  /** A status without visitors. */
  public ClientStatus(
      String clientId,
      String server,
      String sessionState,
      String lastError,
      String nextAttemptAt,
      Integer reconnectAttempt,
      List<ProxyState> proxies) {
    this(
        clientId,
        server,
        sessionState,
        lastError,
        nextAttemptAt,
        reconnectAttempt,
        proxies,
        List.of());
  }

  /** A status without reconnect details. */
  public ClientStatus(
      String clientId,
      String server,
      String sessionState,
      String lastError,
      List<ProxyState> proxies) {
    this(clientId, server, sessionState, lastError, null, null, proxies);
  }
}

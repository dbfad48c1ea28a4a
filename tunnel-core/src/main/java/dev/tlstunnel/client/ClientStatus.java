package dev.tlstunnel.client;

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
 * @param transport how the server is reached: {@code tls}, {@code wss}, {@code h2}, with {@code via
 *     http proxy host:port} when through an outbound proxy
 * @param proxyUrl the outbound proxy's URL without its password, or null
 */
public record ClientStatus(
    String clientId,
    String server,
    String sessionState,
    String lastError,
    String nextAttemptAt,
    Integer reconnectAttempt,
    List<ProxyState> proxies,
    String transport,
    String proxyUrl) {
  public ClientStatus {
    proxies = List.copyOf(proxies);
  }

  /** A status without the transport (as an older client reports it). */
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
        null,
        null);
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

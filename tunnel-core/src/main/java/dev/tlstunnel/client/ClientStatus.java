package dev.tlstunnel.client;

import dev.tlstunnel.ForwarderState;
import dev.tlstunnel.VisitorState;
import java.time.Instant;
import java.util.List;

/**
 * A snapshot of the client: its session and every proxy's latest state. {@link #toJson()} is the
 * admin API's {@code GET /api/status} answer; {@link #fromJson(String)} reads it back.
 *
 * @param clientId the client's id
 * @param server {@code host:port} of the server
 * @param sessionState where the connection stands
 * @param lastError the last session-level error, or null
 * @param nextAttemptAt the next reconnect attempt while {@code DISCONNECTED} and waiting, else null
 * @param reconnectAttempt the number of the next (or running) reconnect attempt since the session
 *     was last up, or null while connected
 * @param proxies every configured proxy, in configuration order
 * @param transport how the server is reached: {@code tls}, {@code wss}, {@code h2}, with {@code via
 *     http proxy host:port} when through an outbound proxy; null from a client that predates it
 * @param proxyUrl the outbound proxy's URL without its password, or null
 * @param forwarders every configured forwarder, in configuration order
 * @param visitors every configured visitor, in configuration order
 */
public record ClientStatus(
    String clientId,
    String server,
    SessionState sessionState,
    String lastError,
    Instant nextAttemptAt,
    Integer reconnectAttempt,
    List<ProxyState> proxies,
    String transport,
    String proxyUrl,
    List<ForwarderState> forwarders,
    List<VisitorState> visitors) {
  public ClientStatus {
    proxies = List.copyOf(proxies);
    forwarders = forwarders == null ? List.of() : List.copyOf(forwarders);
    visitors = visitors == null ? List.of() : List.copyOf(visitors);
  }

  /** The state of the proxy named {@code name}, or null. */
  public ProxyState proxy(String name) {
    return proxies.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
  }

  /** This status as the admin API's JSON (snake_case fields, ISO-8601 instants, seconds). */
  public String toJson() {
    return StatusJson.write(this);
  }

  /**
   * Reads the admin API's JSON. Unknown fields are ignored and unknown status names read as null,
   * so that a status from a newer client still reads.
   *
   * @throws IllegalArgumentException when {@code json} is not such a status
   */
  public static ClientStatus fromJson(String json) {
    return StatusJson.read(json);
  }
}

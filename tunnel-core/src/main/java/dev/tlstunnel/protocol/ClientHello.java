package dev.tlstunnel.protocol;

/**
 * The first message of a session, client to server: protocol version, shared key and identity.
 *
 * @param protocolVersion the protocol version the client speaks ({@link Protocol#VERSION})
 * @param authKey the shared key; never logged
 * @param clientId a stable identity of the client (host name by default)
 * @param softwareVersion the client's software version, for the server's log
 * @param handoverFrom the client id of a live session of this client that this one takes over
 *     gracefully (a reload that reconnects): the server moves the proxies over at once and lets
 *     that session's open connections finish, instead of closing it; null for a plain connect
 */
public record ClientHello(
    int protocolVersion,
    String authKey,
    String clientId,
    String softwareVersion,
    String handoverFrom)
    implements ControlMessage {

  /** A plain connect, taking over nothing. */
  public ClientHello(int protocolVersion, String authKey, String clientId, String softwareVersion) {
    this(protocolVersion, authKey, clientId, softwareVersion, null);
  }

  @Override
  public String toString() {
    return "ClientHello[protocolVersion="
        + protocolVersion
        + ", clientId="
        + clientId
        + ", softwareVersion="
        + softwareVersion
        + (handoverFrom == null ? "" : ", handoverFrom=" + handoverFrom)
        + "]";
  }
}

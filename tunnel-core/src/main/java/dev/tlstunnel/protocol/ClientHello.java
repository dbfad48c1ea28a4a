package dev.tlstunnel.protocol;

/**
 * The first message of a session, client to server: protocol version, shared key and identity.
 *
 * @param protocolVersion the protocol version the client speaks ({@link Protocol#VERSION})
 * @param authKey the shared key; never logged
 * @param clientId a stable identity of the client (host name by default)
 * @param softwareVersion the client's software version, for the server's log
 */
public record ClientHello(
    int protocolVersion, String authKey, String clientId, String softwareVersion)
    implements ControlMessage {

  @Override
  public String toString() {
    return "ClientHello[protocolVersion="
        + protocolVersion
        + ", clientId="
        + clientId
        + ", softwareVersion="
        + softwareVersion
        + "]";
  }
}

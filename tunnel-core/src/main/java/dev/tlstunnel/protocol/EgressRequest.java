package dev.tlstunnel.protocol;

/**
 * A client's request to connect from the server ({@code kind = "egress"}): the server resolves
 * {@code host} itself (names are never resolved by the client for this route), checks every address
 * against its egress policy, connects, and answers with an {@link EgressReply}; raw bytes follow in
 * both directions once it answered {@code connected}.
 *
 * @param kind always {@value #KIND}
 * @param host a host name or an IPv4/IPv6 literal
 * @param port the target port, 1 to 65535
 * @param forwarder the client's forwarder, for the server's log lines
 */
public record EgressRequest(String kind, String host, int port, String forwarder) {
  public static final String KIND = "egress";

  public static EgressRequest of(String host, int port, String forwarder) {
    return new EgressRequest(KIND, host, port, forwarder);
  }
}

package dev.tlstunnel.protocol;

/**
 * {@code "kind": "egress"}: connect this stream from the server to {@code host:port} (a forwarder's
 * {@code tunnel} route). The server resolves {@code host} itself (names are never resolved by the
 * client for this route), checks every address against its egress policy, connects, and answers
 * with a {@link StreamReply} carrying the address it connected to; raw bytes follow in both
 * directions once it answered {@code ok}.
 *
 * @param host a host name or an IPv4/IPv6 literal
 * @param port the target port, 1 to 65535
 * @param forwarder the client's forwarder, for the server's log lines
 */
public record EgressRequest(String host, int port, String forwarder) implements StreamRequest {}

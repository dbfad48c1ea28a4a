package dev.tlstunnel.transport;

import dev.tlstunnel.config.TunnelTransport;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Who is at the other end of a tunnel connection, as the layers above the transport see it: the
 * client's address from a trusted reverse proxy's forwarding header when there is one, else the
 * socket's peer; and the transport that carries the connection.
 */
public final class PeerAddress {
  private static final AttributeKey<InetSocketAddress> FORWARDED =
      AttributeKey.valueOf("tls-tunnel.forwarded-for");
  private static final AttributeKey<TunnelTransport> TRANSPORT =
      AttributeKey.valueOf("tls-tunnel.transport");
  private static final AttributeKey<InetSocketAddress> DESTINATION =
      AttributeKey.valueOf("tls-tunnel.proxied-destination");

  private PeerAddress() {}

  /** The client's address: forwarded by a trusted proxy, or the socket's remote address. */
  public static SocketAddress of(Channel ch) {
    InetSocketAddress forwarded = ch.attr(FORWARDED).get();
    return forwarded != null ? forwarded : ch.remoteAddress();
  }

  /** Whether {@link #of} is a forwarded address rather than the socket's peer. */
  public static boolean forwarded(Channel ch) {
    return ch.attr(FORWARDED).get() != null;
  }

  /** The transport of {@code ch}; {@code tls} when none was recorded. */
  public static TunnelTransport transport(Channel ch) {
    TunnelTransport t = ch.attr(TRANSPORT).get();
    return t != null ? t : TunnelTransport.TLS;
  }

  /**
   * The address {@code ch}'s client connected to: from a trusted load balancer's PROXY protocol
   * header when there was one, else the socket's local address.
   */
  public static SocketAddress destination(Channel ch) {
    InetSocketAddress proxied = ch.attr(DESTINATION).get();
    return proxied != null ? proxied : ch.localAddress();
  }

  /**
   * Records the client and the address it reached, as a trusted load balancer's PROXY protocol
   * header named them.
   */
  public static void setProxied(Channel ch, InetSocketAddress client, InetSocketAddress reached) {
    ch.attr(FORWARDED).set(client);
    ch.attr(DESTINATION).set(reached);
  }

  static void setForwarded(Channel ch, InetSocketAddress client) {
    ch.attr(FORWARDED).set(client);
  }

  static void setTransport(Channel ch, TunnelTransport transport) {
    ch.attr(TRANSPORT).set(transport);
  }
}

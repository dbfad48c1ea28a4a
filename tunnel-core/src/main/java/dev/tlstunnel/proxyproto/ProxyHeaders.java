package dev.tlstunnel.proxyproto;

import dev.tlstunnel.config.ProxyProtocolVersion;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Writes the PROXY protocol header a proxy sends its local service first ({@code proxy_protocol =
 * "v1"} or {@code "v2"}), with Netty's {@link HAProxyMessageEncoder}. Source and destination of
 * different families are both sent as IPv6 (an IPv4 address as {@code ::ffff:a.b.c.d}), since a
 * header names one family.
 */
public final class ProxyHeaders {
  private static final String ENCODER = "proxy-protocol-encoder";

  private ProxyHeaders() {}

  /**
   * Writes (without flushing) the header for a connection from {@code source} to {@code
   * destination} on {@code channel}, on its event loop, before anything else is written.
   */
  public static ChannelFuture write(
      Channel channel,
      ProxyProtocolVersion version,
      InetSocketAddress source,
      InetSocketAddress destination) {
    if (!channel.eventLoop().inEventLoop()) {
      throw new IllegalStateException("the PROXY protocol header is written on the channel's loop");
    }
    HAProxyMessage header = message(version, source, destination);
    channel.pipeline().addFirst(ENCODER, HAProxyMessageEncoder.INSTANCE);
    try {
      return channel.write(header);
    } finally {
      channel.pipeline().remove(ENCODER);
    }
  }

  /** The header as Netty's message (the caller releases it, or the encoder does). */
  static HAProxyMessage message(
      ProxyProtocolVersion version, InetSocketAddress source, InetSocketAddress destination) {
    InetAddress src = source.getAddress();
    InetAddress dst = destination.getAddress();
    boolean v4 = src instanceof Inet4Address && dst instanceof Inet4Address;
    String srcText = v4 ? src.getHostAddress() : v6(src);
    String dstText = v4 ? dst.getHostAddress() : v6(dst);
    return new HAProxyMessage(
        version == ProxyProtocolVersion.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2,
        HAProxyCommand.PROXY,
        v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
        srcText,
        dstText,
        source.getPort(),
        destination.getPort());
  }

  /** An address in IPv6 text: itself, or an IPv4 address mapped ({@code ::ffff:192.0.2.1}). */
  private static String v6(InetAddress address) {
    if (address instanceof Inet6Address v6) {
      String text = v6.getHostAddress();
      int zone = text.indexOf('%');
      return zone < 0 ? text : text.substring(0, zone);
    }
    return "::ffff:" + address.getHostAddress();
  }
}

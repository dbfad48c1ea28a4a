package dev.tlstunnel.client;

import dev.tlstunnel.protocol.StreamHeader;
import io.netty.channel.Channel;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The public connection's endpoints as a stream header names them, for the PROXY protocol header
 * towards the local service. A server that sent no destination (it predates it) leaves the local
 * service's own address in its place.
 */
final class PeerEndpoints {
  private PeerEndpoints() {}

  /** The public peer. */
  static InetSocketAddress source(StreamHeader header) {
    return new InetSocketAddress(literal(header.peerAddr()), header.peerPort());
  }

  /** The address the public peer reached, else the local service's address. */
  static InetSocketAddress destination(StreamHeader header, Channel local) {
    InetAddress dest = header.destAddr() == null ? null : literal(header.destAddr());
    if (dest != null && header.destPort() != null) {
      return new InetSocketAddress(dest, header.destPort());
    }
    return (InetSocketAddress) local.remoteAddress();
  }

  /** An IP literal, never resolved; an unreadable one reads as the unspecified IPv4 address. */
  private static InetAddress literal(String text) {
    InetAddress address = text == null ? null : NetUtil.createInetAddressFromIpAddressString(text);
    return address != null ? address : NetUtil.createInetAddressFromIpAddressString("0.0.0.0");
  }
}
